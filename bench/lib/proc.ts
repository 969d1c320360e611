/**
 * What a process used, read from Linux's /proc: CPU time (user + system, all threads) and
 * peak resident memory. Benchmarks sample these before and after a load.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** Clock ticks per second (USER_HZ), the unit of the CPU times in /proc/PID/stat. */
export const TICKS_PER_SECOND = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU ticks in a /proc/PID/stat line: utime + stime, plus cutime + cstime (children that
 * ended and were waited for) when `withChildren`. The command name may hold spaces and
 * parentheses, so fields are counted after its closing parenthesis.
 */
export function cpuTicksFromStat(stat: string, withChildren = false): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after "(comm) ": state is [0]; utime [11], stime [12], cutime [13], cstime [14].
  const own = Number(fields[11]) + Number(fields[12]);
  return withChildren ? own + Number(fields[13]) + Number(fields[14]) : own;
}

/** CPU seconds a process has used so far. */
export function cpuSeconds(pid: number): number {
  return cpuTicksFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) / TICKS_PER_SECOND;
}

/** A `Name:   123 kB` field of /proc/PID/status, in bytes. */
export function statusBytes(status: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** Peak resident set size (VmHWM) since the process started or since `resetPeakRss`. */
export function peakRssBytes(pid: number): number {
  return statusBytes(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmHWM') ?? 0;
}

/**
 * Resets the peak RSS to the current RSS (Linux 4.0+: `5` into /proc/PID/clear_refs), so
 * the next reading is the peak of what follows. False when the kernel refused.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
