/**
 * The gateway's session with one upstream MCP server, on behalf of one client session: an
 * SDK client over streamable HTTP, plus what the gateway promises on top of it.
 *
 * - Every call is recorded once (`McpTelemetry`), the initialize included.
 * - A session the server forgot (HTTP 404 to our `Mcp-Session-Id`, per the spec) is
 *   re-initialised and the call retried once, transparently: the server refused the call
 *   without running it, so the retry cannot run a tool twice.
 * - A server that cannot be reached, drops a response stream or times out fails the call
 *   with `McpErrors.upstreamUnavailable`; the link is dropped and re-opened on a later call,
 *   no sooner than `retryCooldownMs` after the last failed attempt (so a dead server costs
 *   one quick failure, not a connect per request).
 * - The server's own JSON-RPC errors pass through unchanged.
 *
 * Shared by the concurrent requests of one client session; not shared across sessions.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AnySchema, SchemaOutput } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { ProgressCallback } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ErrorCode,
  McpError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  type ServerCapabilities,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { McpCallEnd, McpTelemetry } from '../telemetry/mcp-telemetry.js';
import { watchedFetch } from './backend-fetch.js';
import type { McpServerConfig } from './config.js';
import { fromBackendError, McpErrors, RpcError, UPSTREAM_UNAVAILABLE } from './errors.js';
import { GATEWAY_INFO } from './gateway-info.js';

export type ListKind = 'tools' | 'prompts' | 'resources';

export interface BackendOptions {
  readonly telemetry: McpTelemetry;
  readonly logger: Logger;
  /** Longest wait for a server's answer to `initialize`. */
  readonly initializeTimeoutMs: number;
  /** Longest wait for any other answer (reset by progress notifications). */
  readonly requestTimeoutMs: number;
  /** After a failed connect, how long calls fail fast before the next attempt. */
  readonly retryCooldownMs: number;
  /** A `notifications/*\/list_changed` arrived from this server. */
  readonly onListChanged: (server: string, kind: ListKind) => void;
}

export interface CallOptions {
  /** Aborts the upstream call (the client cancelled or went away). */
  readonly signal?: AbortSignal;
  readonly onprogress?: ProgressCallback;
  /** For telemetry: the upstream tool name and the call's arguments and `_meta`. */
  readonly tool?: string;
  readonly arguments?: Record<string, unknown>;
  readonly meta?: Record<string, unknown>;
}

/** One opened upstream session. `lost` aborts the calls in flight when the link breaks. */
interface Link {
  readonly client: Client;
  readonly transport: StreamableHTTPClientTransport;
  readonly lost: AbortController;
}

/** The upstream cannot serve calls; `reason` is short and safe to show the client. */
class Unavailable extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const MAX_PAGES = 100;

export class BackendConnection {
  private link: Link | undefined;
  private connecting: Promise<Link> | undefined;
  private retryAt = 0;
  private lastFailure = 'not connected yet';
  private closed = false;

  constructor(
    readonly config: McpServerConfig,
    private readonly options: BackendOptions,
  ) {}

  get name(): string {
    return this.config.name;
  }

  get connected(): boolean {
    return this.link !== undefined;
  }

  /** Why the last connect failed (for the initialize error when no server answers). */
  get failure(): string {
    return this.lastFailure;
  }

  get capabilities(): ServerCapabilities | undefined {
    return this.link?.client.getServerCapabilities();
  }

  get instructions(): string | undefined {
    return this.link?.client.getInstructions();
  }

  /** Opens the upstream session now; resolves false (recorded and logged) when it fails. */
  async open(): Promise<boolean> {
    try {
      await this.ensureLink(true);
      return true;
    } catch {
      return false;
    }
  }

  /** Sends one request upstream and returns its validated result; see the class promises. */
  async call<S extends AnySchema>(
    method: string,
    params: Record<string, unknown>,
    schema: S,
    options: CallOptions = {},
  ): Promise<SchemaOutput<S>> {
    const record = this.options.telemetry.call({
      server: this.name,
      method,
      ...(options.tool !== undefined ? { tool: options.tool } : {}),
      ...(options.arguments ? { arguments: options.arguments } : {}),
      ...(options.meta ? { meta: options.meta } : {}),
      startedAt: performance.now(),
    });
    const extraMeta = record.upstreamMeta?.();
    const sent =
      extraMeta && Object.keys(extraMeta).length > 0
        ? { ...params, _meta: { ...(params['_meta'] as Record<string, unknown> | undefined), ...extraMeta } }
        : params;
    try {
      const result = await this.callWithReinitialise(method, sent, schema, options);
      const isToolError = (result as { isError?: unknown }).isError === true;
      record.end({ outcome: isToolError ? 'tool_error' : 'ok', result });
      return result;
    } catch (err) {
      const { end, error } = this.classify(err, options.signal);
      record.end(end);
      throw error;
    }
  }

  /** Every item of a paginated list, following the server's cursors. */
  async listAll<T>(method: string, key: string, schema: AnySchema, signal?: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const params = cursor === undefined ? {} : { cursor };
      const result = (await this.call(method, params, schema, signal ? { signal } : {})) as Record<
        string,
        unknown
      >;
      items.push(...((result[key] as T[] | undefined) ?? []));
      const next = result['nextCursor'];
      // A server that repeats a cursor would page forever; stop at the first repeat.
      if (typeof next !== 'string' || seen.has(next)) return items;
      seen.add(next);
      cursor = next;
    }
    this.options.logger.warn({ server: this.name, method, pages: MAX_PAGES }, 'MCP server list truncated');
    return items;
  }

  /** Ends the upstream session (HTTP DELETE, as the spec asks) and closes the client. */
  async close(): Promise<void> {
    this.closed = true;
    const link = this.link ?? (await this.connecting?.catch(() => undefined));
    this.link = undefined;
    if (!link) return;
    await withDeadline(link.transport.terminateSession(), 1000).catch(() => undefined);
    await link.client.close().catch(() => undefined);
  }

  private async callWithReinitialise<S extends AnySchema>(
    method: string,
    params: Record<string, unknown>,
    schema: S,
    options: CallOptions,
  ): Promise<SchemaOutput<S>> {
    let link = await this.ensureLink(false);
    try {
      return await this.send(link, method, params, schema, options);
    } catch (err) {
      if (isSessionExpired(err) && !options.signal?.aborted) {
        this.options.logger.info(
          { server: this.name, method },
          'MCP server session expired; re-initialising',
        );
        link = await this.replaceLink(link);
        return await this.send(link, method, params, schema, options);
      }
      // A slow server keeps its session; one that cannot be reached loses it.
      const timedOut = err instanceof McpError && err.code === ErrorCode.RequestTimeout;
      const unavailable = unavailableReason(err, this.options.requestTimeoutMs);
      if (unavailable && !timedOut && !options.signal?.aborted) this.dropLink(link, unavailable);
      throw err;
    }
  }

  private async send<S extends AnySchema>(
    link: Link,
    method: string,
    params: Record<string, unknown>,
    schema: S,
    options: CallOptions,
  ): Promise<SchemaOutput<S>> {
    const signal = options.signal ? AbortSignal.any([options.signal, link.lost.signal]) : link.lost.signal;
    // The method is one of the protocol's; the SDK's request union cannot express "any of them".
    const request = { method, params } as Parameters<Client['request']>[0];
    try {
      return await link.client.request(request, schema, {
        signal,
        timeout: this.options.requestTimeoutMs,
        resetTimeoutOnProgress: true,
        ...(options.onprogress ? { onprogress: options.onprogress } : {}),
      });
    } catch (err) {
      // The SDK reports every abort as a timeout; a lost link has its own reason.
      if (link.lost.signal.aborted && !options.signal?.aborted) throw link.lost.signal.reason;
      throw err;
    }
  }

  private ensureLink(force: boolean): Promise<Link> {
    if (this.link) return Promise.resolve(this.link);
    if (this.closed) return Promise.reject(new Unavailable('the session is closing'));
    if (!this.connecting) {
      if (!force && Date.now() < this.retryAt) return Promise.reject(new Unavailable(this.lastFailure));
      this.connecting = this.connect().finally(() => {
        this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  private async replaceLink(stale: Link): Promise<Link> {
    if (this.link === stale) {
      this.link = undefined;
      // The server already forgot this session: close locally, no DELETE.
      void stale.client.close().catch(() => undefined);
    }
    return this.ensureLink(true);
  }

  private dropLink(link: Link, reason: string): void {
    if (this.link !== link) return;
    this.link = undefined;
    this.lastFailure = reason;
    this.retryAt = Date.now() + this.options.retryCooldownMs;
    this.options.logger.warn({ server: this.name, reason }, 'MCP server connection lost');
    link.lost.abort(new Unavailable(reason));
    void link.client.close().catch(() => undefined);
  }

  private async connect(): Promise<Link> {
    const { config, options } = this;
    const lost = new AbortController();
    let link: Link | undefined;
    const transport = new StreamableHTTPClientTransport(config.url, {
      requestInit: { headers: { ...config.headers } },
      fetch: watchedFetch(() => {
        if (link && !this.closed) this.dropLink(link, 'the server dropped the connection');
      }),
    });
    const client = new Client(GATEWAY_INFO, { capabilities: {} });
    client.onerror = (err) =>
      options.logger.debug({ server: config.name, err: err.message }, 'MCP server transport');
    const notify = (kind: ListKind) => () => options.onListChanged(config.name, kind);
    client.setNotificationHandler(ToolListChangedNotificationSchema, notify('tools'));
    client.setNotificationHandler(PromptListChangedNotificationSchema, notify('prompts'));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, notify('resources'));

    const record = options.telemetry.call({
      server: config.name,
      method: 'initialize',
      startedAt: performance.now(),
    });
    try {
      await client.connect(transport, { timeout: options.initializeTimeoutMs });
    } catch (err) {
      void client.close().catch(() => undefined);
      const reason = unavailableReason(err, options.initializeTimeoutMs) ?? describeBackendError(err);
      this.lastFailure = reason;
      this.retryAt = Date.now() + options.retryCooldownMs;
      record.end({ outcome: 'unavailable', errorCode: UPSTREAM_UNAVAILABLE, reason });
      throw new Unavailable(reason);
    }
    record.end({ outcome: 'ok' });
    if (this.closed) {
      await withDeadline(transport.terminateSession(), 1000).catch(() => undefined);
      await client.close().catch(() => undefined);
      throw new Unavailable('the session is closing');
    }
    link = { client, transport, lost };
    this.link = link;
    return link;
  }

  /** Maps a failed call to its telemetry outcome and the error the client receives. */
  private classify(err: unknown, signal: AbortSignal | undefined): { end: McpCallEnd; error: Error } {
    if (signal?.aborted) {
      return {
        end: { outcome: 'cancelled' },
        error: new RpcError(ErrorCode.ConnectionClosed, 'Request cancelled'),
      };
    }
    const reason = unavailableReason(err, this.options.requestTimeoutMs);
    if (reason !== undefined) {
      return {
        end: { outcome: 'unavailable', errorCode: UPSTREAM_UNAVAILABLE, reason },
        error: McpErrors.upstreamUnavailable(this.name, reason),
      };
    }
    if (err instanceof McpError) {
      return {
        end: { outcome: 'error', errorCode: err.code, reason: 'JSON-RPC error' },
        error: fromBackendError(err),
      };
    }
    // A result that does not match the protocol's schema, or an SDK surprise.
    this.options.logger.warn({ server: this.name, err: String(err) }, 'MCP server answered unexpectedly');
    const why = 'it answered with something that is not a valid MCP result';
    return {
      end: { outcome: 'error', errorCode: ErrorCode.InternalError, reason: 'invalid result' },
      error: new RpcError(ErrorCode.InternalError, `MCP server "${this.name}" failed: ${why}`),
    };
  }
}

/** HTTP 404 to a request carrying our session id: the server ended or forgot the session. */
function isSessionExpired(err: unknown): boolean {
  if (!(err instanceof StreamableHTTPError)) return false;
  if (err.code === 404) return true;
  // Some older servers answer 400 "...session..." for an unknown session id.
  return err.code === 400 && /session/i.test(err.message);
}

/**
 * A short reason when `err` means the server is unreachable, closed the connection, or did
 * not answer in time; undefined for the server's own JSON-RPC errors.
 */
function unavailableReason(err: unknown, timeoutMs: number): string | undefined {
  if (err instanceof Unavailable) return err.reason;
  if (err instanceof McpError) {
    if (err.code === ErrorCode.RequestTimeout) return `no answer within ${timeoutMs} ms`;
    if (err.code === ErrorCode.ConnectionClosed) return 'the connection closed';
    return undefined;
  }
  if (err instanceof StreamableHTTPError)
    return err.code && err.code > 0 ? `HTTP ${err.code}` : 'unexpected response';
  if (err instanceof TypeError || (err instanceof Error && err.name === 'AbortError')) {
    const code = errnoCode(err);
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
    if (code) return `network error (${code})`;
    return 'the connection failed';
  }
  return undefined;
}

function describeBackendError(err: unknown): string {
  if (err instanceof McpError) return `initialize failed (JSON-RPC error ${err.code})`;
  return 'initialize failed';
}

function errnoCode(err: Error): string | undefined {
  let cause: unknown = err;
  for (let depth = 0; depth < 4 && cause; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
