/**
 * The processes a benchmark measures, started as a user would start them, optionally
 * pinned to cores (taskset), and stopped at the end. Every process started here is killed
 * if the benchmark exits early.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface Started {
  readonly name: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Cores to pin the process to (taskset -c), or undefined for no pinning. */
  readonly cpus?: string | undefined;
  /** A URL that answers (any status) once the process is ready. */
  readonly readyUrl: string;
}

/** Starts `node ARGS`, its output discarded, and waits until `readyUrl` answers. */
export async function startNode(options: StartOptions): Promise<Started> {
  const node = [process.execPath, ...options.args];
  const [command, ...args] = options.cpus ? ['taskset', '-c', options.cpus, ...node] : node;
  const child = spawn(command!, args, {
    env: options.env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );
  const stop = async () => {
    if (!live.has(child)) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilAnswering(options.readyUrl, () => !live.has(child));
  } catch (err) {
    await stop();
    throw new Error(`${options.name} did not start: ${(err as Error).message}\n${stderr}`);
  }
  return { name: options.name, pid: child.pid!, stop };
}

async function waitUntilAnswering(url: string, gone: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone()) throw new Error('it exited');
    if (await answers(url)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.once('error', () => resolve(false));
    req.setTimeout(1000, () => req.destroy());
  });
}

/** A loopback port free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
