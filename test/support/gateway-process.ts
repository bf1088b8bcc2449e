// Runs `gateway serve` as a separate process, as an operator would, and finds its URL in the "gateway ready" line.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_PARTNERS, ROOT } from './project.js';
import type { PartnerSimulator } from '../../src/sim/partner-simulator.js';
import { simulatorEnvironment } from '../../src/sim/simulator-environment.js';

/** A gateway process and its API URL. */
export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  /** The inbound listener's URL, when it runs. */
  inboundUrl: string | undefined;
  /** Everything it printed on stdout so far. */
  output(): string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<number | string | null>;
}

/**
 * Environment of a gateway whose partners are simulators running outside it (so they outlive a
 * killed gateway): its own data folder, the shared certificates, a test token, fast retries.
 */
export function externalSimulatorsEnv(options: { dataDir: string; certsDir: string; token: string; simulators: ReadonlyMap<string, PartnerSimulator>; leaseMs: number; partners?: readonly string[] }): Record<string, string> {
  return {
    GATEWAY_DATA_DIR: options.dataDir,
    GATEWAY_CERTS_DIR: options.certsDir,
    GATEWAY_PORT: '0',
    GATEWAY_INBOUND_PORT: '0',
    GATEWAY_TOKENS: `${options.token}:cais,admin,auditor`,
    GATEWAY_SIMULATORS: 'off',
    ...simulatorEnvironment((options.partners ?? PROJECT_PARTNERS).map((partner) => options.simulators.get(partner)!)),
    GATEWAY_RETRY_DELAY_SCALE: '0.001',
    // Simulators outside the gateway cannot push a member's signals to it: the transactions' times are long, so no repeat starts within a test.
    GATEWAY_TRANSACTION_TIME_SCALE: '10',
    GATEWAY_LEASE_MS: String(options.leaseMs),
  };
}

/** Starts `src/cli.ts serve` with `env` added to this process's environment, and `nodeArgs` (such as --cpu-prof) given to node. */
export function startGatewayProcess(env: Record<string, string>, cwd: string = ROOT, nodeArgs: readonly string[] = []): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'serve'], {
    cwd,
    env: { ...process.env, GATEWAY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Chunks joined only when asked: scanning or flattening all output at every chunk costs the process
  // that reads it (a benchmark's load generator) time quadratic in the output's length.
  const chunks: Buffer[] = [];
  const output = (): string => Buffer.concat(chunks).toString();
  let ready = false;
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (ready) return;
      const out = output();
      const m = /gateway ready: api (http:\/\/\S+)/.exec(out);
      const inbound = /gateway ready: .* inbound (https:\/\/\S+)/.exec(out)?.[1];
      if (!m?.[1]) return;
      ready = true;
      resolve({ child, url: m[1], inboundUrl: inbound, output, exited });
    });
    void exited.then((code) => reject(new Error(`gateway exited (${String(code)}) before it was ready: ${output()}`)));
  });
}

/** Polls `check` every 50 ms until it is true, for at most `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
