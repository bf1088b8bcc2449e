// `gateway check` reports every problem of a broken setup at once, one GW_ERR_* line each, and exits 2; `serve` refuses to start with the same lines.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../support/project.js';

let work: string;

function gateway(command: string, env: Record<string, string>): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), command], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, GATEWAY_CERTS_DIR: join(work, 'certs'), GATEWAY_DATA_DIR: join(work, 'data'), GATEWAY_PORT: '0', GATEWAY_INBOUND_PORT: '0', GATEWAY_LOG_LEVEL: 'warn', ...env },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  work = tempDir('gw-check-');
  // The mapping files of the two partners the broken partners file keeps.
  for (const partner of ['iru-safetir', 'eaeu-ru']) cpSync(join(ROOT, 'mappings', partner), join(work, 'mappings', partner), { recursive: true });
  writeFileSync(join(work, 'mappings', 'eaeu-ru', 'broken.yaml'), 'id: eaeu-ru.broken\nversion: 1\nsource: tir.termination\ntarget: { partner: eaeu-ru, message: p-cp-01-msg-010 }\nbusinessKeys: { carnetNumber: "carnetNumber &" }\ndocument: { a: "1" }\n');
  writeFileSync(
    join(work, 'partners.yaml'),
    ['partners:', '  - id: iru-safetir', '    adapter: iru-safetir', '    participants: { subscriber: KZ-CUSTOMS }', '  - id: eaeu-ru', '    adapter: eaeu-iis', '    participants: { member: RU, us: KZ }', '    keys: { partnerCerts: [missing-ru.cert.pem] }', '  - id: ghost', '    adapter: no-such-adapter', ''].join('\n'),
  );
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const broken = (): Record<string, string> => ({ GATEWAY_PARTNERS_FILE: join(work, 'partners.yaml'), GATEWAY_MAPPINGS_DIR: join(work, 'mappings') });

describe('gateway check', () => {
  it('on the project as it is: every partner listed, no problem, exit 0', () => {
    const r = gateway('check', {});
    expect(r.out).toMatch(/^partner iru-safetir: adapter iru-safetir/m);
    expect(r.out).toMatch(/^partner eaeu-ru: adapter eaeu-iis/m);
    expect(r.out).toMatch(/^partner eaeu-kg: adapter eaeu-iis/m);
    expect(r.out).toContain('ok: no problems');
    expect(r.status).toBe(0);
  });

  it('a broken mapping, a missing partner certificate and an unknown adapter: all three reported, exit 2', () => {
    const r = gateway('check', broken());
    expect(r.status).toBe(2);
    const lines = r.out.split('\n').filter((l) => l.startsWith('GW_ERR_'));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GW_ERR_MAPPING_EXPRESSION: .*mappings\/eaeu-ru\/broken\.yaml.*\/businessKeys\/carnetNumber/),
        expect.stringMatching(/^GW_ERR_KEY_UNAVAILABLE: .*partner eaeu-ru: .*missing-ru\.cert\.pem/),
        expect.stringMatching(/^GW_ERR_ADAPTER_UNKNOWN: .*partners\.yaml#\/partners\/2\/adapter: partner ghost: no adapter "no-such-adapter"/),
      ]),
    );
    expect(r.out).toMatch(/^3 problem\(s\)$/m);
    expect(r.out).not.toMatch(/^\s+at /m);
  });

  it('serve refuses the same setup with the same lines, exit 2, no stack trace', () => {
    const r = gateway('serve', broken());
    expect(r.status).toBe(2);
    expect(r.out.split('\n').filter((l) => l.startsWith('GW_ERR_'))).toHaveLength(3);
    expect(r.out).not.toContain('gateway ready');
    expect(r.out).not.toMatch(/^\s+at /m);
  });

  it('a bad core variable does not hide the rest: both it and the partners-file problems are reported', () => {
    const r = gateway('check', { ...broken(), GATEWAY_PORT: 'eighty' });
    expect(r.status).toBe(2);
    expect(r.out).toMatch(/^GW_ERR_CONFIG_INVALID: GATEWAY_PORT="eighty" must be a number/m);
    expect(r.out).toMatch(/^GW_ERR_ADAPTER_UNKNOWN: /m);
    expect(r.out).toMatch(/^4 problem\(s\)$/m);
  });

  it('a partner with neither a URL nor a simulator, and a variable that names no partner, are configuration errors', () => {
    const r = gateway('check', { GATEWAY_SIMULATORS: 'off', GATEWAY_PARTNER_EAEU_RU_URL: 'http://127.0.0.1:9/iis', GATEWAY_PARTNER_RU_FSC_URL: 'http://127.0.0.1:9' });
    expect(r.status).toBe(2);
    expect(r.out).toMatch(/^GW_ERR_CONFIG_INVALID: .*partner iru-safetir has neither a URL nor a simulator/m);
    expect(r.out).toMatch(/^GW_ERR_CONFIG_INVALID: GATEWAY_PARTNER_RU_FSC_URL names no partner/m);
    expect(r.out).toMatch(/^partner eaeu-ru: .*reached at default http:\/\/127\.0\.0\.1:9\/iis$/m);
  });
});

describe('serve on a port already taken', () => {
  it('exits 2 with one GW_ERR_CONFIG_INVALID line naming the address, no stack trace, nothing left running', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = gateway('serve', { GATEWAY_PORT: String(port) });
      expect(r.status).toBe(2);
      expect(r.out).toMatch(new RegExp(`^GW_ERR_CONFIG_INVALID: cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE \\(GATEWAY_HOST, GATEWAY_PORT\\)$`, 'm'));
      expect(r.out).not.toMatch(/^\s+at /m);
    } finally {
      taken.close();
    }
  });
});

describe('gateway check on other setups', () => {
  it('a second instance of an adapter that has API routes is a problem check reports, not a serve that hangs', () => {
    const file = join(work, 'two-iru.yaml');
    writeFileSync(file, 'partners:\n  - id: iru-safetir\n    adapter: iru-safetir\n    participants: { subscriber: KZ-CUSTOMS }\n  - id: iru-safetir-2\n    adapter: iru-safetir\n    participants: { subscriber: KZ-CUSTOMS-2 }\n  - id: eaeu-ru\n    adapter: eaeu-iis\n    participants: { member: RU, us: KZ }\n');
    const r = gateway('check', { GATEWAY_PARTNERS_FILE: file });
    expect(r.status).toBe(2);
    expect(r.out).toMatch(/^GW_ERR_ADAPTER_INVALID: partner iru-safetir-2: route GET \/v1\/safetir\/carnets\/:number is already taken by partner iru-safetir/m);
    const served = gateway('serve', { GATEWAY_PARTNERS_FILE: file });
    expect(served.status).toBe(2);
  });

  it('never replaces a real signing key or a pinned partner certificate with development ones', () => {
    const real = join(work, 'real-certs');
    cpSync(join(work, 'certs'), real, { recursive: true });
    for (const file of ['ca.key.pem', 'ca.cert.pem', 'partners/iru-safetir.key.pem', 'partners/eaeu-ru.key.pem']) rmSync(join(real, file));
    const files = (): Record<string, string> =>
      Object.fromEntries(readdirSync(real, { recursive: true }).map(String).filter((f) => statSync(join(real, f)).isFile()).map((f) => [f, readFileSync(join(real, f), 'utf8')]));
    const before = files();
    const r = gateway('check', { GATEWAY_CERTS_DIR: real });
    expect(r.out).toContain('ok: no problems');
    expect(files()).toEqual(before);
  });
});
