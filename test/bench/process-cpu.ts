// CPU time of benchmark child processes, all their threads, from /proc: what a system under test spent, beside what it delivered.
import { readFile } from 'node:fs/promises';

/** CPU time of a process so far (utime + stime of /proc/<pid>/stat, in clock ticks of 10 ms). */
export async function processCpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time of several processes together. */
export async function totalCpuMs(pids: readonly number[]): Promise<number> {
  return (await Promise.all(pids.map(processCpuMs))).reduce((sum, ms) => sum + ms, 0);
}
