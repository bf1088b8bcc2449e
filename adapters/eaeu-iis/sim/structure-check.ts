// Validates EEC documents against their schemas in the version matrix with xmllint, the member gateway's structural control (Decision 5 §114, §118), in batches after the 202.
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { StructureVersion } from '../process-table.js';

/** Checks a document (its bytes) against a structure's schema: every problem xmllint reports; none when valid. */
export type StructureCheck = (structure: StructureVersion, document: Buffer) => Promise<string[]>;

/** Where the EEC data-model schemas our reconstructed ones import live: the shared reference folder beside the project. */
export function defaultDataModelDir(schemasDir: string): string {
  return resolve(dirname(schemasDir), '..', 'shared', 'reference', 'eaeu', 'eec-r048');
}

/** True when xmllint runs here. */
function xmllintRuns(): boolean {
  return spawnSync('xmllint', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Documents waiting for one schema, each with the settling of its check. */
interface Batch {
  schema: string;
  waiting: Array<{ document: Buffer; settle(problems: string[]): void; fail(err: Error): void }>;
}

/** xmllint's lines about one file of a run, without the file name: its problems, or none when it validates. */
function problemsOf(output: string, file: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith(`${file}:`) || line.startsWith(`${file} `))
    .map((line) => line.slice(file.length).replace(/^:\d+: /, '').trim())
    .filter((line) => line && line !== 'validates' && line !== 'fails to validate');
}

/**
 * A checker over `schemasDir/partners/eaeu-iis/xsd/` with the EEC data model (EEC_M_*.xsd) from
 * `dataModelDir`, or undefined (with the reason) when xmllint or the data model is missing: then only
 * the envelope and signature are checked, which the caller must say. Compiling the data model costs
 * xmllint far more than a document does, so documents that arrive while a run is on wait for the next
 * one, which checks them all (one run at a time per schema).
 */
export function structureCheck(schemasDir: string, dataModelDir: string): { check: StructureCheck; close(): void } | { missing: string } {
  if (!existsSync(join(dataModelDir, 'EEC_M_ComplexDataObjects_v0.4.14.xsd'))) return { missing: `the EEC data-model schemas are not in ${dataModelDir}` };
  if (!xmllintRuns()) return { missing: 'xmllint (Debian libxml2-utils) is not installed' };
  const dir = mkdtempSync(join(tmpdir(), 'gw-eec-xsd-'));
  const ours = join(schemasDir, 'partners', 'eaeu-iis', 'xsd');
  for (const file of readdirSync(ours).filter((f) => f.endsWith('.xsd'))) copyFileSync(join(ours, file), join(dir, file));
  symlinkSync(dataModelDir, join(dir, 'eec-r048'));
  const pending = new Map<string, Batch>();
  const running = new Set<string>();
  let runs = 0;
  let closed = false;

  function run(schema: string): void {
    const batch = pending.get(schema);
    if (!batch || running.has(schema)) return;
    pending.delete(schema);
    if (closed) {
      for (const w of batch.waiting) w.fail(new Error('the structural control stopped with the simulator'));
      return;
    }
    running.add(schema);
    const files = batch.waiting.map((w, i) => {
      const file = join(dir, `doc-${++runs}-${i}.xml`);
      writeFileSync(file, w.document);
      return file;
    });
    execFile('xmllint', ['--noout', '--schema', join(dir, schema), ...files], { maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
      running.delete(schema);
      for (const file of files) rmSync(file, { force: true });
      const exitCode = err && typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 0;
      // xmllint exits 3 (or 4) when a document does not validate; anything else is a failed run.
      if (err && exitCode !== 3 && exitCode !== 4) for (const w of batch.waiting) w.fail(err);
      else batch.waiting.forEach((w, i) => w.settle(problemsOf(stderr, files[i]!)));
      run(schema);
    });
  }

  return {
    check(structure, document) {
      return new Promise((settle, fail) => {
        const batch = pending.get(structure.schema) ?? { schema: structure.schema, waiting: [] };
        batch.waiting.push({ document, settle, fail });
        pending.set(structure.schema, batch);
        run(structure.schema);
      });
    },
    close() {
      closed = true;
      for (const schema of [...pending.keys()]) run(schema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
