/**
 * Real MCP servers for tests, written with `@modelcontextprotocol/sdk` and served over
 * streamable HTTP on a free loopback port, in the test process. Each records what it saw
 * (initializes, DELETEs, headers, calls) and can misbehave on cue: forget its sessions
 * (the spec's 404), add a tool and announce it, or go away abruptly.
 */

import { randomUUID } from 'node:crypto';
import http, { type Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  isInitializeRequest,
  ListToolsRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

export interface ToolContext {
  /** Aborts when the caller cancels. */
  readonly signal: AbortSignal;
  /** Sends notifications/progress when the caller asked for progress; false when it did not. */
  progress(progress: number, total?: number): Promise<boolean>;
}

export interface ToolSpec {
  readonly name: string;
  readonly description?: string;
  readonly run: (
    args: Record<string, unknown>,
    context: ToolContext,
  ) => CallToolResult | Promise<CallToolResult>;
}

export interface BackendSpec {
  readonly tools: readonly ToolSpec[];
  /** Answer 401 unless this header carries this value. */
  readonly requireHeader?: { readonly name: string; readonly value: string };
  /** Serve tools/list in pages of this many tools, with cursors. */
  readonly pageSize?: number;
}

/** A plain text tool result. */
export function text(value: string, isError = false): CallToolResult {
  return { content: [{ type: 'text', text: value }], ...(isError ? { isError: true } : {}) };
}

interface Session {
  readonly server: { close(): Promise<void> };
  readonly transport: StreamableHTTPServerTransport;
  readonly notifyToolsChanged: () => Promise<void>;
}

/** Common HTTP plumbing: sessions by `Mcp-Session-Id`, counters, header check, kill switch. */
abstract class BackendBase {
  readonly sessions = new Map<string, Session>();
  initializeCount = 0;
  deleteCount = 0;
  /** Headers of the last request, lower-cased names. */
  lastHeaders: http.IncomingHttpHeaders = {};
  /** Requests refused for a missing or wrong header. */
  unauthorized = 0;
  private http: HttpServer | undefined;

  protected constructor(private readonly requireHeader?: { name: string; value: string }) {}

  protected abstract newSession(): Session | Promise<Session>;

  async listen(): Promise<this> {
    const server = http.createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.http = server;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.http!.address() as AddressInfo).port}/mcp`;
  }

  /** Forgets every session, as a server that restarted or expired them: later requests get 404. */
  async expireSessions(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.transport.close()));
  }

  /** Sends notifications/tools/list_changed on every open session. */
  async announceToolsChanged(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.notifyToolsChanged()));
  }

  /** Goes away abruptly: every connection is cut and the port closes. */
  async kill(): Promise<void> {
    const server = this.http;
    if (!server) return;
    this.http = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.lastHeaders = req.headers;
    if (req.url !== '/mcp') return plain(res, 404, 'not found');
    if (
      this.requireHeader &&
      req.headers[this.requireHeader.name.toLowerCase()] !== this.requireHeader.value
    ) {
      this.unauthorized++;
      return plain(res, 401, 'unauthorized');
    }
    const sid = req.headers['mcp-session-id'] as string | undefined;
    if (req.method === 'DELETE' && sid && this.sessions.has(sid)) this.deleteCount++;
    if (req.method === 'POST') {
      const body = await readJson(req);
      if (!sid && isInitializeRequest(body)) {
        this.initializeCount++;
        const session = await this.newSession();
        return session.transport.handleRequest(req, res, body);
      }
      const session = sid ? this.sessions.get(sid) : undefined;
      if (!session) return sessionNotFound(res);
      return session.transport.handleRequest(req, res, body);
    }
    const session = sid ? this.sessions.get(sid) : undefined;
    if (!session) return sessionNotFound(res);
    return session.transport.handleRequest(req, res);
  }

  protected transport(onClose: () => void): StreamableHTTPServerTransport {
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, this.pending.get(transport)!);
        this.pending.delete(transport);
      },
      onsessionclosed: (id) => {
        this.sessions.delete(id);
        onClose();
      },
    });
    return transport;
  }

  protected readonly pending = new Map<StreamableHTTPServerTransport, Session>();
}

/**
 * A tool server on the low-level SDK `Server`: exact control over tools/list (pagination)
 * and over the tool set (add a tool, then announce it).
 */
export class ToolBackend extends BackendBase {
  readonly calls: { name: string; args: Record<string, unknown>; meta?: Record<string, unknown> }[] = [];
  /** The cursor of every tools/list received (undefined for a first page). */
  readonly listCursors: (string | undefined)[] = [];
  /** Calls whose caller cancelled them. */
  cancelled = 0;
  private tools: ToolSpec[];

  private constructor(private readonly spec: BackendSpec) {
    super(spec.requireHeader);
    this.tools = [...spec.tools];
  }

  static start(spec: BackendSpec): Promise<ToolBackend> {
    return new ToolBackend(spec).listen();
  }

  addTool(tool: ToolSpec): void {
    this.tools.push(tool);
  }

  protected newSession(): Session {
    const server = new Server(
      { name: 'tool-backend', version: '1.0.0' },
      { capabilities: { tools: { listChanged: true } } },
    );
    const toolList = (): Tool[] =>
      this.tools.map((t) => ({
        name: t.name,
        description: t.description ?? t.name,
        inputSchema: { type: 'object', properties: {}, additionalProperties: true },
      }));
    server.setRequestHandler(ListToolsRequestSchema, (req) => {
      this.listCursors.push(req.params?.cursor);
      const all = toolList();
      const size = this.spec.pageSize;
      if (!size) return { tools: all };
      const offset = req.params?.cursor ? Number(req.params.cursor.replace('page-', '')) : 0;
      const next = offset + size;
      return { tools: all.slice(offset, next), ...(next < all.length ? { nextCursor: `page-${next}` } : {}) };
    });
    server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
      const tool = this.tools.find((t) => t.name === req.params.name);
      if (!tool) throw new Error(`no tool ${req.params.name}`);
      const args = (req.params.arguments ?? {}) as Record<string, unknown>;
      const meta = req.params._meta as Record<string, unknown> | undefined;
      this.calls.push({ name: tool.name, args, ...(meta ? { meta } : {}) });
      extra.signal.addEventListener('abort', () => this.cancelled++);
      const token = req.params._meta?.progressToken;
      return tool.run(args, {
        signal: extra.signal,
        progress: async (progress, total) => {
          if (token === undefined) return false;
          const params = { progressToken: token, progress, ...(total !== undefined ? { total } : {}) };
          await extra.sendNotification({ method: 'notifications/progress', params });
          return true;
        },
      });
    });
    const transport = this.transport(() => void server.close());
    const session: Session = { server, transport, notifyToolsChanged: () => server.sendToolListChanged() };
    this.pending.set(transport, session);
    void server.connect(transport);
    return session;
  }
}

/**
 * A notes server on the high-level `McpServer` with zod schemas, the way most servers are
 * written: tools, a prompt, a resource and a resource template.
 */
export class NotesBackend extends BackendBase {
  private constructor() {
    super();
  }

  static start(): Promise<NotesBackend> {
    return new NotesBackend().listen();
  }

  protected newSession(): Session {
    const mcp = new McpServer(
      { name: 'notes', version: '1.0.0' },
      { instructions: 'Notes are short markdown documents.' },
    );
    mcp.registerTool(
      'search',
      { description: 'Find notes containing a word', inputSchema: { word: z.string() } },
      ({ word }) => ({
        content: [
          { type: 'text', text: `1 note mentions ${word}` },
          { type: 'resource_link', uri: 'note://welcome', name: 'welcome' },
        ],
      }),
    );
    mcp.registerPrompt(
      'summarise',
      { description: 'Summarise a note', argsSchema: { note: z.string() } },
      ({ note }) => ({
        messages: [{ role: 'user', content: { type: 'text', text: `Summarise the note ${note}.` } }],
      }),
    );
    mcp.registerResource('welcome', 'note://welcome', { mimeType: 'text/markdown' }, (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/markdown', text: '# Welcome' }],
    }));
    mcp.registerResource(
      'by-title',
      new ResourceTemplate('note://by-title/{title}', { list: undefined }),
      { mimeType: 'text/markdown' },
      (uri, { title }) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: `# ${title}` }] }),
    );
    const transport = this.transport(() => void mcp.close());
    const session: Session = {
      server: mcp,
      transport,
      notifyToolsChanged: async () => mcp.sendToolListChanged(),
    };
    this.pending.set(transport, session);
    void mcp.connect(transport);
    return session;
  }
}

/** An HTTP server that answers 500 to everything: an MCP server that fails at start. */
export async function startFailingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => plain(res, 500, 'internal error'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL where nothing listens (the port was free a moment ago). */
export async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/mcp`;
}

function plain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(body);
}

function sessionNotFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }),
  );
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}
