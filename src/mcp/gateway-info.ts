/** How the gateway names itself to MCP clients (serverInfo) and to MCP servers (clientInfo). */
export const GATEWAY_INFO = { name: 'switchyard', version: '0.1.0' } as const;
