// Our CONTRL and CUSRES read back as written, the action codes of a CONTRL judged as UNSL D.96B defines them, and syntax faults placed where CONTRL reports them.
import { describe, expect, it } from 'vitest';
import { GatewayError, parseEdifact } from '../../../src/partners/kit.js';
import { readContrl, readCusres, writeContrl, writeCusres } from '../edifact-acknowledgements.js';
import { syntaxErrorOf } from '../syntax-errors.js';

const US = { sender: 'KZCUSTOMS', recipient: 'UZCUSTOMS' };
const AT = new Date('2026-12-01T10:30:00Z');
const body = (bytes: Buffer) => parseEdifact(bytes).messages[0]!.segments;

describe('CONTRL and CUSRES of the agreement', () => {
  it('a CONTRL reads back with its verdict, codes and the interchange it reports on; a UNT fault is reported in a UCM for its message', () => {
    const report = { interchange: 'UZ0001', sender: 'UZCUSTOMS', recipient: 'KZCUSTOMS' };
    expect(readContrl(body(writeContrl(US, 'KZ1', AT, report)))).toMatchObject({ interchange: 'UZ0001', action: '7', verdict: 'accepted', codes: [] });
    const unt = syntaxErrorOf(new GatewayError('GW_ERR_EDIFACT_COUNT', "segment 9 (UNT): count '9' does not match the 8 segments", { segment: 9, tag: 'UNT' }), { reference: 'M1', type: ['CUSDEC', 'D', '96B', 'UN', 'ZZZ01'] });
    const written = body(writeContrl(US, 'KZ2', AT, { ...report, error: unt }));
    expect(written.map((s) => s.tag)).toEqual(['UCI', 'UCM']);
    expect(written[0]!.elements.slice(3)).toEqual([['4']]);
    expect(written[1]!.elements).toEqual([['M1'], ['CUSDEC', 'D', '96B', 'UN', 'ZZZ01'], ['4'], ['29'], ['UNT']]);
    expect(readContrl(written)).toMatchObject({ verdict: 'rejected', codes: ['29'] });
    // UNZ faults stay at interchange level.
    const unz = syntaxErrorOf(new GatewayError('GW_ERR_EDIFACT_COUNT', "segment 12 (UNZ): reference 'X' does not match 'Y'", { segment: 12, tag: 'UNZ' }), { reference: 'M1', type: ['CUSDEC'] });
    expect(body(writeContrl(US, 'KZ3', AT, { ...report, error: unz }))[0]!.elements.slice(3)).toEqual([['4'], ['28'], ['UNZ']]);
  });

  it('judges each UNSL action code: 1, 2, 7 accepted; 3, 4, 6 rejected; 5 and 8 only received; another unknown', () => {
    const uci = (action: string) => [{ tag: 'UCI', elements: [['UZ1'], ['KZCUSTOMS', 'ZZ'], ['UZCUSTOMS', 'ZZ'], [action]] }];
    const verdicts = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((a) => readContrl(uci(a)).verdict);
    expect(verdicts).toEqual(['accepted', 'accepted', 'rejected', 'rejected', 'received', 'rejected', 'accepted', 'received', 'unknown']);
    // A message rejected in a UCM rejects the interchange acknowledged at its level.
    expect(readContrl([...uci('7'), { tag: 'UCM', elements: [['1'], ['CUSDEC', 'D', '96B', 'UN'], ['4'], ['13']] }])).toMatchObject({ verdict: 'rejected', codes: ['13'] });
  });

  it('tells a segment group repeated too often (36) from a segment (35)', () => {
    const fault = (reason: string) => syntaxErrorOf(new GatewayError('GW_ERR_EDIFACT_GRAMMAR', reason, { segment: 5, tag: 'CST' }), { reference: '1', type: ['CUSDEC'] }).code;
    expect(fault('message 1 (CUSDEC:D:96B:UN), segment 5 (CST): segment group SG30 (triggered by CST) repeats more than its maximum of 9999')).toBe('36');
    expect(fault('message 1 (CUSDEC:D:96B:UN), segment 5 (LOC): LOC repeats more than its maximum of 99')).toBe('35');
    expect(fault('message 1 (CUSDEC:D:96B:UN), segment 2 (LOC): mandatory segment BGM is missing')).toBe('13');
  });

  it('a CUSRES reads back: accepted with its id, or not with each error code and text', () => {
    const accepted = readCusres(body(writeCusres(US, 'KZ4', AT, { responseId: 'REG-1', accepted: true, answers: 'UZ0001', errors: [] })));
    expect(accepted).toEqual({ responseId: 'REG-1', accepted: true, answers: 'UZ0001', errors: [] });
    const long = 'x'.repeat(200);
    const refused = readCusres(body(writeCusres(US, 'KZ5', AT, { responseId: 'R-2', accepted: false, answers: 'UZ0002', errors: [{ code: 'KZ-DATA', description: long }, { code: 'KZ-SNDR', description: 'other sender' }] })));
    expect(refused).toEqual({ responseId: 'R-2', accepted: false, answers: 'UZ0002', errors: [{ code: 'KZ-DATA', description: long }, { code: 'KZ-SNDR', description: 'other sender' }] });
  });
});
