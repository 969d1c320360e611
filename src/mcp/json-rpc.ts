/**
 * JSON-RPC error bodies the HTTP layer writes itself. Kept apart from `errors.ts` (which
 * needs the MCP SDK) so that a gateway without MCP servers never loads the SDK.
 */

/** A JSON-RPC error response written directly by the HTTP layer (no request was dispatched). */
export function jsonRpcErrorBody(code: number, message: string, id: string | number | null = null): string {
  return JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id });
}
