// Opens an evidence export the way an auditor's tools would: Info-ZIP's unzip, sha256 of each file, and openssl's CMS verification of the manifest.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An unpacked export whose manifest verified. */
export interface OpenedEvidence {
  /** Where it was unpacked. */
  dir: string;
  manifest: { actor: string; messages: string[]; files: Array<{ path: string; size: number; sha256: string }> };
}

/**
 * Unpacks `zip` with unzip, verifies `manifest.json.p7s` over `manifest.json` with `openssl cms -verify`
 * trusting `caFile` only, and checks each listed file's size and SHA-256.
 * @throws Error naming the first check that failed
 */
export function openEvidence(zip: Buffer, caFile: string): OpenedEvidence {
  const work = mkdtempSync(join(tmpdir(), 'gw-evidence-'));
  writeFileSync(join(work, 'export.zip'), zip);
  execFileSync('unzip', ['-q', 'export.zip', '-d', 'x'], { cwd: work });
  const dir = join(work, 'x');
  execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'manifest.json.p7s', '-content', 'manifest.json', '-purpose', 'any', '-CAfile', caFile, '-out', join(work, 'verified.json')], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  if (!readFileSync(join(work, 'verified.json')).equals(readFileSync(join(dir, 'manifest.json')))) throw new Error('openssl verified other bytes than manifest.json');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as OpenedEvidence['manifest'];
  for (const f of manifest.files) {
    const bytes = readFileSync(join(dir, f.path));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== f.size || sha256 !== f.sha256) throw new Error(`${f.path} is not the file the manifest lists`);
  }
  return { dir, manifest };
}
