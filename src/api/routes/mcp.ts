import type { FastifyPluginAsync } from 'fastify';
import { useApiKeys } from '../api-keys.ts';
import { readerOf } from '../read-db.ts';
import type { RouteOptions } from './index.ts';

/**
 * MCP over streamable HTTP at `/mcp`, stateless: each POST carries one JSON-RPC message (or batch) and gets
 * its answer as JSON, served by a fresh server over the read store, so any `serve` process behind a load
 * balancer can answer. The API-key gate of the data routes applies (`x-api-key` when API_KEYS is set).
 */
export const mcpRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  const reader = readerOf(deps);

  app.post('/mcp', { schema: { hide: true } }, async (req, reply) => {
    const [{ StreamableHTTPServerTransport }, { createMcpServer }] = await Promise.all([
      import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
      import('../../mcp/server.ts'),
    ]);
    const server = createMcpServer(reader, { version: '0.1.0', config: async () => deps.config });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req.raw, reply.raw, req.body);
  });

  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: '/mcp',
      schema: { hide: true },
      handler: async (_req, reply) =>
        reply
          .code(405)
          .send({ error: 'method_not_allowed', message: 'this MCP endpoint is stateless: POST only' }),
    });
  }
};
