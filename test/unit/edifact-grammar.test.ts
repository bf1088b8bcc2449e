// EDIFACT grammars: the grammar files hold exactly the UN segment tables of the reference, and a message is refused for a missing mandatory segment, a repeat over its maximum or a segment out of place, each at its segment position, by the check and by the codec both ways.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { edifactCodec } from '../../src/codec/builtin-codecs.js';
import type { EdifactInterchange, EdifactMessage, EdifactSegment } from '../../src/codec/document-tree.js';
import { grammarProblems, readEdifactGrammar, type EdifactGrammar, type GrammarEntry } from '../../src/codec/edifact-grammar.js';
import { GatewayError } from '../../src/errors.js';
import { REFERENCE_DIR, ROOT } from '../support/project.js';

const GRAMMARS = join(ROOT, 'schemas', 'edifact');
const cusdec = readEdifactGrammar(join(GRAMMARS, 'CUSDEC-D96B.grammar.json'));

function seg(tag: string, ...elements: string[][]): EdifactSegment {
  return { tag, elements: elements.length > 0 ? elements : [['X']] };
}

/** A CUSDEC with the given body segments. */
function message(...segments: EdifactSegment[]): EdifactMessage {
  return { reference: 'M1', type: ['CUSDEC', 'D', '96B', 'UN'], segments };
}

/** The smallest CUSDEC the table allows: BGM, the detail section's UNS and the summary section's UNS. */
const MINIMAL = [seg('BGM', ['929'], ['LRN-1']), seg('UNS', ['D']), seg('UNS', ['S'])];

/** The rows of a segment table in the reference's STRUCTURES.md (tag, status, maximum), read on their own. */
function referenceRows(heading: string, next: string): string[] {
  const text = readFileSync(join(REFERENCE_DIR, 'edifact', 'STRUCTURES.md'), 'utf8');
  const section = text.slice(text.indexOf(heading), text.indexOf(next));
  return section
    .split('\n')
    .filter((line) => /^\| (\d{4} \| )?/.test(line) && !/^\| (Pos|Lvl|---)/.test(line))
    .map((line) => line.split('|').map((c) => c.trim()).filter(Boolean))
    .filter((cells) => cells.length >= 5)
    .map((cells) => {
      const [status, max] = cells.slice(-2);
      const tag = cells.find((c) => /^(· )*(\*\*)?(SG\d+|[A-Z]{3})(\*\*)?$/.test(c))!.replace(/[·*\s]/g, '');
      return `${tag} ${status} ${max}`;
    });
}

/** A grammar's entries as the table lists them, groups before their entries. */
function flatten(entries: readonly GrammarEntry[]): string[] {
  return entries.flatMap((e) => ('group' in e ? [`${e.group} ${e.status} ${e.max}`, ...flatten(e.entries)] : [`${e.tag} ${e.status} ${e.max}`]));
}

describe('EDIFACT grammar files', () => {
  it.each([
    ['CUSDEC-D96B', '## 1. CUSDEC', '## 2. CUSRES', 201],
    ['CUSRES-D96B', '## 2. CUSRES', '## 3. CONTRL', 65],
    ['CONTRL-D3', '## 3. CONTRL', '### Action codes', 15],
  ])('%s holds exactly the rows of its UN segment table (%s), in order', (name, heading, next, rows) => {
    const grammar: EdifactGrammar = readEdifactGrammar(join(GRAMMARS, `${name}.grammar.json`));
    const table = referenceRows(heading, next);
    expect(table).toHaveLength(rows);
    expect(flatten(grammar.entries)).toEqual(table);
  });
});

describe('grammarProblems', () => {
  it('takes the smallest CUSDEC and one with nested groups in their places', () => {
    expect(grammarProblems(message(...MINIMAL), cusdec)).toEqual([]);
    const nested = message(seg('BGM'), seg('LOC'), seg('RFF'), seg('DTM'), seg('PAC'), seg('PCI'), seg('PCI'), seg('PAC'), seg('NAD'), seg('UNS'), seg('UNS'), seg('CNT'));
    expect(grammarProblems(nested, cusdec)).toEqual([]);
  });

  it('refuses a missing mandatory segment at the position where it belongs', () => {
    expect(grammarProblems(message(seg('LOC'), seg('UNS'), seg('UNS')), cusdec)).toEqual([{ position: 2, tag: 'LOC', reason: 'mandatory segment BGM is missing' }]);
  });

  it('refuses a repeat over its maximum at the first segment too many', () => {
    const ftx = Array.from({ length: 100 }, () => seg('FTX'));
    // UNH 1, BGM 2, FTX 3…102: the hundredth FTX is segment 102.
    expect(grammarProblems(message(seg('BGM'), ...ftx, seg('UNS'), seg('UNS')), cusdec)).toEqual([{ position: 102, tag: 'FTX', reason: 'FTX repeats more than its maximum of 99' }]);
    const groups = Array.from({ length: 6 }, () => seg('TDT'));
    expect(grammarProblems(message(seg('BGM'), ...groups, seg('UNS'), seg('UNS')), cusdec)).toEqual([{ position: 8, tag: 'TDT', reason: 'segment group SG4 (triggered by TDT) repeats more than its maximum of 5' }]);
  });

  it('refuses a segment out of place: a package identification without its package, a header segment after the detail section', () => {
    expect(grammarProblems(message(seg('BGM'), seg('RFF'), seg('PCI'), seg('UNS'), seg('UNS')), cusdec)[0]).toEqual({ position: 4, tag: 'PCI', reason: 'segment PCI has no place here in CUSDEC:D:96B:UN (out of order, or not in the message)' });
    expect(grammarProblems(message(seg('BGM'), seg('UNS'), seg('BGM'), seg('UNS')), cusdec)[0]).toMatchObject({ position: 4, tag: 'BGM' });
  });
});

describe('the edifact codec with grammars', () => {
  const options = { grammars: [cusdec] };
  const interchange = (segments: EdifactSegment[]): EdifactInterchange => ({
    syntax: 'UNOC',
    syntaxVersion: '3',
    sender: ['KZCUSTOMS', 'ZZ'],
    recipient: ['UZCUSTOMS', 'ZZ'],
    preparedAt: { date: '261203', time: '1200' },
    controlReference: 'ICR1',
    messages: [message(...segments)],
  });

  it('writes and reads back a message that keeps its table, and refuses one that breaks it, both ways', () => {
    const bytes = edifactCodec.render(interchange(MINIMAL), options);
    expect((edifactCodec.parse(bytes, options) as EdifactInterchange).messages[0]!.segments.map((s) => s.tag)).toEqual(['BGM', 'UNS', 'UNS']);
    const broken = interchange([seg('UNS', ['D']), seg('UNS', ['S'])]);
    expect(() => edifactCodec.render(broken, options)).toThrow(/GW_ERR_EDIFACT_GRAMMAR: message M1 \(CUSDEC:D:96B:UN\), segment 2 \(UNS\): mandatory segment BGM is missing/);
    // The same bytes without the grammar, read with it: refused on the way in too, with the position in the detail.
    const unchecked = edifactCodec.render(broken);
    const refused = (() => {
      try {
        edifactCodec.parse(unchecked, options);
        return undefined;
      } catch (err) {
        return err as GatewayError;
      }
    })();
    expect(refused).toBeInstanceOf(GatewayError);
    expect(refused?.code).toBe('GW_ERR_EDIFACT_GRAMMAR');
    expect(refused?.detail).toMatchObject({ segment: 2, tag: 'UNS' });
  });

  it('refuses a wrong UNT segment count with its position in the interchange (UNB is 1), before any grammar', () => {
    const text = edifactCodec.render(interchange(MINIMAL), options).toString('latin1').replace(/UNT\+5\+M1'/, "UNT+6+M1'");
    expect(() => edifactCodec.parse(Buffer.from(text, 'latin1'), options)).toThrow(/GW_ERR_EDIFACT_COUNT: segment 6 \(UNT\): count '6' does not match the 5 segments/);
  });
});
