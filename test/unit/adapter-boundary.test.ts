// The lint rule that keeps adapters on the kit: every way round it found so far is refused, the allowed imports pass.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/project.js';

const eslint = new ESLint({ cwd: ROOT });

/** The boundary messages ESLint gives `code` as if it were this file of the repository. */
async function boundary(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'gateway/adapter-boundary').map((m) => m.message);
}

describe('the adapter boundary rule', () => {
  it.each([
    ['adapters/zz/partner.ts', "import { GatewayError } from '../../src/errors.js';", /only through src\/partners\/kit/],
    ['adapters/zz/partner.ts', "import x from './../eaeu-iis/partner.js';", /never import another adapter/],
    ['adapters/zz/partner.ts', "import x from '../../adapters/eaeu-iis/partner.js';", /never import another adapter/],
    ['adapters/zz/sim/simulator.ts', "import x from './../../eaeu-iis/partner.js';", /never import another adapter/],
    ['adapters/zz/sub/deep/a.ts', "import x from '../../../eaeu-iis/partner.js';", /never import another adapter/],
    ['adapters/zz/partner.ts', "const m = await import('../../src/security/key-capabilities.js');", /only through src\/partners\/kit/],
    ['adapters/zz/partner.ts', 'const name = "kit"; const m = await import(`../../src/partners/${name}.js`);', /literal paths only/],
    ['adapters/zz/partner.ts', "import { x } from '../../test/support/project.js';", /from its tests, test\/support/],
    ['adapters/zz/partner.js', "import { GatewayError } from '../../src/errors.js';", /only through src\/partners\/kit/],
    ['adapters/zz/partner.ts', "export * from '../../src/codec/xml-render.js';", /only through src\/partners\/kit/],
    ['adapters/zz/partner.ts', "import cfg from '../../package.json';", /imports only the kit, its own folder/],
  ])('%s: %s is refused', async (file, code, message) => {
    expect(await boundary(file, code)).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    ['adapters/zz/partner.ts', "import { definePartner } from '../../src/partners/kit.js';"],
    ['adapters/zz/sim/simulator.ts', "import { defineSimulator } from '../../../src/partners/kit.js';\nimport { codes } from '../codes.js';"],
    ['adapters/zz/sub/deep/a.ts', "import x from '../../partner.js';"],
    ['adapters/zz/test/a.test.ts', "import { ROOT } from '../../../test/support/project.js';\nimport def from '../partner.js';"],
    ['adapters/zz/partner.ts', "import forge from 'node-forge';\nimport { join } from 'node:path';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await boundary(file, code)).toEqual([]);
  });
});
