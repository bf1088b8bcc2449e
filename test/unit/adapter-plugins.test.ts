// Adapters found in a folder: what they bring (codecs, signing profiles, transports) is registered, and every malformed one is a problem naming its file.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAdapters } from '../../src/partners/partner-registry.js';
import { ProblemList } from '../../src/setup/problem-list.js';
import { ROOT, tempDir } from '../support/project.js';

const KIT = join(ROOT, 'src', 'partners', 'kit.js');
const dir = tempDir('gw-adapters-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A partner module whose definition spreads `extra` over a valid one (message `m` with `codec` and `signing`). */
function adapter(name: string, options: { codec?: string; signing?: string; extra?: string; prelude?: string } = {}): void {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(
    join(dir, name, 'partner.ts'),
    `import { defineCodec, defineErrors, defineSigningProfile, defineTransport, definePartner } from '${KIT}';
${options.prelude ?? ''}
export default definePartner({
  id: '${name}',
  name: 'plug-in test',
  messages: { m: { description: 'a message', codec: '${options.codec ?? 'json'}', signing: '${options.signing ?? 'none'}' } },
  transport: { timeoutMs: 1000, concurrency: 1, buildRequest: (m) => ({ method: 'POST', path: '', headers: {}, body: m.payload }) },
  classify: () => ({ verdict: 'delivered', reason: 'ok' }),
  retry: { delaysMs: [1], jitter: 0, maxAttempts: 1 },
  circuitBreaker: { failureThreshold: 1, cooldownMs: 1 },
  ${options.extra ?? ''}
});
`,
  );
}

adapter('brings-plugins', {
  codec: 'upper',
  signing: 'stamp',
  extra: `codecs: [defineCodec({ name: 'upper', extension: 'txt', mediaType: 'text/plain', fileEncoding: 'utf8', render: (v) => Buffer.from(String(v).toUpperCase()), parse: (b) => b.toString(), pretty: (b) => b.toString(), normalise: (t) => t })],
  signingProfiles: [defineSigningProfile({ name: 'stamp', description: 'appends a stamp', signs: true, sign: (d) => Buffer.concat([d, Buffer.from('#')]) })],
  transports: [defineTransport({ name: 'pigeon', description: 'by air', send: async () => ({ kind: 'error', error: 'connect', message: 'no pigeon', durationMs: 0 }) })],`,
});
adapter('clashing-codec', { extra: `codecs: [defineCodec({ name: 'xml', extension: 'x', mediaType: 'x/x', fileEncoding: 'utf8', render: () => Buffer.alloc(0), parse: () => '', pretty: () => '', normalise: (t) => t })],` });
adapter('unknown-codec', { codec: 'hieroglyphs' });
adapter('unfit-profile', { codec: 'json', signing: 'xmldsig' });
adapter('unknown-transport', { extra: `profiles: { slow: { transport: { kind: 'teleport', timeoutMs: 1, concurrency: 1, buildRequest: () => ({ transport: 'teleport' }) }, classify: () => ({ verdict: 'retry', reason: '' }) } },` });
adapter('foreign-errors', { prelude: `const errors = defineErrors('somebody-else', { GW_ERR_PLUGIN_TEST_OTHER: { message: 'x', httpStatus: 400, retryable: false } });`, extra: 'errors,' });
adapter('wrong-id');
writeFileSync(join(dir, 'wrong-id', 'partner.ts'), `import { definePartner } from '${KIT}';\nexport default definePartner({ id: 'another' } as never);\n`);
adapter('broken-module');
writeFileSync(join(dir, 'broken-module', 'partner.ts'), `throw new Error('cannot load this');\n`);
mkdirSync(join(dir, 'no-partner-module'));

describe('adapter discovery and plug-ins', async () => {
  const problems = new ProblemList();
  const loaded = await loadAdapters(dir, problems);
  const about = (name: string): string[] => problems.list.filter((p) => p.file?.includes(`${name}/partner.ts`)).map((p) => `${p.code} ${p.message}`);

  it('registers what an adapter brings, beside the built-ins', () => {
    expect(loaded.adapters.has('brings-plugins')).toBe(true);
    expect(loaded.codecs.names()).toEqual(['csv', 'edifact', 'json', 'upper', 'xml']);
    expect(loaded.signingProfiles.names()).toContain('stamp');
    expect(loaded.transports.names()).toEqual(['as2', 'http', 'pigeon', 'soap']);
    expect(about('brings-plugins')).toEqual([]);
  });

  it.each([
    ['clashing-codec', /GW_ERR_ADAPTER_INVALID .*codec "xml" is already registered by core/],
    ['unknown-codec', /GW_ERR_ADAPTER_INVALID message m: no codec "hieroglyphs"/],
    ['unfit-profile', /GW_ERR_ADAPTER_INVALID message m: signing profile xmldsig signs xml documents, not json/],
    ['unknown-transport', /GW_ERR_ADAPTER_INVALID no transport "teleport"/],
    ['foreign-errors', /GW_ERR_ADAPTER_INVALID its errors are registered for "somebody-else"/],
    ['wrong-id', /GW_ERR_ADAPTER_INVALID id "another" must equal its folder name "wrong-id"/],
    ['broken-module', /GW_ERR_ADAPTER_INVALID does not load: cannot load this/],
  ])('%s is a problem naming its file, and is left out', (name, pattern) => {
    expect(about(name)).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
    expect(loaded.adapters.has(name)).toBe(false);
  });

  it('a folder without a partner module is no adapter and no problem', () => {
    expect(loaded.adapters.has('no-partner-module')).toBe(false);
    expect(problems.list.some((p) => p.file?.includes('no-partner-module'))).toBe(false);
  });
});
