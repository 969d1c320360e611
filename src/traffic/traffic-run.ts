/**
 * Runs the traffic generator: jobs from the seeded mix arrive as a Poisson process at
 * `rate` per second (a conversation is one arrival and several requests), at most
 * `concurrency` at a time, until `durationMs` has passed or `count` requests were sent.
 * Reports progress every `reportEveryMs` and a summary at the end.
 */
import { performance } from 'node:perf_hooks';
import { Seeded } from '../bench/seeded.js';
import type { ChatMessage } from '../bench/workloads.js';
import { requestFor, send, type TrafficTarget } from './traffic-client.js';
import { type Job, type MixOptions, TrafficMix } from './traffic-mix.js';

export interface TrafficOptions extends MixOptions {
  readonly target: TrafficTarget;
  /** New jobs per second. */
  readonly rate: number;
  /** 0: no time limit. */
  readonly durationMs: number;
  /** Requests to send; 0: no limit. */
  readonly count: number;
  readonly concurrency: number;
  /** Multiplies the conversations' think times between turns (1: as the workload says). */
  readonly thinkScale: number;
  readonly reportEveryMs: number;
  /** Aborting stops new jobs and cuts the requests in flight. */
  readonly signal: AbortSignal;
  readonly report: (line: TrafficReport) => void;
}

export interface TrafficReport {
  readonly elapsedS: number;
  readonly sent: number;
  readonly inFlight: number;
  /** Answers by HTTP status (`0`: no answer: connection refused, reset, aborted). */
  readonly statuses: Readonly<Record<string, number>>;
  readonly byKind: Readonly<Record<string, number>>;
  readonly streamErrors: number;
  readonly done: boolean;
}

export async function runTraffic(options: TrafficOptions): Promise<TrafficReport> {
  const mix = new TrafficMix(options);
  const arrivals = new Seeded(options.seed + 1);
  const started = performance.now();
  const statuses: Record<string, number> = {};
  const byKind: Record<string, number> = {};
  let sent = 0;
  let inFlight = 0;
  let streamErrors = 0;
  const running = new Set<Promise<void>>();
  // Ends think times once no new job may start; requests in flight still finish.
  const stopping = new AbortController();
  const pause = AbortSignal.any([options.signal, stopping.signal]);

  const over = () =>
    options.signal.aborted ||
    (options.count > 0 && sent >= options.count) ||
    (options.durationMs > 0 && performance.now() - started >= options.durationMs);
  const snapshot = (done: boolean): TrafficReport => ({
    elapsedS: Math.round((performance.now() - started) / 100) / 10,
    sent,
    inFlight,
    statuses: { ...statuses },
    byKind: { ...byKind },
    streamErrors,
    done,
  });

  /** Sends one request of `job`; false when the job should stop (bound reached, failure). */
  const one = async (job: Job, history: ChatMessage[], maxTokens: number): Promise<string | undefined> => {
    if (over()) return undefined;
    sent++;
    inFlight++;
    byKind[job.kind] = (byKind[job.kind] ?? 0) + 1;
    const outcome = await send(
      options.target.url,
      requestFor(job, options.target, history, maxTokens),
      options.signal,
    );
    inFlight--;
    statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
    if (outcome.error && outcome.status === 200) streamErrors++;
    return outcome.status === 200 && !outcome.error ? outcome.answer : undefined;
  };

  const runJob = async (job: Job) => {
    const history: ChatMessage[] = job.flow.system ? [{ role: 'system', content: job.flow.system }] : [];
    const turns = job.kind === 'conversation' ? job.flow.turns : job.flow.turns.slice(0, 1);
    for (const [i, turn] of turns.entries()) {
      if (i > 0) await sleep(turn.thinkMs * options.thinkScale, pause);
      history.push({ role: 'user', content: turn.user });
      const answer = await one(job, [...history], turn.maxTokens);
      if (answer === undefined) return; // a conversation cannot go on without its answer
      history.push({ role: 'assistant', content: answer });
    }
  };

  const reporter = setInterval(() => options.report(snapshot(false)), options.reportEveryMs);
  try {
    while (!over()) {
      if (running.size >= options.concurrency) {
        await Promise.race(running);
        continue;
      }
      const task = runJob(mix.nextJob()).finally(() => running.delete(task));
      running.add(task);
      await sleep(arrivals.exponential(1000 / options.rate), options.signal);
    }
    stopping.abort();
    await Promise.all(running);
  } finally {
    clearInterval(reporter);
  }
  const last = snapshot(true);
  options.report(last);
  return last;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
