// Reads an `strace -f -y -o` trace into syscalls with the positions of their entry and exit, so a test can check what happened before what across threads.
import { readFileSync } from 'node:fs';

/** One system call: which thread made it, its arguments as printed, and the trace lines of its entry and its exit. */
export interface Syscall {
  tid: number;
  name: string;
  args: string;
  entry: number;
  exit: number;
}

const CALL = /^(\d+)\s+(\w+)\((.*)$/;
const RESUMED = /^(\d+)\s+<\.\.\. (\w+) resumed>/;

/**
 * The calls of a trace in the order they were entered. A call another thread interrupted is printed
 * `<unfinished ...>` and later `<... name resumed>`; its exit is the position of the second line.
 * strace stops a thread at each entry and exit until it has printed it, so a call one thread made
 * because of another's (a wake-up after an fsync) is printed after it.
 */
export function readSyscallTrace(file: string): Syscall[] {
  const calls: Syscall[] = [];
  const open = new Map<number, Syscall>();
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, at) => {
      const resumed = RESUMED.exec(line);
      if (resumed) {
        const call = open.get(Number(resumed[1]));
        if (call && call.name === resumed[2]) call.exit = at;
        open.delete(Number(resumed[1]));
        return;
      }
      const match = CALL.exec(line);
      if (!match) return;
      const call = { tid: Number(match[1]), name: match[2]!, args: match[3]!, entry: at, exit: at };
      calls.push(call);
      if (line.endsWith('<unfinished ...>')) open.set(call.tid, call);
    });
  return calls;
}
