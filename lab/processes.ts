/**
 * The lab's processes: each started detached in its own process group with its output in
 * one log file, recorded (pid and start time) in `<run-dir>/lab.json` as soon as it is
 * spawned, so `npm run lab:stop` finds it even if the runner died. A process is stopped
 * only when the recorded pid still belongs to the process that was started. (The runner
 * killed in the millisecond between one spawn and its record would leave that one
 * process unrecorded; no pid exists before the spawn to write down earlier.)
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RecordedProcess {
  readonly name: string;
  readonly pid: number;
  /** `/proc/<pid>/stat` start time, to tell our process from a later one with the same pid. */
  readonly startTicks?: string;
  readonly command: string;
  readonly log: string;
}

export interface LabState {
  readonly repo: string;
  readonly startedAt: string;
  readonly processes: RecordedProcess[];
  /** Filled in once everything is up: what the runner printed. */
  urls?: Record<string, string>;
  ports?: Record<string, number>;
}

export const STATE_FILE = 'lab.json';

export function readState(runDir: string): LabState | undefined {
  const file = join(runDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as LabState;
}

/** Written atomically: a crash mid-write never leaves a state file that cannot be read. */
export function writeState(runDir: string, state: LabState): void {
  const file = join(runDir, STATE_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function removeState(runDir: string): void {
  rmSync(join(runDir, STATE_FILE), { force: true });
}

export interface StartSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly log: string;
}

/** Starts `spec` detached (its own process group), output appended to its log file. */
export function startDetached(spec: StartSpec): RecordedProcess {
  const fd = openSync(spec.log, 'a');
  try {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    child.unref();
    const ticks = startTicks(child.pid);
    return {
      name: spec.name,
      pid: child.pid,
      ...(ticks ? { startTicks: ticks } : {}),
      command: [spec.command, ...spec.args].join(' '),
      log: spec.log,
    };
  } finally {
    closeSync(fd);
  }
}

/** True while the recorded process runs (same pid and, on Linux, same start time). */
export function isOurs(proc: RecordedProcess): boolean {
  if (!alive(proc.pid)) return false;
  if (!proc.startTicks) return true;
  return startTicks(proc.pid) === proc.startTicks;
}

/**
 * Stops one recorded process: SIGTERM to its process group, SIGKILL after `graceMs`.
 * Resolves with what happened, for the report.
 */
export async function stopProcess(
  proc: RecordedProcess,
  graceMs = 15_000,
): Promise<'stopped' | 'killed' | 'gone'> {
  if (!isOurs(proc)) return 'gone';
  signalGroup(proc.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurs(proc)) return 'stopped';
    await new Promise((r) => setTimeout(r, 100));
  }
  signalGroup(proc.pid, 'SIGKILL');
  return 'killed';
}

/** The process group first (it holds the wrappers' children), else the process alone. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped by its parent) counts as gone.
  const stat = procStat(pid);
  return stat === undefined || stat[2] !== 'Z';
}

function startTicks(pid: number): string | undefined {
  return procStat(pid)?.[21];
}

/** The fields of `/proc/<pid>/stat` (undefined where there is no /proc). */
function procStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces.
    const close = text.lastIndexOf(')');
    return [
      text.slice(0, text.indexOf(' ')),
      text.slice(text.indexOf('(') + 1, close),
      ...text.slice(close + 2).split(' '),
    ];
  } catch {
    return undefined;
  }
}
