/**
 * Attributes of one MCP call's span: Envoy AI Gateway's `mcp.*` attributes and span names
 * for every method, and for `tools/call` an OpenInference TOOL span (tool name, arguments
 * as `input.value`, result as `output.value`) so Phoenix shows tool calls beside LLM calls.
 * Pure; arguments and results pass through the same redaction boundary as LLM spans.
 */
import { MimeType, OpenInferenceSpanKind } from '@arizeai/openinference-semantic-conventions';
import type { McpCallEnd, McpCallStart } from './mcp-telemetry.js';
import { SC } from './openinference/keys.js';
import type { AttributeSink } from './openinference/redaction.js';

/** Span names by JSON-RPC method, as Envoy AI Gateway (and mcp-go) name them. */
const SPAN_NAMES: Readonly<Record<string, string>> = {
  initialize: 'Initialize',
  'tools/list': 'ListTools',
  'tools/call': 'CallTool',
  'prompts/list': 'ListPrompts',
  'prompts/get': 'GetPrompt',
  'resources/list': 'ListResources',
  'resources/read': 'ReadResource',
  'resources/subscribe': 'Subscribe',
  'resources/unsubscribe': 'Unsubscribe',
  'resources/templates/list': 'ListResourceTemplates',
  'logging/setLevel': 'SetLoggingLevel',
  'completion/complete': 'Complete',
  ping: 'Ping',
};

export function mcpSpanName(method: string): string {
  return SPAN_NAMES[method] ?? method;
}

export const MCP_ATTRIBUTES = {
  METHOD: 'mcp.method.name',
  TRANSPORT: 'mcp.transport',
  SERVER: 'mcp.backend.name',
  TOOL: 'mcp.tool.name',
  OUTCOME: 'switchyard.mcp.outcome',
  ERROR_CODE: 'switchyard.mcp.error_code',
} as const;

/** Outcomes that make the span an error (a tool that reported `isError` is one too). */
export function mcpCallFailed(end: McpCallEnd): boolean {
  return end.outcome !== 'ok' && end.outcome !== 'cancelled';
}

export function mcpSpanAttributes(sink: AttributeSink, start: McpCallStart, end: McpCallEnd): void {
  sink.set(MCP_ATTRIBUTES.METHOD, start.method);
  sink.set(MCP_ATTRIBUTES.TRANSPORT, 'http');
  sink.set(MCP_ATTRIBUTES.SERVER, start.server);
  sink.set(MCP_ATTRIBUTES.OUTCOME, end.outcome);
  sink.set(MCP_ATTRIBUTES.ERROR_CODE, end.errorCode);
  if (start.method !== 'tools/call') return;
  sink.set(SC.OPENINFERENCE_SPAN_KIND, OpenInferenceSpanKind.TOOL);
  sink.set(MCP_ATTRIBUTES.TOOL, start.tool);
  sink.set(SC.TOOL_NAME, start.tool);
  if (start.arguments !== undefined) {
    sink.set(SC.INPUT_VALUE, () => JSON.stringify(start.arguments));
    sink.set(SC.INPUT_MIME_TYPE, MimeType.JSON);
  }
  if (end.result !== undefined) {
    sink.set(SC.OUTPUT_VALUE, () => JSON.stringify(end.result));
    sink.set(SC.OUTPUT_MIME_TYPE, MimeType.JSON);
  }
}
