// The embedded log's durability, judged by the kernel's own record: under strace, every accepted record is answered only after an fsync of the write-ahead log that began after its commit wrote it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout } from '../support/external-tool.js';
import { ROOT } from '../support/project.js';
import { readSyscallTrace, type Syscall } from '../support/syscall-trace.js';

const BURSTS = 4;
const BURST = 16;
const skip = skipWithout('WAL sync oracle (strace)', { tools: ['strace'] });
const dir = mkdtempSync(join(tmpdir(), 'gw-wal-oracle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the durable writer under strace and returns its system calls. */
function traceWriter(): { calls: Syscall[]; database: string } {
  const database = join(dir, 'log', 'messages.db');
  const trace = join(dir, 'trace.txt');
  const run = spawnSync(
    'strace',
    ['-f', '-y', '-qq', '-e', 'trace=write,pwrite64,fsync,fdatasync', '-o', trace, process.execPath, '--import', 'tsx', join(ROOT, 'test', 'support', 'durable-writer.ts'), database, String(BURSTS), String(BURST)],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
  );
  if (run.status !== 0) throw new Error(`the traced writer failed (${String(run.status)}): ${run.stderr}`);
  return { calls: readSyscallTrace(trace), database };
}

/** The record number a marker write names (`commit 7`, `ack 7`, `taken 7`), if the call is one. */
function marker(call: Syscall, kind: 'commit' | 'ack' | 'taken'): number | undefined {
  const match = new RegExp(`^2(<[^>]*>)?, "${kind} (\\d+)\\\\n"`).exec(call.args);
  return call.name === 'write' && match ? Number(match[2]) : undefined;
}

/** Whether the call is any marker write (`take` included), which ends a commit's writes. */
function anyMarker(call: Syscall): boolean {
  return call.name === 'write' && /^2(<[^>]*>)?, "(commit|ack|take|taken)\b/.test(call.args);
}

describe.skipIf(skip)('accepting into the SQLite log, under strace', () => {
  let calls: Syscall[] = [];
  let database = '';
  let main = 0;
  let commits: Syscall[] = [];
  let acks = new Map<number, Syscall>();
  let taken = new Map<number, Syscall>();
  let syncs: Syscall[] = [];
  const onLog = (c: Syscall): boolean => /^\d+</.test(c.args) && c.args.includes(`<${database}-wal>`);

  beforeAll(() => {
    ({ calls, database } = traceWriter());
    commits = calls.filter((c) => marker(c, 'commit') !== undefined);
    main = commits[0]!.tid;
    acks = new Map(calls.filter((c) => marker(c, 'ack') !== undefined).map((c) => [marker(c, 'ack')!, c]));
    taken = new Map(calls.filter((c) => marker(c, 'taken') !== undefined).map((c) => [marker(c, 'taken')!, c]));
    syncs = calls.filter((c) => c.name === 'fsync' && onLog(c) && c.tid !== main);
  });

  /** The exit of the last write to the log the commit of record n made: its thread's log writes after its marker, before the thread's next marker. */
  function lastLogWrite(n: number): number | undefined {
    const from = commits.find((c) => marker(c, 'commit') === n)!;
    let last: number | undefined;
    for (const call of calls) {
      if (call.entry <= from.entry || call.tid !== main) continue;
      if (anyMarker(call)) break;
      if (call.name === 'pwrite64' && onLog(call)) last = call.exit;
    }
    return last;
  }

  it('answers every record only after a sync of the log begun after its commit wrote it', () => {
    expect(commits).toHaveLength(BURSTS * BURST);
    expect(acks.size).toBe(BURSTS * BURST);
    for (let n = 1; n <= BURSTS * BURST; n += 1) {
      const written = lastLogWrite(n);
      expect(written, `record ${n}'s commit wrote the log`).toBeDefined();
      const ack = acks.get(n)!;
      const covering = syncs.find((s) => s.entry > written! && s.exit < ack.entry);
      expect(covering, `record ${n} (log written at trace line ${written! + 1}, answered at line ${ack.entry + 1}) had a sync between`).toBeDefined();
    }
  });

  it('hands a message out for delivery only after a sync of the log begun after its accept wrote it', () => {
    expect(taken.size).toBe(BURSTS * BURST);
    for (const [n, handedOut] of taken) {
      const written = lastLogWrite(n)!;
      const covering = syncs.find((s) => s.entry > written && s.exit < handedOut.entry);
      expect(covering, `record ${n} (log written at trace line ${written + 1}, handed out at line ${handedOut.entry + 1}) had a sync between`).toBeDefined();
    }
  });

  it('syncs off the thread that commits, one sync shared by the commits of a burst', () => {
    const onMain = calls.filter((c) => c.tid === main && (c.name === 'fsync' || c.name === 'fdatasync') && onLog(c) && c.entry > commits[0]!.entry && c.entry < Math.max(...[...acks.values()].map((a) => a.entry)));
    // SQLite syncs a restarted log's header itself, even at NORMAL; at FULL it would sync once per commit.
    expect(onMain.length).toBeLessThan(commits.length / 8);
    // A burst made at once: the first commit begins a sync before the others are made, the others share the one after it.
    for (let burst = 0; burst < BURSTS; burst += 2) {
      const numbers = Array.from({ length: BURST }, (_, i) => burst * BURST + i + 1);
      const from = commits.find((c) => marker(c, 'commit') === numbers[0])!.entry;
      const to = Math.max(...numbers.map((n) => acks.get(n)!.entry));
      const during = syncs.filter((s) => s.entry > from && s.entry < to);
      expect(during.length, `syncs for burst ${burst + 1}`).toBeGreaterThan(0);
      expect(during.length, `syncs for burst ${burst + 1}`).toBeLessThanOrEqual(2);
    }
  });

  it("syncs the log's folder before the first answer, so the log file's name survives a power cut", () => {
    const first = Math.min(...[...acks.values()].map((a) => a.entry));
    const folder = calls.find((c) => c.name === 'fsync' && c.tid !== main && c.args.includes(`<${dirname(database)}>`));
    expect(folder).toBeDefined();
    expect(folder!.exit).toBeLessThan(first);
  });
});
