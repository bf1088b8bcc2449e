// A partner added to a copy of the project by an adapter folder, a schema, mappings and partners-file entries only: checked, served, delivered, src/ untouched.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedMessage } from '../../src/sim/partner-simulator.js';
import { until } from '../support/gateway-process.js';
import { RECORD_FIXTURES, ROOT, tempDir } from '../support/project.js';

const TOKEN = 'new-partner-token-0123456789';
const FIXTURE = join(ROOT, 'test', 'fixtures', 'new-partner');
const COPIED = ['src', 'adapters', 'mappings', 'schemas', 'package.json', 'partners.yaml', 'tsconfig.json'];

/** SHA-256 of every file under a folder, by relative path. */
function treeHashes(dir: string, base = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) Object.assign(out, treeHashes(path, base));
    else out[relative(base, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

let work: string;
let copy: string;

function cli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(copy, 'src', 'cli.ts'), ...args], {
    cwd: copy,
    encoding: 'utf8',
    env: { ...process.env, GATEWAY_CERTS_DIR: join(work, 'certs'), GATEWAY_LOG_LEVEL: 'warn', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  work = tempDir('gw-new-partner-');
  copy = join(work, 'project');
  for (const entry of COPIED) cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  // The whole addition: an adapter folder, a schema, two mapping folders, two partners-file entries.
  cpSync(join(FIXTURE, 'adapters'), join(copy, 'adapters'), { recursive: true });
  cpSync(join(FIXTURE, 'schemas'), join(copy, 'schemas'), { recursive: true });
  cpSync(join(FIXTURE, 'mappings'), join(copy, 'mappings'), { recursive: true });
  appendFileSync(join(copy, 'partners.yaml'), `\n${readFileSync(join(FIXTURE, 'partners-entries.yaml'), 'utf8')}`);
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a new partner without an edit of src/', () => {
  it('gateway check lists the new adapter and both of its instances, with no problem', () => {
    const r = cli(['check']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^adapters: .*test-agency/m);
    expect(r.stdout).toMatch(/^partner agency-a: adapter test-agency, profile default, messages receipt-notice, 1 mapping\(s\), 1 pinned certificate\(s\), reached at its simulator$/m);
    expect(r.stdout).toMatch(/^partner agency-b: adapter test-agency, .* reached at its simulator$/m);
    expect(r.stdout).toContain('ok: no problems');
    expect(r.status).toBe(0);
  });

  // A whole gateway process from a fresh copy (tsx compiling every file, ten simulators): on a loaded 2-core machine its start alone can take half a minute.
  it('two instances of the adapter, with their own participant codes and URLs, each receive their own documents', { timeout: 90_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(copy, 'src', 'cli.ts'), 'serve'], {
      cwd: copy,
      env: { ...process.env, GATEWAY_CERTS_DIR: join(work, 'certs'), GATEWAY_DATA_DIR: join(work, 'data'), GATEWAY_PORT: '0', GATEWAY_INBOUND_PORT: '0', GATEWAY_TOKENS: `${TOKEN}:cais,admin,auditor`, GATEWAY_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await until(() => /gateway ready: api (\S+)/.test(out), 60_000);
      const api = /gateway ready: api (\S+)/.exec(out)?.[1] ?? '';
      const sims = new Map([...out.matchAll(/(agency-[ab]) (http:\/\/\S+?)(?:,|\s|$)/g)].map((m) => [m[1] as string, m[2] as string]));
      expect(sims.size).toBe(2);
      expect(sims.get('agency-a')).not.toBe(sims.get('agency-b'));

      const receipt = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'payment.receipt.json'), 'utf8')) as Record<string, unknown>;
      const posted = await fetch(`${api}/v1/cais/records`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(receipt) });
      expect(posted.status).toBe(202);
      // The project's own partners may take the receipt too (the Treasury through the e-government gateway): the new adapter's two instances each get one.
      const messages = (((await posted.json()) as { results: Array<{ messages: Array<{ id: string; partner: string }> }> }).results[0]?.messages ?? []).filter((m) => m.partner.startsWith('agency-'));
      expect(messages.map((m) => m.partner).sort()).toEqual(['agency-a', 'agency-b']);

      const status = async (id: string): Promise<string> => ((await (await fetch(`${api}/v1/messages/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { status: string }).status;
      await until(async () => (await Promise.all(messages.map((m) => status(m.id)))).every((s) => s === 'delivered'), 20_000);

      for (const [partner, code] of [['agency-a', 'AGENCY-A'], ['agency-b', 'AGENCY-B']] as const) {
        const received = (await (await fetch(`${sims.get(partner)}/_sim/received`)).json()) as ReceivedMessage[];
        // Its own document only: the message logged for it, addressed with its own code (as the partners file gives it), CMS-verified by its simulator.
        expect(received.map((r) => r.messageId)).toEqual(messages.filter((m) => m.partner === partner).map((m) => m.id));
        expect(received[0]).toMatchObject({ valid: true, problems: [] });
        expect(JSON.parse(received[0]?.document ?? '{}')).toEqual({ recipient: code, notice: { receipt: receipt.receiptNumber, total: receipt.total, currency: receipt.currency } });
      }
    } finally {
      const exited = child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : Promise.resolve();
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('changed no file under src/: the copy is byte for byte the project', () => {
    expect(treeHashes(join(copy, 'src'))).toEqual(treeHashes(join(ROOT, 'src')));
  });
});
