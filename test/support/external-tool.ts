// Decides whether an integration test that needs an external program runs: skipped with a reason locally, required in CI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** True when `name` runs on this machine (openssl takes `version`, the others `--version`). */
function installed(name: string): boolean {
  return spawnSync(name, [name === 'openssl' ? 'version' : '--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Returns true when the suite must be skipped because a prerequisite is missing, and says so.
 * In CI (`CI=true`) nothing may be skipped: a missing prerequisite throws, failing the suite.
 * @param needs external programs and files the suite uses
 */
export function skipWithout(suite: string, needs: { tools?: string[]; files?: string[] }): boolean {
  const missing = [
    ...(needs.tools ?? []).filter((t) => !installed(t)).map((t) => `program ${t}`),
    ...(needs.files ?? []).filter((f) => !existsSync(f)).map((f) => `file ${f}`),
  ];
  if (missing.length === 0) return false;
  const reason = `${suite}: missing ${missing.join(', ')}`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI must run every test; .ci/run installs the prerequisites)`);
  console.warn(`SKIPPED ${reason}`);
  return true;
}
