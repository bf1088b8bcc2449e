// The `gateway translate` command end to end: files in, one document per partner out, refusals reported with pointers.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createXmlVerifier } from '../../src/security/xml-verifier.js';
import { configWithTempKeys, RECORD_FIXTURES, ROOT } from '../support/project.js';

const config = configWithTempKeys();
const work = mkdtempSync(join(tmpdir(), 'gw-cli-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(config.certsDir, { recursive: true, force: true });
});

function gateway(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, GATEWAY_CERTS_DIR: config.certsDir },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const termination = JSON.parse(readFileSync(join(RECORD_FIXTURES, 'tir.termination.json'), 'utf8')) as Record<string, unknown>;

describe('gateway translate', () => {
  const out = join(work, 'out');
  const batch = join(work, 'batch.json');
  const invalid = { ...termination, recordId: 'KZ-TT-BAD', voletPage: 5, carnetNumber: 'XA12345678', remarks: 'x'.repeat(127) };
  const other = { ...termination, recordId: 'KZ-TT-2026-000200', departureCountry: 'KGZ' };
  writeFileSync(batch, JSON.stringify([termination, invalid, other]));
  const movement = join(RECORD_FIXTURES, 'transit.movement.json');
  const result = gateway(['translate', batch, movement, '--out', out]);

  it('exits non-zero because one record was refused', () => {
    expect(result.status).toBe(1);
  });

  it('writes each valid record to every partner its mappings route it to, one line per document', () => {
    expect(readdirSync(out).sort()).toEqual([
      'KZ-TM-2026-000871.eaeu-ru.p-cp-01-msg-010.xml',
      'KZ-TT-2026-000123.eaeu-ru.p-cp-01-msg-010.xml',
      'KZ-TT-2026-000123.iru-safetir.safetir-upload.xml',
      'KZ-TT-2026-000200.eaeu-kg.p-cp-01-msg-010.xml',
      'KZ-TT-2026-000200.iru-safetir.safetir-upload.xml',
    ]);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.find((line) => line.includes(' -> iru-safetir/'))).toMatch(/^KZ-TT-2026-000123 -> iru-safetir\/safetir-upload .* unsigned sha256=[0-9a-f]{64} mapping=iru-safetir.safetir-upload@2$/);
  });

  it('writes nothing for the invalid record and names every violation with its pointer and code', () => {
    expect(existsSync(join(out, 'KZ-TT-BAD.iru-safetir.safetir-upload.xml'))).toBe(false);
    for (const pointer of ['/voletPage', '/carnetNumber', '/remarks']) {
      expect(result.stderr).toMatch(new RegExp(`batch\\.json#1 \\(KZ-TT-BAD\\): GW_ERR_RECORD_INVALID ${pointer} `));
    }
    expect(result.stderr).toContain('5 document(s) written, 1 record(s) refused');
  });

  it('signs the EAEU envelope to Russia so the gateway key verifies it (signature in the Header), and the SafeTIR document is the record', () => {
    const cert = new X509Certificate(readFileSync(config.signingCertFile));
    const verifier = createXmlVerifier(() => [cert.publicKey], undefined, () => 'soap-header');
    const signed = verifier.verify(readFileSync(join(out, 'KZ-TT-2026-000123.eaeu-ru.p-cp-01-msg-010.xml')), 'gateway');
    const carnet = /<(?:\w+:)?TIRCarnetIdDetails\b[^>]*>([\s\S]*?)<\/(?:\w+:)?TIRCarnetIdDetails>/.exec(signed.xml)?.[1] ?? '';
    expect(carnet.replace(/<[^>]+>/g, ' ').trim().split(/\s+/).slice(0, 2)).toEqual(['DX', '25123456']);
    const safetir = readFileSync(join(out, 'KZ-TT-2026-000123.iru-safetir.safetir-upload.xml'), 'utf8');
    expect(safetir).toContain('TNO="DX25123456"');
    expect(safetir).not.toContain('ds:Signature');
  });

  it('refuses unreadable input and a record of an unknown type with their codes', () => {
    const broken = join(work, 'broken.json');
    writeFileSync(broken, '{"type": "tir.termination", ');
    const unknown = join(work, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ type: 'tir.teleportation', recordId: 'X1', version: 1 }));
    const r = gateway(['translate', broken, unknown, '--out', join(work, 'out2')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/broken\.json: GW_ERR_RECORD_UNREADABLE/);
    expect(r.stderr).toMatch(/unknown\.json \(X1\): GW_ERR_RECORD_TYPE_UNKNOWN \/type/);
  });

  it('stops with status 2 and the file to fix when the signing key is missing', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'translate', batch, '--out', join(work, 'out3')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, GATEWAY_CERTS_DIR: join(work, 'no-such-dir') },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/GW_ERR_KEY_UNAVAILABLE: .*no-such-dir.*gateway certs init/);
  });
});
