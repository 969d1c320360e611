/**
 * The `/mcp` endpoint: MCP's streamable HTTP transport (POST for messages, GET for the
 * server-to-client notification stream, DELETE to end a session) in front of every
 * configured MCP server.
 *
 * Session routing happens here; everything inside a session is the SDK transport's:
 * - POST `initialize` (without a session id, or with one the gateway does not know: a client
 *   recovering from a lost session) opens a new `GatewaySession`;
 * - any other request needs a known `Mcp-Session-Id`: missing is a 400, unknown a 404
 *   (the client then re-initialises, per the spec);
 * - sessions with no request or stream for `sessionIdleMs` are closed, upstream sessions too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isInitializeRequest, isJSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { ClientGoneError, readBody } from '../api/body.js';
import { GatewayError } from '../api/errors.js';
import type { Logger } from '../telemetry/logger.js';
import type { McpTelemetry } from '../telemetry/mcp-telemetry.js';
import type { McpConfig } from './config.js';
import { jsonRpcErrorBody, RpcError, SESSION_NOT_FOUND } from './errors.js';
import { GatewaySession } from './gateway-session.js';

export interface McpGatewayOptions {
  readonly config: McpConfig;
  readonly telemetry: McpTelemetry;
  readonly logger: Logger;
  /** Largest accepted POST body, in bytes. */
  readonly maxBodyBytes: number;
  readonly initializeTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly pageSize: number;
  /** A session without requests or open streams for this long is closed. */
  readonly sessionIdleMs: number;
  /** After a server failed, how long its calls fail fast before it is tried again. */
  readonly retryCooldownMs: number;
}

const PARSE_ERROR = -32700;
const BAD_REQUEST = -32000;

export class McpGateway {
  private readonly sessions = new Map<string, GatewaySession>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: McpGatewayOptions) {
    const every = Math.max(1000, Math.min(60_000, Math.floor(options.sessionIdleMs / 2)));
    this.sweeper = setInterval(() => this.closeIdleSessions(), every).unref();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** The configured server names, for the startup log. */
  get serverNames(): string[] {
    return this.options.config.servers.map((s) => s.name);
  }

  /** Serves one request on `/mcp` (POST, GET or DELETE). Never throws. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.serve(req, res).catch((err: unknown) => {
      if (err instanceof ClientGoneError) return;
      if (err instanceof GatewayError) {
        reply(res, err.status, jsonRpcErrorBody(BAD_REQUEST, err.message));
        return;
      }
      this.options.logger.error({ err }, 'unexpected error on /mcp');
      reply(res, 500, jsonRpcErrorBody(-32603, 'The gateway hit an internal error'));
    });
  }

  /** Closes every session (ending their upstream sessions) and stops the idle sweeper. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sessionId = header(req, 'mcp-session-id');
    if (req.method === 'POST') {
      const raw = await readBody(req, this.options.maxBodyBytes);
      let message: unknown;
      try {
        message = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply(res, 400, jsonRpcErrorBody(PARSE_ERROR, 'Parse error: the body is not valid JSON'));
      }
      const known = sessionId === undefined ? undefined : this.sessions.get(sessionId);
      if (!known && isJSONRPCRequest(message) && isInitializeRequest(message)) {
        return this.initialize(req, res, message);
      }
      if (!known) return this.rejectSession(res, sessionId);
      return this.within(known, res, () => known.transport.handleRequest(req, res, message));
    }
    const known = sessionId === undefined ? undefined : this.sessions.get(sessionId);
    if (!known) return this.rejectSession(res, sessionId);
    return this.within(known, res, () => known.transport.handleRequest(req, res));
  }

  private async initialize(req: IncomingMessage, res: ServerResponse, message: { id: string | number }) {
    if (this.closed)
      return reply(res, 503, jsonRpcErrorBody(BAD_REQUEST, 'The gateway is shutting down', message.id));
    let session: GatewaySession;
    try {
      session = await GatewaySession.open({
        ...this.options,
        onInitialized: (s) => {
          this.sessions.set(s.id!, s);
          this.options.telemetry.session('opened');
        },
        onClosed: (s) => {
          if (s.id !== undefined && this.sessions.delete(s.id)) this.options.telemetry.session('closed');
        },
      });
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
      // A JSON-RPC error answers the initialize request itself: clients show its message.
      return reply(
        res,
        200,
        JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: err.code, message: err.message } }),
      );
    }
    try {
      await this.within(session, res, () => session.transport.handleRequest(req, res, message));
    } finally {
      // The transport refused the initialize (bad Accept header, ...): nothing will use this session.
      if (session.id === undefined || !this.sessions.has(session.id)) await session.close();
    }
  }

  private rejectSession(res: ServerResponse, sessionId: string | undefined): void {
    if (sessionId === undefined) {
      reply(
        res,
        400,
        jsonRpcErrorBody(BAD_REQUEST, 'Bad Request: no Mcp-Session-Id header; send initialize first'),
      );
    } else {
      reply(res, 404, jsonRpcErrorBody(SESSION_NOT_FOUND, 'Session not found'));
    }
  }

  /** Marks the session busy while `work` runs and until the response closes (streams included). */
  private async within(
    session: GatewaySession,
    res: ServerResponse,
    work: () => Promise<void>,
  ): Promise<void> {
    session.active++;
    session.lastActivity = Date.now();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      session.active--;
      session.lastActivity = Date.now();
    };
    res.once('close', release);
    try {
      await work();
    } finally {
      if (res.writableEnded || res.destroyed) release();
    }
  }

  private closeIdleSessions(): void {
    const cutoff = Date.now() - this.options.sessionIdleMs;
    for (const session of this.sessions.values()) {
      if (session.active === 0 && session.lastActivity < cutoff) {
        this.options.logger.info({ idleMs: this.options.sessionIdleMs }, 'closing idle MCP session');
        void session.close();
      }
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function reply(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
