// The README's error table is the operator's catalogue: it must list every GW_ERR_* code with its HTTP status and retry flag.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/errors.js';
import { ROOT } from '../support/project.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README error table', () => {
  it.each(Object.entries(ERRORS))('lists %s with its status and retry flag', (code, spec) => {
    expect(readme).toContain(`| \`${code}\` | ${spec.httpStatus} | ${spec.retryable ? 'yes' : 'no'} | ${spec.message} |`);
  });

  it('lists no code the catalogue does not have', () => {
    const listed = [...readme.matchAll(/^\| `(GW_ERR_\w+)`/gm)].map((m) => m[1]);
    expect(listed.filter((c) => !(c! in ERRORS))).toEqual([]);
  });
});
