/**
 * Every error the gateway answers with, as a typed value mapped to its HTTP status in one
 * place. Bodies are OpenAI-shaped: `{"error":{"message","type","code","param"}}`.
 * Messages are written for the client and never contain secrets or upstream internals.
 */

export type ErrorType =
  'invalid_request_error' | 'authentication_error' | 'rate_limit_error' | 'server_error';

export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: string | null,
    message: string,
    readonly param: string | null = null,
    /** Extra response headers (retry-after, allow, ...). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  toBody(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

/** The catalogue of errors, so handlers never invent statuses. */
export const Errors = {
  badJson: (detail: string) =>
    new GatewayError(
      400,
      'invalid_request_error',
      'invalid_json',
      `We could not parse the JSON body of your request: ${detail}`,
    ),
  invalidField: (param: string, problem: string) =>
    new GatewayError(400, 'invalid_request_error', 'invalid_value', `Invalid '${param}': ${problem}`, param),
  missingField: (param: string) =>
    new GatewayError(
      400,
      'invalid_request_error',
      'missing_required_parameter',
      `Missing required parameter: '${param}'.`,
      param,
    ),
  unknownRoutingStrategy: (name: string, known: readonly string[]) =>
    new GatewayError(
      400,
      'invalid_request_error',
      'unknown_routing_strategy',
      `Unknown routing strategy "${name}". Known strategies: ${known.join(', ')}.`,
      'routing-strategy',
    ),
  invalidRoutingStrategy: (name: string, problem: string) =>
    new GatewayError(
      400,
      'invalid_request_error',
      'unknown_routing_strategy',
      `Invalid routing strategy "${name}": ${problem}.`,
      'routing-strategy',
    ),
  unauthorized: () =>
    new GatewayError(401, 'authentication_error', 'invalid_api_key', 'Missing or invalid API key.'),
  modelNotFound: (model: string) =>
    new GatewayError(
      404,
      'invalid_request_error',
      'model_not_found',
      `The model \`${model}\` does not exist on this gateway. GET /v1/models lists the models it serves.`,
      'model',
    ),
  unknownPath: (method: string, path: string) =>
    new GatewayError(404, 'invalid_request_error', 'unknown_url', `Invalid URL (${method} ${path}).`),
  methodNotAllowed: (method: string, path: string, allowed: readonly string[]) =>
    new GatewayError(
      405,
      'invalid_request_error',
      'method_not_allowed',
      `Method ${method} is not allowed on ${path}; use ${allowed.join(' or ')}.`,
      null,
      { allow: allowed.join(', ') },
    ),
  bodyTooLarge: (limit: number) =>
    new GatewayError(
      413,
      'invalid_request_error',
      'request_too_large',
      `Request body is larger than the gateway's limit of ${limit} bytes.`,
    ),
  unsupportedMediaType: (type: string) =>
    new GatewayError(
      415,
      'invalid_request_error',
      'unsupported_media_type',
      `Content-Type "${type}" is not supported; send application/json.`,
    ),
  overloaded: (retryAfterSeconds: number, scope: string) =>
    new GatewayError(
      429,
      'rate_limit_error',
      'gateway_overloaded',
      `The gateway is at its concurrency limit for ${scope}; retry shortly.`,
      null,
      { 'retry-after': String(retryAfterSeconds) },
    ),
  upstreamConnect: (model: string) =>
    new GatewayError(
      502,
      'server_error',
      'upstream_connect_error',
      `Could not connect to an upstream for model \`${model}\`.`,
    ),
  upstreamReset: (model: string) =>
    new GatewayError(
      502,
      'server_error',
      'upstream_reset',
      `The upstream for model \`${model}\` closed the connection before answering.`,
    ),
  upstreamBadResponse: (model: string, detail: string) =>
    new GatewayError(
      502,
      'server_error',
      'upstream_bad_response',
      `The upstream for model \`${model}\` answered badly: ${detail}`,
    ),
  /** The model's route exists but none of its backends can be served (unsupported schema, ...). */
  modelUnavailable: (model: string, reason: string) =>
    new GatewayError(
      501,
      'server_error',
      'model_not_supported',
      `The model \`${model}\` is configured but this gateway cannot serve it: ${reason}.`,
      'model',
    ),
  prefillFailed: (model: string, detail: string) =>
    new GatewayError(
      502,
      'server_error',
      'prefill_failed',
      `The prefill step for model \`${model}\` failed: ${detail}.`,
    ),
  noEndpoint: (model: string) =>
    new GatewayError(
      503,
      'server_error',
      'no_healthy_upstream',
      `No healthy endpoint is available for model \`${model}\`.`,
      null,
      { 'retry-after': '1' },
    ),
  draining: () =>
    new GatewayError(
      503,
      'server_error',
      'gateway_draining',
      'The gateway is shutting down; retry on another instance.',
      null,
      {
        'retry-after': '1',
        connection: 'close',
      },
    ),
  upstreamTimeout: (model: string, phase: string) =>
    new GatewayError(
      504,
      'server_error',
      'upstream_timeout',
      `The upstream for model \`${model}\` timed out (${phase}).`,
    ),
  internal: () =>
    new GatewayError(500, 'server_error', 'internal_error', 'The gateway hit an internal error.'),
} as const;

/** Any thrown value as a GatewayError; unknown errors become a detail-free 500. */
export function toGatewayError(err: unknown): GatewayError {
  return err instanceof GatewayError ? err : Errors.internal();
}
