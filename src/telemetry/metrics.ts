/**
 * The gateway's Prometheus registry (served on the admin port's `/metrics`).
 * Labels are a fixed, low-cardinality set: never a request id, prompt or header value
 * unless a user mapped that header on purpose.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { EndpointRegistry } from '../routing/endpoint-state.js';
import { FastHistogram } from './fast-histogram.js';

export class GatewayMetrics {
  readonly registry = new Registry();

  readonly routingDecisions = new Counter({
    name: 'switchyard_routing_decisions_total',
    help: 'Routing decisions, by requested algorithm, model and chosen endpoint.',
    labelNames: ['algorithm', 'model', 'endpoint'] as const,
    registers: [this.registry],
  });

  readonly upstreamErrors = new Counter({
    name: 'switchyard_upstream_errors_total',
    help: 'Upstream failures, by endpoint and kind (connect, reset, timeouts, interrupted).',
    labelNames: ['endpoint', 'kind'] as const,
    registers: [this.registry],
  });

  readonly rejectedRequests = new Counter({
    name: 'switchyard_requests_rejected_total',
    help: 'Requests the gateway refused before routing them: unauthorized, overloaded (concurrency limit), headers_too_large, request_timeout (slow client), bad_http.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly upstreamRetries = new Counter({
    name: 'switchyard_upstream_retries_total',
    help: 'Attempts that failed before any response byte and were tried again on another endpoint, by the endpoint that failed and the failure kind.',
    labelNames: ['endpoint', 'kind'] as const,
    registers: [this.registry],
  });

  readonly routingFallbacks = new Counter({
    name: 'switchyard_routing_fallbacks_total',
    help: 'Routing decisions where the algorithm could not apply its own rule and used another (see the routing-strategy header): requested algorithm, model, rule used, reason code.',
    labelNames: ['algorithm', 'model', 'to', 'reason'] as const,
    registers: [this.registry],
  });

  readonly prefixMatchRatio = new Histogram({
    name: 'switchyard_prefix_match_ratio',
    help: 'Prefix-aware routing: share of the prompt already cached on the chosen endpoint (0 to 1).',
    labelNames: ['algorithm', 'model'] as const,
    buckets: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
    registers: [this.registry],
  });

  /** Observed on every request: a `FastHistogram`, one child per operation. */
  readonly gatewayOverhead = new FastHistogram(
    'switchyard_gateway_overhead_seconds',
    'Time spent in the gateway itself (request read, parse, routing, and after the upstream finished), excluding the upstream call.',
    ['operation'],
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    this.registry,
  );

  constructor(endpoints: EndpointRegistry) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'switchyard_endpoint_in_flight',
      help: 'Requests in flight to each endpoint, as counted by the gateway.',
      labelNames: ['endpoint'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const state of endpoints.all()) this.set({ endpoint: state.id }, state.inFlight);
      },
    });
    new Gauge({
      name: 'switchyard_endpoint_healthy',
      help: '1 when the endpoint is eligible for routing, 0 while it is ejected.',
      labelNames: ['endpoint'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const state of endpoints.all()) this.set({ endpoint: state.id }, state.healthy ? 1 : 0);
      },
    });
  }
}
