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
import { type InferenceRequest, type Operation, parseInferenceRequest } from '../api/inference-request.js';
import type { BackendRef, EndpointSpec, Route } from '../config/model.js';
import { forward } from '../proxy/forward.js';
import { UpstreamError } from '../proxy/upstream-error.js';
import { backendOrder } from '../resolve/resolver.js';
import { describeDecision, type RoutingDecision } from '../routing/decision.js';
import { hasFeedback, isRoleAware, type Router, type RoutingRequest } from '../routing/router.js';
import type { RequestOutcome, RequestTelemetry } from '../telemetry/request-telemetry.js';
import type { GatewayContext } from './context.js';
import { setModelHeader } from './model-header.js';
import { requestIdFrom } from './request-id.js';
import { sendError } from './respond.js';
import { isRetriable, upstreamFailureToError } from './upstream-errors.js';

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
    const raw = await readBody(req, ctx.config.limits.maxBodyBytes);
    const request = parseInferenceRequest(operation, raw);
    model = request.model;
    setModelHeader(res, request.model);
    trace.parsed(request);
    outcome = await route(ctx, request, req, res, requestId, trace, abort.signal);
  } catch (err) {
    outcome = failed(ctx, err, res, model, abort.signal);
  }
  trace.end(outcome);
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
    return await tryBackends(
      ctx,
      target,
      request,
      router,
      algorithm,
      routing,
      req,
      res,
      trace,
      deadline.signal,
    );
  } finally {
    deadline.clear();
  }
}

/**
 * Tries backends in priority/weight order. A failure before any response byte (refused,
 * reset, connect timeout) marks the endpoint (passive health) and, within the retry
 * budget, tries another endpoint: first the same backend, then the next ones.
 */
async function tryBackends(
  ctx: GatewayContext,
  target: Route,
  request: InferenceRequest,
  router: Router,
  algorithm: string,
  routing: RoutingRequest,
  req: IncomingMessage,
  res: ServerResponse,
  trace: RequestTelemetry,
  signal: AbortSignal,
): Promise<RequestOutcome> {
  const requestId = routing.requestId;
  const tried = new Set<string>();
  let retriesLeft = ctx.config.retry.maxRetries;
  let lastFailure: UpstreamError | undefined;
  const order = backendOrder(target, ctx.random);
  for (const [index, ref] of order.entries()) {
    for (;;) {
      const candidates = eligibleEndpoints(ctx, ref, router).filter((c) => !tried.has(c.id));
      if (candidates.length === 0) break;
      const choice = router.pick(routing, candidates);
      if (hasFeedback(router)) router.onRouted(routing, choice);
      const decision = describeDecision(algorithm, ref.backend.name, choice, candidates);
      trace.routed(decision, {
        provider: ref.backend.provider.schema,
        model: ref.modelNameOverride ?? request.model,
      });
      const endpoint = ctx.endpoints.state(choice.endpoint.spec);
      tried.add(endpoint.id);
      // A 5xx moves on to another endpoint when one remains (as aigw does with a retry
      // policy); the last one's 5xx is passed through as it is.
      const canFallBack =
        retriesLeft > 0 &&
        (candidates.length > 1 ||
          order.slice(index + 1).some((next) => eligibleEndpoints(ctx, next, router).length > 0));
      const deadline = withDeadline(signal, ref.backend.timeoutMs);
      endpoint.inFlight++;
      try {
        const attempt: Attempt = { ref, decision, endpoint: choice.endpoint.spec, requestId, canFallBack };
        const result = await forwardTo(ctx, attempt, request, req, res, trace, deadline.signal);
        if (result.error === undefined) ctx.health.recordSuccess(endpoint);
        return {
          status: result.status,
          clientAborted: result.outcome === 'client_gone',
          relay: result.outcome,
          ...(result.error ? { upstreamFailure: result.error.kind } : {}),
        };
      } catch (err) {
        if (deadline.signal.aborted) throw deadline.signal.reason;
        if (!(err instanceof UpstreamError) || !isRetriable(err) || res.headersSent) throw err;
        lastFailure = err;
        // A server's own 5xx answer is not a connectivity failure: it does not eject.
        const ejected = err.kind !== 'server_error' && ctx.health.recordFailure(endpoint);
        const retrying = retriesLeft-- > 0;
        ctx.logger.warn(
          { requestId, endpoint: err.endpoint, kind: err.kind, status: err.status, ejected, retrying },
          'upstream failed before responding',
        );
        if (!retrying) throw err;
      } finally {
        deadline.clear();
        endpoint.inFlight--;
      }
    }
  }
  if (lastFailure) throw lastFailure;
  throw Errors.noEndpoint(request.model);
}

interface Attempt {
  readonly ref: BackendRef;
  readonly decision: RoutingDecision;
  readonly endpoint: EndpointSpec;
  readonly requestId: string;
  /** Another endpoint could take over, so a 5xx answer may be discarded. */
  readonly canFallBack: boolean;
}

/** One attempt on the chosen endpoint, with the provider's path and headers. */
function forwardTo(
  ctx: GatewayContext,
  { ref, decision, endpoint, requestId, canFallBack }: Attempt,
  request: InferenceRequest,
  req: IncomingMessage,
  res: ServerResponse,
  trace: RequestTelemetry,
  signal: AbortSignal,
) {
  const adapter = ctx.adapters.for(ref.backend);
  const upstreamModel = ref.modelNameOverride ?? request.model;
  const body = ref.modelNameOverride
    ? Buffer.from(JSON.stringify({ ...request.body, model: upstreamModel }))
    : request.raw;
  return forward({
    client: { req, res },
    endpoint,
    path: adapter.path(request.operation, upstreamModel),
    body,
    setHeaders: { ...adapter.headers, ...trace.upstreamHeaders(), 'x-request-id': requestId },
    dropHeaders: adapter.dropClientHeaders,
    responseHeaders: {
      'x-request-id': requestId,
      'target-pod': decision.endpoint,
      'routing-strategy': decision.strategy,
      ...(decision.prefillEndpoint ? { 'prefill-target-pod': decision.prefillEndpoint } : {}),
    },
    timeouts: ctx.config.timeouts,
    signal,
    ...(canFallBack ? { fallbackOnStatus: isFallbackStatus } : {}),
    observer: trace.response,
    onObserverError: (err) => ctx.logger.warn({ err }, 'telemetry observer failed'),
  });
}

/** Upstream statuses after which another endpoint is tried, when one remains. */
function isFallbackStatus(status: number): boolean {
  return status === 500 || status === 502 || status === 503 || status === 504;
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
