/**
 * One simulated vLLM engine behind an HTTP server: the composition root of `src/sim`.
 * Used by `switchyard sim` (one per process) and by the embedded fleet (several in the
 * gateway's process).
 */
import { randomUUID } from 'node:crypto';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScaledClock } from '../engine/clock.js';
import { Engine } from '../engine/engine.js';
import { FaultInjector } from './fault-injector.js';
import { sendError } from './http-io.js';
import { buildSimApp } from './sim-app.js';
import type { SimContext, SimLogger } from './sim-context.js';
import { SimMetrics } from './sim-metrics.js';
import { SimError } from './sim-errors.js';
import { type SimOptions, simOptionProblems } from './sim-options.js';

export class SimServer {
  private constructor(
    readonly context: SimContext,
    private readonly server: Server,
  ) {}

  /** Validates `options`, builds the engine and listens. Throws RangeError or SimListenError. */
  static async start(options: SimOptions, logger: SimLogger): Promise<SimServer> {
    const problems = simOptionProblems(options);
    if (problems.length > 0) throw new RangeError(problems.join('; '));
    const clock = new ScaledClock(options.timeScale);
    let engineRef: Engine | undefined;
    const metrics = new SimMetrics(options.models[0]!, () => engineRef!.stats(), {
      blockSize: options.blockSize,
      numGpuBlocks: options.kvBlocks,
    });
    const engine = new Engine(
      {
        maxNumSeqs: options.maxNumSeqs,
        kvBlocks: options.kvBlocks,
        blockSize: options.blockSize,
        prefillMsPerToken: options.prefillMsPerToken,
        decodeMsPerToken: options.decodeMsPerToken,
        ttftOverheadMs: options.ttftOverheadMs,
        kvTransferMsPerToken: options.kvTransferMsPerToken,
      },
      clock,
      {
        scheduled: (seq) => metrics.scheduled(seq),
        token: (seq, index, since) => metrics.token(seq, index, since),
        finished: (seq) => metrics.finished(seq),
        listenerFailed: (err) => logger.error({ err }, 'simulator listener failed'),
      },
    );
    engineRef = engine;
    const context: SimContext = {
      options,
      engine,
      metrics,
      faults: new FaultInjector(options.failureRate, options.failureStatus, options.seed),
      engineId: randomUUID(),
      maxModelLen: Math.min(options.maxModelLen, engine.maxSequenceTokens),
      startedAt: Math.floor(Date.now() / 1000),
      logger,
    };
    const server = http.createServer({ keepAliveTimeout: 65_000 }, buildSimApp(context));
    // An Expect other than 100-continue: a JSON error like every other refusal.
    server.on('checkExpectation', (_req, res: http.ServerResponse) =>
      sendError(res, new SimError(417, 'Only "Expect: 100-continue" is supported.')),
    );
    await listen(server, options.host, options.port);
    return new SimServer(context, server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops listening, cuts open connections (streams included) and stops the engine. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    this.context.engine.stop();
  }
}

export class SimListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimListenError';
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(new SimListenError(`port ${port} on ${host} is already in use; choose another with --port`));
      else if (err.code === 'EACCES')
        reject(new SimListenError(`no permission to bind port ${port} on ${host}; choose a port above 1023`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
        reject(new SimListenError(`cannot bind address ${host}: it is not an address of this machine`));
      else reject(err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
