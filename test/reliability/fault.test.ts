/**
 * Fault test: three real simulated engines behind a real gateway under steady load
 * (whole answers and streams). One engine is killed (SIGKILL) mid-load, later restarted on
 * the same port.
 *
 * Promised and checked:
 * - no non-streaming request fails: those the killed engine held are retried elsewhere
 *   (reset before any response byte), those sent after it died are failed over (refused)
 *   and then not sent there at all (ejected);
 * - streams the killed engine was serving end with an SSE `event: error`, never a hang or a
 *   silent cut; every other stream ends with `[DONE]`;
 * - the engine is shown unhealthy (`switchyard_endpoint_healthy` 0) within 2 s of the kill,
 *   and healthy again, and served again, after it comes back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeEndpointsFile } from '../helpers/files.js';
import { type RunningGateway, startGateway } from '../helpers/gateway-process.js';
import { type Exchange, runLoops, send } from '../helpers/load-client.js';
import { scrapeMetrics } from '../helpers/prometheus.js';
import { type RunningSim, startSim, waitUntil } from '../helpers/sim-process.js';

const MODEL = 'Qwen/Qwen3-8B';
// 3 ms per token: a 40-token answer takes ~0.15 s, a 700-token stream ~2.5 s.
const SIM_ARGS = ['--time-scale', '0.2', '--model', MODEL];

interface Record {
  readonly stream: boolean;
  readonly sentAt: number;
  readonly exchange: Exchange;
}

describe('fault: an engine dies under load and comes back', () => {
  const sims: RunningSim[] = [];
  let gateway: RunningGateway;

  before(async () => {
    for (let i = 0; i < 3; i++) sims.push(await startSim([...SIM_ARGS, '--seed', String(i)]));
    gateway = await startGateway([
      '--endpoints-config',
      writeEndpointsFile({ [MODEL]: sims.map((s) => s.address) }),
      '--health-check-interval',
      '200ms',
      '--unhealthy-threshold',
      '2',
      // A stream that stops for this long ends with an error event: the test cannot hang on one.
      '--idle-timeout',
      '5s',
    ]);
  });

  after(async () => {
    await gateway?.stop();
    for (const s of sims) await s.stop();
  });

  it('loses no whole answer, ends broken streams with an error event, ejects and readmits the engine', async () => {
    const victim = sims[1]!;
    const records: Record[] = [];
    let stop = false;
    const url = `${gateway.url}/v1/chat/completions`;
    const ask = async (stream: boolean, tag: string, onFirstBytes?: (pod: string | undefined) => void) => {
      const sentAt = Date.now();
      const exchange = await send(
        url,
        {
          model: MODEL,
          stream,
          max_tokens: stream ? 700 : 40,
          messages: [{ role: 'user', content: `fault test ${tag}` }],
        },
        { timeoutMs: 60_000, ...(onFirstBytes ? { onFirstBytes } : {}) },
      );
      records.push({ stream, sentAt, exchange });
    };

    // Steady load: 8 loops of whole answers, 4 loops of streams, bounded in count and time.
    const load = Promise.all([
      runLoops(
        8,
        2_000,
        () => stop,
        (loop, i) => ask(false, `w${loop}-${i}`),
      ),
      runLoops(
        4,
        200,
        () => stop,
        (loop, i) => ask(true, `s${loop}-${i}`),
      ),
    ]);
    const phase = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      await phase(2_000);
      // Make sure the victim is streaming to someone when it dies.
      let victimStreaming!: () => void;
      const streamingOnVictim = new Promise<void>((resolve) => (victimStreaming = resolve));
      // Routing is random: start streams one by one until one lands on the victim (bounded).
      let victimHasStream = false;
      void streamingOnVictim.then(() => (victimHasStream = true));
      const extra: Promise<void>[] = [];
      for (let i = 0; !victimHasStream; i++) {
        assert.ok(i < 60, 'one of 60 streams reached the victim engine');
        extra.push(
          ask(true, `extra-${i}`, (pod) => {
            if (pod === victim.address) victimStreaming();
          }),
        );
        await Promise.race([streamingOnVictim, phase(100)]);
      }

      const killedAt = Date.now();
      victim.process.child.kill('SIGKILL');
      await victim.process.exited;
      await waitUntil(
        async () =>
          (await scrapeMetrics(gateway.adminUrl)).value('switchyard_endpoint_healthy', {
            endpoint: victim.address,
          }) === 0,
        'the killed engine is ejected within 2 s',
        2_000,
      );
      const ejectedAfterMs = Date.now() - killedAt;
      await phase(3_000);

      const revived = await startSim([...SIM_ARGS, '--seed', '1', '--port', String(victim.port)]);
      const restartedAt = Date.now();
      sims[1] = revived;
      await waitUntil(
        async () =>
          (await scrapeMetrics(gateway.adminUrl)).value('switchyard_endpoint_healthy', {
            endpoint: victim.address,
          }) === 1,
        'the engine is readmitted',
        10_000,
      );
      const readmittedAfterMs = Date.now() - restartedAt;
      await waitUntil(
        async () => (await revived.metrics()).total('vllm:request_success_total') > 0,
        'the revived engine serves requests again',
        10_000,
      );
      await phase(2_000);
      stop = true;
      await Promise.all(extra);
      await load;

      const whole = records.filter((r) => !r.stream);
      const streams = records.filter((r) => r.stream);
      const failedWhole = whole.filter((r) => r.exchange.status !== 200 || r.exchange.ending !== 'done');
      assert.deepEqual(
        failedWhole.map((r) => `${r.exchange.status} ${r.exchange.ending} ${r.exchange.body.slice(0, 200)}`),
        [],
        'no whole answer failed',
      );
      const onVictimWhenKilled = streams.filter(
        (r) => r.exchange.pod === victim.address && r.sentAt < killedAt && r.exchange.ending !== 'done',
      );
      assert.ok(onVictimWhenKilled.length >= 1, 'some streams were cut by the kill');
      for (const r of onVictimWhenKilled) {
        assert.equal(r.exchange.ending, 'error-event', r.exchange.body.slice(-300));
        assert.match(r.exchange.body, /"code":"upstream_interrupted"/);
      }
      const others = streams.filter((r) => !onVictimWhenKilled.includes(r));
      assert.deepEqual(
        others
          .filter((r) => r.exchange.status !== 200 || r.exchange.ending !== 'done')
          .map((r) => r.exchange.body.slice(-200)),
        [],
        'every other stream completed',
      );
      const retries = (await scrapeMetrics(gateway.adminUrl)).total('switchyard_upstream_retries_total', {
        endpoint: victim.address,
      });
      console.log(
        `fault: ${whole.length} whole answers (0 failed), ${streams.length} streams ` +
          `(${onVictimWhenKilled.length} cut by the kill, each with an error event), ` +
          `${retries} requests retried off the dead engine, ejected ${ejectedAfterMs} ms after the kill, readmitted ${readmittedAfterMs} ms after the restart`,
      );
    } finally {
      stop = true;
      await load;
    }
  });
});
