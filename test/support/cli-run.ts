// Runs a `gateway` command in a child process without blocking the test's event loop (simulators in the test process keep answering meanwhile).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './project.js';

/** How a command ended: exit status (null when killed) and what it printed. */
export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `gateway <args>` from the sources with this environment added to the test's own. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}
