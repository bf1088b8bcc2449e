// Runs `gateway simulate` as a separate process (the partners live elsewhere), and reads what each simulator received.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ReceivedMessage } from '../../src/sim/partner-simulator.js';
import { ROOT } from './project.js';

/** The simulators' process and their URLs by partner. */
export interface SimulatorProcess {
  child: ChildProcess;
  /** Each simulator's base URL (its /_sim controls live there). */
  urls: Map<string, string>;
  /** The variables pointing a gateway at them, as `gateway simulate` prints them (services at their own paths included). */
  env: Record<string, string>;
  /** What a partner's simulator has received so far (its /_sim/received list). */
  received(partner: string): Promise<ReceivedMessage[]>;
  stop(): Promise<void>;
}

/** Starts the simulators with the development certificates in `certsDir`. */
export function startSimulatorProcess(certsDir: string): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'simulate'], {
    cwd: ROOT,
    env: { ...process.env, GATEWAY_CERTS_DIR: certsDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = /simulators ready: (.*)\n/.exec(out)?.[1];
      const envLine = /simulator environment: (.*)\n/.exec(out)?.[1];
      if (!line || envLine === undefined) return;
      const urls = new Map(line.split(', ').map((entry) => entry.split(' ') as [string, string]));
      const env = Object.fromEntries(envLine.split(' ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
      resolve({
        child,
        urls,
        env,
        async received(partner) {
          return (await (await fetch(`${urls.get(partner)}/_sim/received`)).json()) as ReceivedMessage[];
        },
        async stop() {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
    void exited.then(() => reject(new Error(`simulators exited before they were ready: ${out}`)));
  });
}
