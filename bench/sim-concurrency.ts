/**
 * How cheap is one simulated engine under many concurrent streams?
 *
 *   npm run build && node dist/bench/sim-concurrency.js [streams=500] [tokens=200] [time-scale=1]
 *
 * Starts a real `switchyard sim` (max-num-seqs = streams, so all run at once), opens
 * `streams` streaming chat completions of `tokens` tokens each, and reports the wall
 * time, the chunks received, the mean request latency the engine's latency model computed,
 * and the CPU time the sim process used (from /proc, Linux).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [streams = 500, tokens = 200, timeScale = 1] = process.argv.slice(2).map(Number);
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
}

const child = spawn(
  process.execPath,
  [
    CLI,
    'sim',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--max-num-seqs',
    String(streams),
    '--time-scale',
    String(timeScale),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SWITCHYARD_LOG_LEVEL: 'info' } },
);
const port = await new Promise<number>((resolve, reject) => {
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    const m = /"port":(\d+)/.exec(out);
    if (m) resolve(Number(m[1]));
  });
  child.once('exit', () => reject(new Error(`sim exited:\n${out}`)));
});

async function stream(i: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({
      model: 'Qwen/Qwen3-8B',
      messages: [{ role: 'user', content: `stream ${i}` }],
      max_tokens: tokens,
      stream: true,
    }),
  });
  const text = await res.text();
  return text.split('\n\n').filter((e) => e.startsWith('data: {')).length;
}

const cpuBefore = cpuSeconds(child.pid!);
const started = performance.now();
const chunks = (await Promise.all(Array.from({ length: streams }, (_, i) => stream(i)))).reduce(
  (a, b) => a + b,
  0,
);
const wallSeconds = (performance.now() - started) / 1000;
const cpu = cpuSeconds(child.pid!) - cpuBefore;
const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
const read = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1]);
child.kill('SIGTERM');

console.log(
  JSON.stringify({
    streams,
    tokensPerStream: tokens,
    timeScale,
    chunksReceived: chunks,
    wallSeconds: Number(wallSeconds.toFixed(2)),
    // What the latency model says the slowest and the mean request took (engine time x time scale).
    modelMeanE2eSeconds: Number(
      (
        (read('vllm:e2e_request_latency_seconds_sum') / read('vllm:e2e_request_latency_seconds_count')) *
        timeScale
      ).toFixed(2),
    ),
    simCpuSeconds: Number(cpu.toFixed(2)),
    simCpuPercentOfOneCore: Number(((cpu / wallSeconds) * 100).toFixed(1)),
  }),
);
