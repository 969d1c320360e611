/**
 * Every JSON-RPC error the MCP gateway answers with, in one place. Messages are written for
 * the client: they name the tool or server, never a header, a backend session id or a
 * backend's response body. Errors a backend itself returns pass through with their code,
 * message and data.
 */
import { ErrorCode, type McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * Server-defined JSON-RPC code (the -32000..-32099 range) for "the MCP server behind this
 * name could not be reached or stopped answering". Its `data` is `{server}`.
 */
export const UPSTREAM_UNAVAILABLE = -32010;

/** The code the MCP SDKs use with HTTP 404 for an unknown `Mcp-Session-Id`. */
export const SESSION_NOT_FOUND = -32001;

/**
 * A JSON-RPC error as the SDK's server serialises it: `code`, `message` and `data` are sent
 * as they are (unlike `McpError`, whose message carries an "MCP error N:" prefix).
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export const McpErrors = {
  unknownTool: (name: string) =>
    new RpcError(
      ErrorCode.InvalidParams,
      `Unknown tool "${name}": gateway tools are named <server>__<tool>; tools/list shows them`,
    ),
  toolNotIncluded: (name: string, server: string) =>
    new RpcError(
      ErrorCode.InvalidParams,
      `Tool "${name}" is not exposed by this gateway: it is not in the includeTools of MCP server "${server}"`,
    ),
  unknownPrompt: (name: string) =>
    new RpcError(
      ErrorCode.InvalidParams,
      `Unknown prompt "${name}": gateway prompts are named <server>__<prompt>; prompts/list shows them`,
    ),
  unknownResource: (uri: string) =>
    new RpcError(
      ErrorCode.InvalidParams,
      `Unknown resource "${uri}": gateway resource URIs are written <server>+<uri>; resources/list shows them`,
    ),
  invalidCursor: () =>
    new RpcError(
      ErrorCode.InvalidParams,
      'Invalid or expired cursor: list again without a cursor to start over',
    ),
  upstreamUnavailable: (server: string, reason: string) =>
    new RpcError(UPSTREAM_UNAVAILABLE, `MCP server "${server}" is unavailable: ${reason}`, { server }),
  noServerAnswered: (reasons: readonly string[]) =>
    new RpcError(
      UPSTREAM_UNAVAILABLE,
      `No MCP server behind this gateway answered the initialize request (${reasons.join('; ')})`,
    ),
  internal: () => new RpcError(ErrorCode.InternalError, 'The gateway hit an internal error'),
} as const;

/** A backend's own JSON-RPC error, re-raised for the client without the SDK's message prefix. */
export function fromBackendError(err: McpError): RpcError {
  const prefix = `MCP error ${err.code}: `;
  const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return new RpcError(err.code, message, err.data);
}

export { jsonRpcErrorBody } from './json-rpc.js';
