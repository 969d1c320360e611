/**
 * One inference request, socket to span:
 * read + parse the body once -> resolve the model to a route -> for each backend in
 * priority/weight order: pick an endpoint (router) -> adapt for the provider -> forward,
 * streaming -> record the outcome once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ClientGoneError, readBody } from '../api/body.js';
import { Errors, GatewayError, toGatewayError } from '../api/errors.js';
import { withoutGatewayFields } from '../api/gateway-fields.js';
import { type InferenceRequest, type Operation, parseInferenceRequest } from '../api/inference-request.js';
import type { BackendRef, Route } from '../config/model.js';
import { forward, upstreamHeaders } from '../proxy/forward.js';
import { combineObservers } from '../proxy/observer.js';
import { decodeBody, prefillBody, runPrefill } from '../proxy/prefill.js';
import { UpstreamError } from '../proxy/upstream-error.js';
import { backendOrder } from '../resolve/resolver.js';
import { describeDecision, type RoutingDecision } from '../routing/decision.js';
import { accountingObserver } from '../routing/endpoint-accounting.js';
import type { EndpointView } from '../routing/endpoint-state.js';
import {
  hasFeedback,
  isRoleAware,
  type Router,
  type RoutingChoice,
  type RoutingRequest,
} from '../routing/router.js';
import type { RequestOutcome, RequestTelemetry } from '../telemetry/request-telemetry.js';
import type { GatewayContext } from './context.js';
import { setModelHeader } from './model-header.js';
import { logRoutingDecision } from './routing-debug.js';
import { requestIdFrom } from './request-id.js';
import { closeIfBodyUnread, sendError } from './respond.js';
import { isRetriable, prefillFailureToError, upstreamFailureToError } from './upstream-errors.js';

export function inferenceHandler(operation: Operation, ctx: GatewayContext) {
  return function handleInference(req: IncomingMessage, res: ServerResponse): void {
    void serveInference(operation, ctx, req, res);
  };
}

/** The request deadline passed (route `timeouts.request`, or the backend's for one attempt). */
class DeadlineError extends Error {}

async function serveInference(
  operation: Operation,
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const startedAt = performance.now();
  const requestId = requestIdFrom(req.headers['x-request-id']);
  res.setHeader('x-request-id', requestId);
  ctx.lifecycle.track(res);
  const trace = ctx.telemetry.begin({
    requestId,
    operation,
    method: req.method ?? 'POST',
    path: req.url ?? '',
    headers: req.headers,
    startedAt,
  });
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort(new ClientGoneError());
  });

  let outcome: RequestOutcome;
  let model = '';
  try {
    if (ctx.lifecycle.draining) throw Errors.draining();
    if (!ctx.admission.tryAdmit(res)) throw shed(ctx, req, res);
    const raw = await readBody(req, ctx.config.limits.maxBodyBytes);
    const request = withoutGatewayFields(parseInferenceRequest(operation, raw));
    model = request.model;
    setModelHeader(res, request.model);
    trace.parsed(request);
    outcome = await route(ctx, request, req, res, requestId, trace, abort.signal);
  } catch (err) {
    outcome = failed(ctx, err, res, model, abort.signal);
  }
  trace.end(outcome);
}

/** The 429 for a request over `--max-concurrent-requests`, refused before its body is read. */
function shed(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse): GatewayError {
  ctx.metrics.rejectedRequests.inc({ reason: 'overloaded' });
  closeIfBodyUnread(req, res);
  return Errors.overloaded(1, `${ctx.admission.max} inference requests at once`);
}

function failed(
  ctx: GatewayContext,
  err: unknown,
  res: ServerResponse,
  model: string,
  signal: AbortSignal,
): RequestOutcome {
  if (err instanceof ClientGoneError || signal.reason instanceof ClientGoneError) {
    return { status: 0, clientAborted: true };
  }
  let error: GatewayError;
  let upstreamFailure: UpstreamError['kind'] | undefined;
  if (err instanceof UpstreamError) {
    error = upstreamFailureToError(err, model);
    upstreamFailure = err.kind;
  } else if (err instanceof DeadlineError) {
    error = Errors.upstreamTimeout(model, 'request deadline');
    upstreamFailure = 'request_timeout';
  } else {
    error = toGatewayError(err);
    if (!(err instanceof GatewayError)) ctx.logger.error({ err }, 'unexpected error while serving a request');
  }
  if (error.status === 413) res.setHeader('connection', 'close');
  sendError(res, error);
  return {
    status: error.status,
    error,
    clientAborted: false,
    ...(upstreamFailure ? { upstreamFailure } : {}),
  };
}

async function route(
  ctx: GatewayContext,
  request: InferenceRequest,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  trace: RequestTelemetry,
  clientSignal: AbortSignal,
): Promise<RequestOutcome> {
  const target = ctx.resolver.resolve(request.model);
  if (!target) throw Errors.modelNotFound(request.model);
  if (target.unavailable) throw Errors.modelUnavailable(request.model, target.unavailable);
  const algorithm = chooseAlgorithm(req, target, ctx);
  const router = ctx.routers.get(algorithm);
  const routing: RoutingRequest = {
    requestId,
    model: request.model,
    operation: request.operation,
    body: request.body,
    headers: req.headers,
  };

  const deadline = withDeadline(clientSignal, target.timeoutMs);
  try {
    return await tryBackends(ctx, target, request, router, routing, req, res, trace, deadline.signal);
  } finally {
    deadline.clear();
  }
}

/**
 * Tries backends in priority/weight order. A failure before any response byte (refused,
 * reset, connect timeout) marks the endpoint that failed (passive health) and, within the
 * retry budget, tries again without it: first the same backend, then the next ones.
 */
async function tryBackends(
  ctx: GatewayContext,
  target: Route,
  request: InferenceRequest,
  router: Router,
  routing: RoutingRequest,
  req: IncomingMessage,
  res: ServerResponse,
  trace: RequestTelemetry,
  signal: AbortSignal,
): Promise<RequestOutcome> {
  const requestId = routing.requestId;
  const { retry } = ctx.config;
  const tried = new Set<string>();
  let retriesLeft = retry.maxRetries;
  let lastFailure: UpstreamError | undefined;
  let retryCounted = true;
  let atCapacity = false;
  const order = backendOrder(target, ctx.random);
  for (const [index, ref] of order.entries()) {
    for (;;) {
      const healthy = eligibleEndpoints(ctx, ref, router).filter((c) => !tried.has(c.id));
      const candidates = withRoom(ctx, healthy);
      if (candidates.length < healthy.length) atCapacity = true;
      if (candidates.length === 0) break;
      const choice = router.pick(routing, candidates);
      if (hasFeedback(router)) router.onRouted(routing, choice);
      const decision = describeDecision(router.name, ref.backend.name, choice, candidates);
      logRoutingDecision(ctx.logger, router, routing, candidates, decision);
      // The outcome counts the last failure; one that another attempt follows is counted here.
      if (lastFailure && !retryCounted) countRetry(ctx, lastFailure);
      retryCounted = true;
      // A 5xx moves on to another endpoint when one remains (as aigw does with a retry
      // policy); the last one's 5xx is passed through as it is.
      const canFallBack =
        retriesLeft > 0 &&
        retry.retryOn.includes('5xx') &&
        (candidates.length > 1 || laterBackendCanServe(ctx, order, index, router));
      const deadline = withDeadline(signal, ref.backend.timeoutMs);
      try {
        const attempt: Attempt = { ref, decision, choice, requestId, canFallBack };
        const result = await attemptOn(ctx, attempt, request, req, res, trace, deadline.signal);
        return {
          status: result.status,
          clientAborted: result.outcome === 'client_gone',
          relay: result.outcome,
          ...(result.error ? { upstreamFailure: result.error.kind } : {}),
        };
      } catch (err) {
        if (deadline.signal.aborted) throw deadline.signal.reason;
        if (!(err instanceof UpstreamError) || res.headersSent) throw err;
        if (!isRetriable(err, retry.retryOn)) {
          // Not retried, but a connection failure still counts against the endpoint.
          if (isConnectionFailure(err))
            ctx.health.recordFailure(ctx.endpoints.state(failedEndpoint(err, choice).spec));
          throw err;
        }
        lastFailure = err;
        retryCounted = false;
        const failed = failedEndpoint(err, choice);
        tried.add(failed.id);
        // A server's own 5xx answer is not a connectivity failure: it does not eject.
        const ejected =
          isConnectionFailure(err) && ctx.health.recordFailure(ctx.endpoints.state(failed.spec));
        // Retried only within the budget and when another endpoint can take the request.
        const another =
          eligibleEndpoints(ctx, ref, router).some((c) => !tried.has(c.id)) ||
          laterBackendCanServe(ctx, order, index, router);
        const retrying = another && retriesLeft-- > 0;
        ctx.logger.warn(
          { requestId, endpoint: err.endpoint, kind: err.kind, status: err.status, ejected, retrying },
          'upstream failed before responding',
        );
        if (!retrying) throw err;
      } finally {
        deadline.clear();
      }
    }
  }
  if (lastFailure) throw lastFailure;
  throw atCapacity ? Errors.endpointsAtCapacity(request.model) : Errors.noEndpoint(request.model);
}

/** True when a backend after `order[index]` has an endpoint that can take the request. */
function laterBackendCanServe(
  ctx: GatewayContext,
  order: readonly BackendRef[],
  index: number,
  router: Router,
): boolean {
  return order.slice(index + 1).some((next) => eligibleEndpoints(ctx, next, router).length > 0);
}

/** The endpoint an `UpstreamError` is about: pd's prefill engine or the chosen one. */
function failedEndpoint(err: UpstreamError, choice: RoutingChoice): EndpointView {
  return err.endpoint === choice.prefill?.id ? choice.prefill : choice.endpoint;
}

/** Failures that say the endpoint is unreachable (passive health), as opposed to its answers. */
function isConnectionFailure(err: UpstreamError): boolean {
  return err.kind === 'connect' || err.kind === 'connect_timeout' || err.kind === 'reset';
}

/** Candidates below `--max-requests-per-endpoint` (all of them without a limit). */
function withRoom<T extends EndpointView>(ctx: GatewayContext, endpoints: T[]): T[] {
  const max = ctx.config.limits.maxRequestsPerEndpoint;
  return max > 0 ? endpoints.filter((e) => e.inFlight < max) : endpoints;
}

/** A failed attempt that another one followed: an upstream error, and a retry. */
function countRetry(ctx: GatewayContext, failure: UpstreamError): void {
  ctx.metrics.upstreamErrors.inc({ endpoint: failure.endpoint, kind: failure.kind });
  ctx.metrics.upstreamRetries.inc({ endpoint: failure.endpoint, kind: failure.kind });
}

interface Attempt {
  readonly ref: BackendRef;
  readonly decision: RoutingDecision;
  readonly choice: RoutingChoice;
  readonly requestId: string;
  /** Another endpoint could take over, so a 5xx answer may be discarded. */
  readonly canFallBack: boolean;
}

/**
 * One attempt on the chosen endpoint, with the provider's path and headers: for pd, the
 * prefill step first, then the decode request; the response is relayed to the client.
 */
async function attemptOn(
  ctx: GatewayContext,
  attempt: Attempt,
  request: InferenceRequest,
  req: IncomingMessage,
  res: ServerResponse,
  trace: RequestTelemetry,
  signal: AbortSignal,
) {
  const { ref, choice, requestId, canFallBack } = attempt;
  const adapter = ctx.adapters.for(ref.backend);
  const upstreamModel = ref.modelNameOverride ?? request.model;
  const fields = ref.modelNameOverride ? { ...request.body, model: upstreamModel } : request.body;
  const path = adapter.path(request.operation, upstreamModel);
  const setHeaders = { ...adapter.headers, ...trace.upstreamHeaders(), 'x-request-id': requestId };
  const endpoint = ctx.endpoints.state(choice.endpoint.spec);
  endpoint.inFlight++;
  // Work accounting for throughput: the engine that computes the prompt gets its tokens.
  ctx.endpoints
    .state((choice.prefill ?? choice.endpoint).spec)
    .addPromptTokens(estimatedPromptTokens(request));
  try {
    let body = ref.modelNameOverride ? Buffer.from(JSON.stringify(fields)) : request.raw;
    let decision = attempt.decision;
    try {
      if (choice.prefill) {
        const prefill = await prefillStep(ctx, choice.prefill, request.model, fields, trace, {
          req,
          path,
          setHeaders,
          dropHeaders: adapter.dropClientHeaders,
          signal,
        });
        decision = { ...decision, prefillMs: prefill.durationMs };
        body = decodeBody(fields, prefill.kvTransferParams);
      }
    } finally {
      trace.routed(decision, { provider: ref.backend.provider.schema, model: upstreamModel });
    }
    const onObserverError = (err: unknown) => ctx.logger.warn({ err }, 'response observer failed');
    const result = await forward({
      client: { req, res },
      endpoint: choice.endpoint.spec,
      path,
      body,
      setHeaders,
      dropHeaders: adapter.dropClientHeaders,
      responseHeaders: {
        ...choice.responseHeaders,
        'x-request-id': requestId,
        'target-pod': decision.endpoint,
        'routing-strategy': decision.strategy,
        ...(decision.prefillEndpoint ? { 'prefill-target-pod': decision.prefillEndpoint } : {}),
      },
      timeouts: ctx.config.timeouts,
      signal,
      ...(canFallBack ? { fallbackOnStatus: isFallbackStatus } : {}),
      observer: combineObservers([trace.response, accountingObserver(endpoint)], onObserverError),
      onObserverError,
    });
    if (result.error === undefined) ctx.health.recordSuccess(endpoint);
    return result;
  } finally {
    endpoint.inFlight--;
  }
}

/**
 * pd's first step on `prefillEndpoint` (see `proxy/prefill.ts`). Resolves with the
 * `kv_transfer_params` for the decode request; throws the client's error when the prefill
 * engine answered badly, and an `UpstreamError` when it could not be reached.
 */
async function prefillStep(
  ctx: GatewayContext,
  prefillEndpoint: EndpointView,
  model: string,
  fields: Readonly<Record<string, unknown>>,
  trace: RequestTelemetry,
  call: {
    req: IncomingMessage;
    path: string;
    setHeaders: Record<string, string>;
    dropHeaders: readonly string[];
    signal: AbortSignal;
  },
) {
  const state = ctx.endpoints.state(prefillEndpoint.spec);
  const body = prefillBody(fields);
  const startedAt = performance.now();
  state.inFlight++;
  try {
    const result = await runPrefill({
      endpoint: state.spec,
      path: call.path,
      body,
      headers: upstreamHeaders(call.req, {
        endpoint: state.spec,
        body,
        setHeaders: call.setHeaders,
        dropHeaders: call.dropHeaders,
      }),
      timeouts: ctx.config.timeouts,
      signal: call.signal,
    });
    ctx.health.recordSuccess(state);
    trace.prefilled({
      endpoint: state.id,
      startedAt,
      durationMs: result.durationMs,
      status: result.ok ? 200 : result.status,
    });
    if (!result.ok) throw prefillFailureToError(result, model);
    state.ttft.add(result.durationMs);
    return result;
  } finally {
    state.inFlight--;
  }
}

/** Upstream statuses after which another endpoint is tried, when one remains. */
function isFallbackStatus(status: number): boolean {
  return status === 500 || status === 502 || status === 503 || status === 504;
}

/** About one token per four bytes of the request body: cheap, and close enough for load. */
function estimatedPromptTokens(request: InferenceRequest): number {
  return Math.ceil(request.raw.length / 4);
}

function chooseAlgorithm(req: IncomingMessage, target: Route, ctx: GatewayContext): string {
  const header = req.headers['routing-strategy'];
  const requested = (Array.isArray(header) ? header[0] : header)?.trim();
  return requested || target.routingAlgorithm || ctx.config.routing.algorithm;
}

/** Healthy endpoints of a backend a router may choose; prefill-only engines only for pd. */
function eligibleEndpoints(ctx: GatewayContext, ref: BackendRef, router: Router) {
  const wantsPrefill = isRoleAware(router);
  return ref.backend.endpoints
    .filter((spec) => wantsPrefill || spec.role !== 'prefill')
    .map((spec) => ctx.endpoints.state(spec))
    .filter((state) => state.healthy);
}

function withDeadline(
  signal: AbortSignal,
  timeoutMs: number | undefined,
): { signal: AbortSignal; clear(): void } {
  if (!timeoutMs) return { signal, clear() {} };
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DeadlineError('request deadline')), timeoutMs);
  return { signal: AbortSignal.any([signal, deadline.signal]), clear: () => clearTimeout(timer) };
}
