// Runs the openssl command line as an independent oracle, with its inputs written to files of a temporary folder.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/** What openssl did: its exit status, its output and its messages. */
export interface OpensslRun {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** An openssl runner whose inputs go to fresh files in `dir()` (a function, so the folder may be made in beforeAll). */
export function opensslIn(dir: () => string): { file(bytes: Buffer): string; openssl(args: string[]): OpensslRun } {
  let counter = 0;
  return {
    /** Writes bytes to a fresh file in the folder and returns its path. */
    file(bytes) {
      const path = join(dir(), `f-${++counter}.bin`);
      writeFileSync(path, bytes);
      return path;
    },
    /** Runs openssl; a binary that did not run must not count as "openssl refused it". */
    openssl(args) {
      const run = spawnSync('openssl', args);
      expect(run.error, 'openssl could not be run').toBeUndefined();
      return { status: run.status, stdout: run.stdout, stderr: run.stderr.toString() };
    },
  };
}
