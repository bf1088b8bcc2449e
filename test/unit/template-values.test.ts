// `$values` in mapping templates: a list of templates written for each item of `$each` and spliced in order, and refused where it has no meaning.
import { describe, expect, it } from 'vitest';
import { translationScope } from '../../src/mapping/expression.js';
import { compileNode } from '../../src/mapping/template.js';

const record = { items: [{ n: 1, code: '870323' }, { n: 2, code: '401110' }], tail: 'end' };

describe('$values', () => {
  it('writes every template of the list for each item, in order, among the list it stands in', async () => {
    const node = compileNode(
      [{ tag: "'UNS'" }, { $each: 'items', $values: [{ tag: "'CST'", n: '$string(n)' }, { tag: "'FTX'", code: 'code' }, { $if: 'n = 2', tag: "'MEA'" }] }, { tag: 'tail' }],
      '/document',
      {},
    );
    expect(await node(record, translationScope(record))).toEqual([
      { tag: 'UNS' },
      { tag: 'CST', n: '1' },
      { tag: 'FTX', code: '870323' },
      { tag: 'CST', n: '2' },
      { tag: 'FTX', code: '401110' },
      { tag: 'MEA' },
      { tag: 'end' },
    ]);
  });

  it('is refused without $each, beside fields or $value, or when it is not a list', () => {
    for (const template of [{ $values: [{ a: "'x'" }] }, { $each: 'items', $values: [{ a: "'x'" }], b: "'y'" }, { $each: 'items', $values: { a: "'x'" } }, { $each: 'items', $values: [], $value: "'z'" }]) {
      expect(() => compileNode(template, '/document', {})).toThrow(/GW_ERR_MAPPING_INVALID: \/document: \$values is a list of templates, beside \$each \(and \$if\) only/);
    }
  });
});
