// Runs the golden tests beside each inbound mapping file: partner documents and the exact CAIS records they must become.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { XmlContent } from '../codec/document-tree.js';
import { parseXml } from '../codec/xml-parse.js';
import { GatewayError } from '../errors.js';
import type { RecordValidator } from '../records/record-validator.js';
import { firstDifference, GOLDEN_NOW, goldenFolder, type GoldenResult } from './golden-tests.js';
import type { InboundMapping } from './inbound-mapping.js';

/**
 * One inbound golden case: `<mapping>.golden/<name>.input.xml` (the partner's document, unsigned) or
 * `<name>.input.json` (the document tree an adapter's reader makes of a document that is not XML, such
 * as a CSV file of a CMS-signed push), and `<name>.expected.json` (the record).
 */
export interface InboundGoldenCase {
  mapping: InboundMapping;
  name: string;
  inputFile: string;
  expectedFile: string;
}

/** Lists the golden cases of every inbound mapping. */
export function listInboundGoldenCases(mappings: readonly InboundMapping[]): InboundGoldenCase[] {
  const cases: InboundGoldenCase[] = [];
  for (const mapping of mappings) {
    const dir = goldenFolder(mapping.source);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.input.xml') || f.endsWith('.input.json')).sort()) {
      const name = basename(basename(file, '.xml'), '.json').replace(/\.input$/, '');
      cases.push({ mapping, name, inputFile: join(dir, file), expectedFile: join(dir, `${name}.expected.json`) });
    }
  }
  return cases;
}

/** The record as the expected file holds it: JSON with a 2-space indent and a final newline. */
function formatted(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Runs one inbound golden case: the mapping must apply to the parsed document, the record it builds
 * must be a valid CAIS record of the mapping's type, its business keys must select something from it, and
 * it must equal the expected JSON (key order and layout aside). With `update`, writes the expected file instead.
 */
export async function runInboundGoldenCase(c: InboundGoldenCase, records: RecordValidator, update = false): Promise<GoldenResult<InboundGoldenCase>> {
  const fail = (reason: string): GoldenResult<InboundGoldenCase> => ({ case: c, ok: false, reason });
  try {
    const document = c.inputFile.endsWith('.json') ? (JSON.parse(readFileSync(c.inputFile, 'utf8')) as XmlContent) : parseXml(readFileSync(c.inputFile));
    if (!(await c.mapping.applies(document))) return fail('the mapping does not apply to this document');
    const record = await c.mapping.apply(document, GOLDEN_NOW);
    const checked = records.validate(record);
    if (!checked.ok) return fail(`record invalid: ${checked.violations.map((v) => `${v.pointer} ${v.message}`).join('; ')}`);
    if (checked.record.type !== c.mapping.recordType) return fail(`the record is a ${checked.record.type}, the mapping's target is ${c.mapping.recordType}`);
    // Business keys are expressions over the record, not the document: keys of which none selects anything from a golden record are a mistake (one may be optional).
    const keys = await c.mapping.businessKeys(checked.record);
    if (c.mapping.keyNames.length > 0 && Object.keys(keys).length === 0) return fail(`no business key (${c.mapping.keyNames.join(', ')}) selects anything from the record: business keys read the record, not the document`);
    if (update) {
      writeFileSync(c.expectedFile, formatted(record));
      return { case: c, ok: true };
    }
    if (!existsSync(c.expectedFile)) return fail(`missing ${c.expectedFile} (run: npx gateway mappings test --update)`);
    const expected: unknown = JSON.parse(readFileSync(c.expectedFile, 'utf8'));
    return isDeepStrictEqual(record, expected) ? { case: c, ok: true } : fail(firstDifference(formatted(record), formatted(expected)));
  } catch (err) {
    if (err instanceof GatewayError) return fail(err.message);
    if (err instanceof SyntaxError) return fail(`${c.expectedFile} is not JSON: ${err.message}`);
    throw err;
  }
}
