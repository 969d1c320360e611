/**
 * What one client session sees: the tools, prompts and resources of every upstream server,
 * merged under prefixed names (see `names.ts`), and calls routed back by those prefixes.
 *
 * Lists ask every server in parallel and keep config order; a server that fails is left
 * out of that list (its failure is recorded by its connection) and the others still answer.
 * A tool outside a server's `includeTools` is neither listed nor callable.
 */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolRequest,
  type CallToolResult,
  CallToolResultSchema,
  type GetPromptRequest,
  type GetPromptResult,
  GetPromptResultSchema,
  ListPromptsResultSchema,
  ListResourcesResultSchema,
  ListResourceTemplatesResultSchema,
  ListToolsResultSchema,
  type Prompt,
  type ReadResourceRequest,
  type ReadResourceResult,
  ReadResourceResultSchema,
  type Resource,
  type ResourceTemplate,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpTelemetry } from '../telemetry/mcp-telemetry.js';
import type { BackendConnection, CallOptions } from './backend-connection.js';
import { McpErrors } from './errors.js';
import { namespaceUri, prefixName, splitName, splitUri } from './names.js';

export type RequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export class Aggregator {
  private readonly byName: ReadonlyMap<string, BackendConnection>;
  private readonly names: ReadonlySet<string>;

  constructor(
    private readonly backends: readonly BackendConnection[],
    private readonly telemetry: McpTelemetry,
  ) {
    this.byName = new Map(backends.map((b) => [b.name, b]));
    this.names = new Set(this.byName.keys());
  }

  listTools(signal: AbortSignal): Promise<Tool[]> {
    return this.gather('tools', async (backend) => {
      const tools = await backend.listAll<Tool>('tools/list', 'tools', ListToolsResultSchema, signal);
      const include = backend.config.includeTools;
      return tools
        .filter((tool) => !include || include.has(tool.name))
        .map((tool) => ({ ...tool, name: prefixName(backend.name, tool.name) }));
    });
  }

  async callTool(params: CallToolRequest['params'], extra: RequestExtra): Promise<CallToolResult> {
    const target = splitName(params.name, this.names);
    if (!target) throw this.refuse('unknown', 'tools/call', params.name, McpErrors.unknownTool(params.name));
    const backend = this.byName.get(target.server)!;
    const include = backend.config.includeTools;
    if (include && !include.has(target.name)) {
      throw this.refuse(
        target.server,
        'tools/call',
        target.name,
        McpErrors.toolNotIncluded(params.name, target.server),
      );
    }
    const result = await backend.call('tools/call', { ...params, name: target.name }, CallToolResultSchema, {
      ...callOptions(params, extra),
      tool: target.name,
      ...(params.arguments ? { arguments: params.arguments } : {}),
    });
    return { ...result, content: result.content.map((block) => namespaceContent(target.server, block)) };
  }

  listPrompts(signal: AbortSignal): Promise<Prompt[]> {
    return this.gather('prompts', async (backend) => {
      const prompts = await backend.listAll<Prompt>(
        'prompts/list',
        'prompts',
        ListPromptsResultSchema,
        signal,
      );
      return prompts.map((prompt) => ({ ...prompt, name: prefixName(backend.name, prompt.name) }));
    });
  }

  async getPrompt(params: GetPromptRequest['params'], extra: RequestExtra): Promise<GetPromptResult> {
    const target = splitName(params.name, this.names);
    if (!target) throw this.refuse('unknown', 'prompts/get', undefined, McpErrors.unknownPrompt(params.name));
    const backend = this.byName.get(target.server)!;
    const result = await backend.call(
      'prompts/get',
      { ...params, name: target.name },
      GetPromptResultSchema,
      callOptions(params, extra),
    );
    return {
      ...result,
      messages: result.messages.map((m) => ({ ...m, content: namespaceContent(target.server, m.content) })),
    };
  }

  listResources(signal: AbortSignal): Promise<Resource[]> {
    return this.gather('resources', async (backend) => {
      const resources = await backend.listAll<Resource>(
        'resources/list',
        'resources',
        ListResourcesResultSchema,
        signal,
      );
      return resources.map((r) => ({
        ...r,
        name: prefixName(backend.name, r.name),
        uri: namespaceUri(backend.name, r.uri),
      }));
    });
  }

  listResourceTemplates(signal: AbortSignal): Promise<ResourceTemplate[]> {
    return this.gather('resources', async (backend) => {
      const templates = await backend.listAll<ResourceTemplate>(
        'resources/templates/list',
        'resourceTemplates',
        ListResourceTemplatesResultSchema,
        signal,
      );
      return templates.map((t) => ({
        ...t,
        name: prefixName(backend.name, t.name),
        uriTemplate: namespaceUri(backend.name, t.uriTemplate),
      }));
    });
  }

  async readResource(
    params: ReadResourceRequest['params'],
    extra: RequestExtra,
  ): Promise<ReadResourceResult> {
    const target = splitUri(params.uri, this.names);
    if (!target)
      throw this.refuse('unknown', 'resources/read', undefined, McpErrors.unknownResource(params.uri));
    const backend = this.byName.get(target.server)!;
    const result = await backend.call(
      'resources/read',
      { ...params, uri: target.uri },
      ReadResourceResultSchema,
      callOptions(params, extra),
    );
    return {
      ...result,
      contents: result.contents.map((c) => ({ ...c, uri: namespaceUri(target.server, c.uri) })),
    };
  }

  /**
   * Runs `list` on every server that may serve `capability`, in parallel, and concatenates
   * the answers in config order. A server whose initialize said it lacks the capability is
   * not asked; one that fails contributes nothing.
   */
  private async gather<T>(
    capability: 'tools' | 'prompts' | 'resources',
    list: (backend: BackendConnection) => Promise<T[]>,
  ): Promise<T[]> {
    const asked = this.backends.filter((b) => !b.connected || b.capabilities?.[capability] !== undefined);
    const answers = await Promise.all(asked.map((b) => list(b).catch(() => [] as T[])));
    return answers.flat();
  }

  /** Records a call the gateway refused without asking a server, and returns its error. */
  private refuse(
    server: string,
    method: string,
    tool: string | undefined,
    error: Error & { code: number },
  ): Error {
    this.telemetry
      .call({ server, method, ...(tool !== undefined ? { tool } : {}), startedAt: performance.now() })
      .end({ outcome: 'refused', errorCode: error.code });
    return error;
  }
}

/** Cancellation and progress of the client's request, carried to the upstream call. */
function callOptions(
  params: { _meta?: Record<string, unknown> | undefined },
  extra: RequestExtra,
): CallOptions {
  const meta = params._meta;
  const token = meta?.['progressToken'];
  return {
    signal: extra.signal,
    ...(meta ? { meta } : {}),
    // The SDK gives the upstream call its own progress token; progress is relayed under the client's.
    ...(typeof token === 'string' || typeof token === 'number'
      ? {
          onprogress: (progress) =>
            void extra
              .sendNotification({
                method: 'notifications/progress',
                params: { ...progress, progressToken: token },
              })
              .catch(() => undefined),
        }
      : {}),
  };
}

/** Resource links and embedded resources in results point at namespaced URIs, so reading them routes back. */
function namespaceContent<C extends { type: string }>(server: string, block: C): C {
  if (block.type === 'resource_link') {
    const link = block as C & { uri: string };
    return { ...link, uri: namespaceUri(server, link.uri) };
  }
  if (block.type === 'resource') {
    const embedded = block as C & { resource: { uri: string } };
    return {
      ...embedded,
      resource: { ...embedded.resource, uri: namespaceUri(server, embedded.resource.uri) },
    };
  }
  return block;
}
