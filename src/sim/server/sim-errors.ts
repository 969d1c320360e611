/**
 * The simulator's error answers, shaped as vLLM's OpenAI server shapes them:
 * `{"error":{"message","type","param","code"}}`, where `type` names the error class
 * (`BadRequestError`, `NotFoundError`, ...) and `code` repeats the HTTP status.
 * Bad input is always a 4xx; only injected failures are 5xx.
 */

const TYPES: Readonly<Record<number, string>> = {
  400: 'BadRequestError',
  401: 'AuthenticationError',
  403: 'PermissionDeniedError',
  404: 'NotFoundError',
  405: 'MethodNotAllowedError',
  408: 'RequestTimeoutError',
  409: 'ConflictError',
  413: 'RequestTooLargeError',
  415: 'UnsupportedMediaTypeError',
  417: 'ExpectationFailedError',
  422: 'UnprocessableEntityError',
  429: 'RateLimitError',
  500: 'InternalServerError',
  502: 'BadGatewayError',
  503: 'ServiceUnavailableError',
  504: 'GatewayTimeoutError',
};

export interface SimErrorBody {
  error: { message: string; type: string; param: string | null; code: number };
}

export class SimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'SimError';
  }

  toBody(): SimErrorBody {
    const type = TYPES[this.status] ?? (this.status >= 500 ? 'InternalServerError' : 'BadRequestError');
    return { error: { message: this.message, type, param: this.param, code: this.status } };
  }
}

export const SimErrors = {
  badJson: (detail: string) => new SimError(400, `Invalid JSON body: ${detail}`),
  invalid: (param: string, problem: string) => new SimError(400, `Invalid '${param}': ${problem}`, param),
  missing: (param: string) => new SimError(400, `Missing required parameter: '${param}'.`, param),
  unsupported: (param: string, what: string) =>
    new SimError(400, `'${param}': ${what} is not supported by the simulator.`, param),
  contextTooLong: (limit: number, prompt: number, completion: number) =>
    new SimError(
      400,
      `This model's maximum context length is ${limit} tokens. However, you requested ${prompt + completion} tokens ` +
        `(${prompt} in the messages, ${completion} in the completion). Please reduce the length of the messages or completion.`,
      'messages',
    ),
  unauthorized: () => new SimError(401, 'Unauthorized: missing or invalid API key.'),
  modelNotFound: (model: string) => new SimError(404, `The model \`${model}\` does not exist.`, 'model'),
  unknownPath: (method: string, path: string) => new SimError(404, `Not Found: ${method} ${path}`),
  methodNotAllowed: (method: string, path: string, allowed: string) =>
    new SimError(405, `Method ${method} not allowed on ${path}.`, null, { allow: allowed }),
  bodyTooLarge: (limit: number) => new SimError(413, `Request body is larger than ${limit} bytes.`),
  injected: (status: number) =>
    new SimError(
      status,
      `Injected failure (--failure-rate): the simulated engine answered ${status}.`,
      null,
      status === 429 || status === 503 ? { 'retry-after': '1' } : {},
    ),
  internal: () => new SimError(500, 'Internal simulator error.'),
} as const;
