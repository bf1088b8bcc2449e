// The TypeScript record types are generated from schemas/cais; this catches a schema edited without regenerating them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateRecordTypes } from '../../src/records/generate-record-types.js';
import { ROOT } from '../support/project.js';

describe('record types', () => {
  it('src/records/record-types.ts matches what schemas/cais generate (run npm run gen:types)', async () => {
    const generated = await generateRecordTypes(join(ROOT, 'schemas'));
    expect(readFileSync(join(ROOT, 'src', 'records', 'record-types.ts'), 'utf8')).toBe(generated);
  });
});
