// Runs `gateway simulate` as a separate process (the partners live elsewhere), and reads what each simulator received.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ReceivedMessage } from '../../src/sim/partner-simulator.js';
import { ROOT } from './project.js';

/** The simulators' process and their URLs by partner. */
export interface SimulatorProcess {
  child: ChildProcess;
  urls: Map<string, string>;
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
      if (!line) return;
      const urls = new Map(line.split(', ').map((entry) => entry.split(' ') as [string, string]));
      resolve({
        child,
        urls,
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
