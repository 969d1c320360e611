/**
 * One client session on `/mcp`: the SDK server and its streamable HTTP transport facing the
 * client, and one `BackendConnection` per configured MCP server facing upstream.
 *
 * `open()` initialises every upstream session in parallel before the client's initialize
 * is answered; servers that fail are skipped (recorded and logged) and the session works
 * with the rest. Only when none answers does `open()` fail, with the reasons.
 * `close()` is idempotent: it ends the upstream sessions and the client-facing transport,
 * and calls `onClosed` once.
 */
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  type Prompt,
  ReadResourceRequestSchema,
  type Resource,
  type ResourceTemplate,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { McpTelemetry } from '../telemetry/mcp-telemetry.js';
import { Aggregator } from './aggregator.js';
import { BackendConnection, type BackendOptions, type ListKind } from './backend-connection.js';
import type { McpConfig } from './config.js';
import { McpErrors, RpcError } from './errors.js';
import { GATEWAY_INFO } from './gateway-info.js';
import { ListPager } from './pagination.js';

export interface SessionOptions {
  readonly config: McpConfig;
  readonly telemetry: McpTelemetry;
  readonly logger: Logger;
  readonly initializeTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly retryCooldownMs: number;
  /** Largest number of items in one page of a list the gateway returns. */
  readonly pageSize: number;
  /** The transport assigned the session id (the client's initialize succeeded). */
  readonly onInitialized: (session: GatewaySession) => void;
  readonly onClosed: (session: GatewaySession) => void;
}

export class GatewaySession {
  readonly transport: StreamableHTTPServerTransport;
  /** Requests and notification streams in progress; a session with any is never idle. */
  active = 0;
  lastActivity = Date.now();
  private readonly server: Server;
  private closing: Promise<void> | undefined;
  private closingBackends: Promise<void> | undefined;

  private constructor(
    private readonly backends: readonly BackendConnection[],
    private readonly options: SessionOptions,
  ) {
    this.transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: () => options.onInitialized(this),
      // DELETE from the client: end the upstream sessions before the transport answers it,
      // so the client's 200 means they are gone; then forget this session.
      onsessionclosed: async () => {
        await this.closeBackends();
        void this.close();
      },
    });
    this.server = new Server(GATEWAY_INFO, {
      capabilities: {
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: { listChanged: true },
      },
      ...instructionsOf(backends),
    });
    this.registerHandlers(new Aggregator(backends, options.telemetry));
  }

  /** Opens upstream sessions and the client-facing server; see the class comment. */
  static async open(options: SessionOptions): Promise<GatewaySession> {
    let session: GatewaySession | undefined;
    const backendOptions: BackendOptions = {
      telemetry: options.telemetry,
      logger: options.logger,
      initializeTimeoutMs: options.initializeTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
      retryCooldownMs: options.retryCooldownMs,
      onListChanged: (server, kind) => session?.forwardListChanged(server, kind),
    };
    const backends = options.config.servers.map((server) => new BackendConnection(server, backendOptions));
    const opened = await Promise.all(backends.map((b) => b.open()));
    const failed = backends.filter((_, i) => !opened[i]);
    for (const b of failed) {
      options.logger.warn({ server: b.name, reason: b.failure }, 'MCP server skipped for this session');
    }
    if (failed.length === backends.length) {
      throw McpErrors.noServerAnswered(failed.map((b) => `${b.name}: ${b.failure}`));
    }
    session = new GatewaySession(backends, options);
    await session.server.connect(session.transport);
    return session;
  }

  get id(): string | undefined {
    return this.transport.sessionId;
  }

  /** Ends every upstream session (idempotent). */
  private closeBackends(): Promise<void> {
    this.closingBackends ??= Promise.all(this.backends.map((b) => b.close())).then(() => undefined);
    return this.closingBackends;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.closeBackends();
      await this.server.close().catch(() => undefined);
      this.options.onClosed(this);
    })();
    return this.closing;
  }

  private registerHandlers(agg: Aggregator): void {
    const { server } = this;
    const size = this.options.pageSize;
    const pagers = {
      tools: new ListPager<Tool>(size),
      prompts: new ListPager<Prompt>(size),
      resources: new ListPager<Resource>(size),
      templates: new ListPager<ResourceTemplate>(size),
    };
    server.setRequestHandler(ListToolsRequestSchema, (req, extra) =>
      this.guard(async () => {
        const page = await pagers.tools.page(req.params?.cursor, () => agg.listTools(extra.signal));
        return { tools: page.items, ...cursorOf(page) };
      }),
    );
    server.setRequestHandler(CallToolRequestSchema, (req, extra) =>
      this.guard(() => agg.callTool(req.params, extra)),
    );
    server.setRequestHandler(ListPromptsRequestSchema, (req, extra) =>
      this.guard(async () => {
        const page = await pagers.prompts.page(req.params?.cursor, () => agg.listPrompts(extra.signal));
        return { prompts: page.items, ...cursorOf(page) };
      }),
    );
    server.setRequestHandler(GetPromptRequestSchema, (req, extra) =>
      this.guard(() => agg.getPrompt(req.params, extra)),
    );
    server.setRequestHandler(ListResourcesRequestSchema, (req, extra) =>
      this.guard(async () => {
        const page = await pagers.resources.page(req.params?.cursor, () => agg.listResources(extra.signal));
        return { resources: page.items, ...cursorOf(page) };
      }),
    );
    server.setRequestHandler(ListResourceTemplatesRequestSchema, (req, extra) =>
      this.guard(async () => {
        const page = await pagers.templates.page(req.params?.cursor, () =>
          agg.listResourceTemplates(extra.signal),
        );
        return { resourceTemplates: page.items, ...cursorOf(page) };
      }),
    );
    server.setRequestHandler(ReadResourceRequestSchema, (req, extra) =>
      this.guard(() => agg.readResource(req.params, extra)),
    );
  }

  /** Known errors reach the client as they are; anything else is logged and becomes a detail-free internal error. */
  private async guard<T>(handler: () => Promise<T>): Promise<T> {
    try {
      return await handler();
    } catch (err) {
      if (err instanceof RpcError) throw err;
      this.options.logger.error({ err }, 'unexpected error in the MCP gateway');
      throw McpErrors.internal();
    }
  }

  private forwardListChanged(server: string, kind: ListKind): void {
    this.options.logger.debug({ server, kind }, 'MCP server list changed');
    const send =
      kind === 'tools'
        ? this.server.sendToolListChanged()
        : kind === 'prompts'
          ? this.server.sendPromptListChanged()
          : this.server.sendResourceListChanged();
    void send.catch(() => undefined);
  }
}

function cursorOf(page: { nextCursor?: string }): { nextCursor?: string } {
  return page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor };
}

/** The servers' own instructions, each under its name, so the client's model sees them all. */
function instructionsOf(backends: readonly BackendConnection[]): { instructions?: string } {
  const parts = backends
    .filter((b) => b.instructions)
    .map((b) => `## ${b.name} (tools prefixed ${b.name}__)\n${b.instructions!.trim()}`);
  return parts.length ? { instructions: parts.join('\n\n') } : {};
}
