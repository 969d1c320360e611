import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from './clock.js';
import { Engine, type EngineConfig, type SequenceRecord, type SequenceSpec } from './engine.js';

const CONFIG: EngineConfig = {
  maxNumSeqs: 2,
  kvBlocks: 100,
  blockSize: 4,
  prefillMsPerToken: 1,
  decodeMsPerToken: 10,
  ttftOverheadMs: 5,
  kvTransferMsPerToken: 0.1,
};

function spec(prompt: number[], outputLength: number, extra: Partial<SequenceSpec> = {}): SequenceSpec {
  const answer = Array.from({ length: outputLength }, (_, i) => 1000 + i);
  return {
    tokens: [...prompt, ...answer],
    promptLength: prompt.length,
    outputLength,
    prefill: 'compute',
    prefixCache: true,
    finishReason: 'length',
    ...extra,
  };
}

const prompt = (from: number, n = 20) => Array.from({ length: n }, (_, i) => from + i);

/** Records each sequence's token times. */
class Recorder {
  readonly tokens = new Map<number, number[]>();
  readonly finished: SequenceRecord[] = [];
  constructor(private readonly clock: ManualClock) {}
  listener() {
    return {
      onToken: (seq: SequenceRecord) => {
        const list = this.tokens.get(seq.id) ?? [];
        list.push(this.clock.now());
        this.tokens.set(seq.id, list);
      },
      onFinished: (seq: SequenceRecord) => {
        this.finished.push(seq);
      },
    };
  }
}

function setup(config: Partial<EngineConfig> = {}) {
  const clock = new ManualClock();
  const engine = new Engine({ ...CONFIG, ...config }, clock);
  return { clock, engine, rec: new Recorder(clock) };
}

describe('engine scheduler', () => {
  it('charges overhead + prefill for the first token, then one decode step per token', () => {
    const { clock, engine, rec } = setup();
    const seq = engine.submit(spec(prompt(0), 3), rec.listener());
    clock.runAll();
    // 20 prompt tokens x 1 ms + 5 ms overhead; then tpot(1) = 10 ms.
    assert.deepEqual(rec.tokens.get(seq.id), [25, 35, 45]);
    assert.equal(seq.firstTokenAt, 25);
    assert.equal(seq.finishedAt, 45);
    assert.equal(seq.finishReason, 'length');
    assert.equal(seq.generated, 3);
    assert.equal(clock.pendingTimers, 0);
  });

  it('charges prefill only for uncached prompt tokens', () => {
    const { clock, engine, rec } = setup();
    engine.submit(spec(prompt(0), 1), rec.listener());
    clock.runAll();
    const start = clock.now();
    const again = engine.submit(spec(prompt(0), 1), rec.listener());
    clock.runAll();
    // 16 of 20 tokens cached (four whole blocks; the last token is always computed).
    assert.equal(again.cachedTokens, 16);
    assert.equal(again.firstTokenAt! - start, 4 + 5);
  });

  it('queues past max-num-seqs in FIFO order and admits when a slot frees', () => {
    const { clock, engine, rec } = setup();
    const a = engine.submit(spec(prompt(0), 2), rec.listener());
    const b = engine.submit(spec(prompt(100), 10), rec.listener());
    const c = engine.submit(spec(prompt(200), 1), rec.listener());
    assert.deepEqual(engine.stats(), { running: 2, waiting: 1, kvUsage: engine.kv.usage });
    assert.equal(c.scheduledAt, undefined);
    clock.runAll();
    // a: prefill 0-20, first token 25, second at 25 + tpot(2) = 40: c is admitted then.
    assert.equal(a.finishedAt, 40);
    assert.equal(c.scheduledAt, 40);
    assert.ok(b.finishedAt! > c.scheduledAt!);
    assert.deepEqual(engine.stats(), { running: 0, waiting: 0, kvUsage: 0 });
  });

  it('serializes prefills and slows decode as the batch grows', () => {
    const { clock, engine, rec } = setup({ maxNumSeqs: 4 });
    const a = engine.submit(spec(prompt(0), 3), rec.listener());
    const b = engine.submit(spec(prompt(100), 3), rec.listener());
    clock.runAll();
    assert.equal(a.firstTokenAt, 25);
    assert.equal(b.firstTokenAt, 45, "b's prefill waits for a's");
    // Two running sequences: tpot = 10 * (1 + 1/4) = 12.5.
    assert.deepEqual(rec.tokens.get(a.id), [25, 37.5, 50]);
    const alone = setup({ maxNumSeqs: 4 });
    const solo = alone.engine.submit(spec(prompt(0), 3), alone.rec.listener());
    alone.clock.runAll();
    assert.deepEqual(alone.rec.tokens.get(solo.id), [25, 35, 45]);
  });

  it('waits for KV blocks even with free slots, and never evicts running blocks', () => {
    // 12 blocks of 4 = 48 tokens; each sequence needs 20 + 8 = 28 tokens = 7 blocks.
    const { clock, engine, rec } = setup({ kvBlocks: 12 });
    const a = engine.submit(spec(prompt(0), 8), rec.listener());
    const b = engine.submit(spec(prompt(100), 8), rec.listener());
    assert.equal(engine.stats().running, 1);
    assert.equal(engine.stats().waiting, 1);
    assert.ok(engine.kv.usage > 0.5);
    clock.runAll();
    assert.equal(b.scheduledAt, a.finishedAt);
    assert.throws(() => engine.submit(spec(prompt(0), 40), rec.listener()), /cannot fit/);
  });

  it('aborting a running sequence frees its slot and blocks at once', () => {
    const { clock, engine, rec } = setup();
    const a = engine.submit(spec(prompt(0), 100), rec.listener());
    const b = engine.submit(spec(prompt(100), 100), rec.listener());
    const c = engine.submit(spec(prompt(200), 2), rec.listener());
    clock.advance(60);
    const tokensBefore = rec.tokens.get(a.id)!.length;
    assert.equal(engine.stats().running, 2);
    engine.abort(a);
    assert.equal(a.finishReason, 'abort');
    assert.equal(c.scheduledAt, 60, 'the waiting sequence takes the slot immediately');
    assert.deepEqual(
      { running: engine.stats().running, waiting: engine.stats().waiting },
      { running: 2, waiting: 0 },
    );
    clock.runAll();
    assert.equal(rec.tokens.get(a.id)!.length, tokensBefore, 'no tokens after the abort');
    assert.equal(rec.finished.filter((s) => s.id === a.id).length, 1, 'finished once');
    assert.equal(b.finishReason, 'length');
    assert.equal(engine.kv.usage, 0);
    engine.abort(a); // a second abort is a no-op
  });

  it('aborting a waiting sequence removes it from the queue', () => {
    const { clock, engine, rec } = setup({ maxNumSeqs: 1 });
    engine.submit(spec(prompt(0), 5), rec.listener());
    const waiting = engine.submit(spec(prompt(100), 5), rec.listener());
    assert.equal(engine.stats().waiting, 1);
    engine.abort(waiting);
    assert.equal(engine.stats().waiting, 0);
    assert.equal(waiting.scheduledAt, undefined);
    clock.runAll();
    assert.equal(rec.tokens.get(waiting.id), undefined);
  });

  it('a remote-prefilled sequence pays the KV transfer instead of the prefill', () => {
    const { clock, engine, rec } = setup();
    const seq = engine.submit(spec(prompt(0, 200), 2, { prefill: 'remote' }), rec.listener());
    clock.runAll();
    assert.equal(seq.firstTokenAt, 200 * 0.1 + 5);
  });

  it('a prefill-only sequence (embeddings) ends after its prefill, with no tokens', () => {
    const { clock, engine, rec } = setup();
    const seq = engine.submit(
      spec(prompt(0), 0, { prefixCache: false, finishReason: 'stop' }),
      rec.listener(),
    );
    clock.runAll();
    assert.equal(seq.finishedAt, 25);
    assert.equal(seq.generated, 0);
    assert.equal(rec.tokens.get(seq.id), undefined);
    // Without the prefix cache, the same prompt again is not a hit.
    const again = engine.submit(spec(prompt(0), 0, { prefixCache: false }), rec.listener());
    clock.runAll();
    assert.equal(again.cachedTokens, 0);
  });

  it('runs hundreds of concurrent sequences on one timer', () => {
    const { clock, engine, rec } = setup({ maxNumSeqs: 256, kvBlocks: 10_000 });
    const seqs = Array.from({ length: 600 }, (_, i) =>
      engine.submit(spec(prompt(i * 1000), 20), rec.listener()),
    );
    assert.equal(engine.stats().running, 256);
    assert.equal(engine.stats().waiting, 344);
    let maxTimers = 0;
    while (clock.pendingTimers > 0) {
      maxTimers = Math.max(maxTimers, clock.pendingTimers);
      clock.advance(50);
    }
    assert.equal(maxTimers, 1);
    assert.ok(seqs.every((s) => s.generated === 20 && s.finishReason === 'length'));
    assert.equal(rec.finished.length, 600);
  });

  it('reports lifecycle events to the observer', () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    const engine = new Engine(CONFIG, clock, {
      scheduled: (s) => seen.push(`scheduled ${s.id}`),
      token: (s, i, since) => seen.push(`token ${s.id}.${i} ${since ?? '-'}`),
      finished: (s) => seen.push(`finished ${s.id} ${s.finishReason}`),
    });
    engine.submit(spec(prompt(0), 2), { onFinished() {} });
    clock.runAll();
    assert.deepEqual(seen, ['scheduled 1', 'token 1.0 -', 'token 1.1 10', 'finished 1 length']);
  });

  it('survives a listener that throws', () => {
    const failures: unknown[] = [];
    const clock = new ManualClock();
    const engine = new Engine(CONFIG, clock, { listenerFailed: (err) => failures.push(err) });
    const seq = engine.submit(spec(prompt(0), 2), {
      onToken() {
        throw new Error('boom');
      },
      onFinished() {},
    });
    clock.runAll();
    assert.equal(seq.generated, 2);
    assert.equal(failures.length, 2);
  });
});
