// xmlsec1 as an independent oracle: verifies an enveloped XMLDSig document with one pinned certificate, nothing embedded trusted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What xmlsec1 said: its exit status (0 verified) and everything it printed. */
export interface Xmlsec1Verdict {
  status: number | null;
  output: string;
}

/**
 * Runs `xmlsec1 --verify` on `document` with `certFile` as the only key, embedded key material
 * ignored and only `URI=""` references allowed.
 * @throws Error when the program could not be run at all (never counted as a rejection)
 */
export function xmlsec1Verify(document: Buffer, certFile: string): Xmlsec1Verdict {
  const dir = mkdtempSync(join(tmpdir(), 'gw-xmlsec1-'));
  try {
    const file = join(dir, 'document.xml');
    writeFileSync(file, document);
    const run = spawnSync('xmlsec1', ['--verify', '--pubkey-cert-pem', certFile, '--enabled-key-data', 'key-name', '--enabled-reference-uris', 'empty', file], { encoding: 'utf8' });
    if (run.error) throw run.error;
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
