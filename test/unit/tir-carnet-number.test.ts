// IRU's carnet check-letter rule: the 23 prefixes it can produce, IRU's published samples, and the edges of its range.
import { describe, expect, it } from 'vitest';
import { carnetCheckLetterProblem, carnetCheckLetters } from '../../src/records/tir-carnet-number.js';

describe('TIR carnet check letters', () => {
  it('produces exactly the 23 prefixes IRU lists, each for one residue modulo 23', () => {
    const prefixes = Array.from({ length: 23 }, (_, m) => carnetCheckLetters(25_000_000 + ((m - (25_000_000 % 23) + 23) % 23)));
    expect(new Set(prefixes).size).toBe(23);
    expect([...prefixes].sort()).toEqual(['AX', 'DX', 'GX', 'JX', 'MX', 'PX', 'RX', 'SX', 'UX', 'VX', 'XB', 'XC', 'XE', 'XF', 'XH', 'XK', 'XN', 'XQ', 'XT', 'XW', 'XX', 'XZ', 'YX']);
  });

  it('gives the letters of the carnets in IRU\'s sample queries', () => {
    expect(carnetCheckLetters(62_690_713)).toBe('DX');
    expect(carnetCheckLetters(66_950_772)).toBe('AX');
  });

  it('judges only lettered numbers from 25,000,000 on', () => {
    expect(carnetCheckLetterProblem('XA25123456')).toMatch(/gives DX25123456/);
    expect(carnetCheckLetterProblem('DX25123456')).toBeUndefined();
    expect(carnetCheckLetterProblem('XA12345678')).toBeUndefined();
    expect(carnetCheckLetterProblem('25123456')).toBeUndefined();
    expect(() => carnetCheckLetters(24_999_999)).toThrow(RangeError);
  });
});
