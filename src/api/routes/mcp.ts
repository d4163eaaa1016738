import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../../core/errors.ts';
import { apiKeyGate, checkApiKey } from '../api-keys.ts';
import { bearerToken, configuredJwtKey, verifyToken } from '../auth.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';

/**
 * MCP over streamable HTTP at `/mcp`, stateless: each POST carries one JSON-RPC message (or batch) and gets
 * its answer as JSON, served by a fresh server over the read store, so any `serve` process behind a load
 * balancer can answer. When API_KEYS or JWT_SECRET is set a caller must present either a configured key
 * (`x-api-key`, the data routes' gate and budget) or a valid token (`Authorization: Bearer`, `marketpipe
 * token create`, any role); with neither configured (local use) it is open.
 */
export const mcpRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  const gate = apiKeyGate(deps);
  const tokenKey = configuredJwtKey(deps.settings.jwtSecret);
  if (gate.enabled || tokenKey) {
    app.addHook('onRequest', async (req: FastifyRequest, reply) => {
      const token = tokenKey ? bearerToken(req) : undefined;
      if (token && tokenKey) {
        req.user = await verifyToken(token, tokenKey);
        return;
      }
      const presented = req.headers['x-api-key'];
      if (!gate.enabled || typeof presented !== 'string' || !presented) {
        throw new UnauthorizedError(
          `send ${[gate.enabled ? 'an API key (x-api-key)' : '', tokenKey ? 'a token (Authorization: Bearer)' : ''].filter(Boolean).join(' or ')}`,
        );
      }
      await checkApiKey(gate, req, reply);
    });
  }
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
