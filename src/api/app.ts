import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { ConfigError } from '../core/errors.ts';
import { jwtKey, useAdminAuth } from './auth.ts';
import type { AppDeps } from './deps.ts';
import { installErrorHandlers, redactUrl } from './errors.ts';
import { installHttpMetrics } from './metrics.ts';
import { installDateChecks } from './routes/date-params.ts';
import { ROUTES } from './routes/index.ts';
import { webDashboard } from './static.ts';
import { openApiTransform } from './type-provider.ts';

/** The fields of a request Fastify hands to the `req` serializer that we log. */
interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
}

/** Fastify's own request fields (logger-pino.js), with credentials in the URL redacted. */
const logRequest = (req: LoggedRequest) => ({
  method: req.method,
  url: redactUrl(req.url),
  host: req.host,
  remoteAddress: req.ip,
});

/** Builds the HTTP app from its dependencies; it does not listen (see `startServer`). */
export function buildApp(deps: AppDeps): FastifyInstance {
  const adminApi = deps.adminApi ?? true;
  let adminDisabled: string | undefined;
  try {
    jwtKey(deps.settings.jwtSecret);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (adminApi) throw new ConfigError(`cannot start the admin API: ${err.message}`, { cause: err });
    adminDisabled = err.message;
  }
  if (!adminApi) adminDisabled ??= 'the admin API is turned off';

  const trustProxy = deps.trustProxy ?? false;
  // Request lines carry the URL: its credentials (a WebSocket's ?api_key=) are redacted.
  const requestLogger = deps.logger ? deps.logger.child({}, { serializers: { req: logRequest } }) : undefined;
  const app: FastifyInstance = requestLogger
    ? Fastify({ loggerInstance: requestLogger as FastifyBaseLogger, trustProxy })
    : Fastify({ logger: false, trustProxy });
  installErrorHandlers(app, deps.errorLog ?? requestLogger);
  installDateChecks(app);
  installHttpMetrics(app, deps);

  // No configured origin: no CORS headers at all, and no hook on every request to decide that.
  if (deps.settings.corsOrigins.length > 0) void app.register(cors, { origin: deps.settings.corsOrigins });
  void app.register(swagger, {
    // Routes declared with the zod contract (api/contract/) appear as the JSON schema zod derives.
    transform: openApiTransform,
    openapi: {
      info: { title: 'marketpipe', description: 'Market data and risk API', version: '0.1.0' },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
    },
  });
  void app.register(swaggerUi, { routePrefix: '/docs' });

  // `/health`, `/ready` and `/metrics` live in routes/health.ts (registered after swagger, so /docs lists them).
  const routes = deps.routes ?? ROUTES;
  for (const route of routes) {
    if (!route.admin) void app.register(route.plugin, { deps, prefix: route.prefix ?? '' });
  }
  if (adminDisabled === undefined) {
    // One admin scope: every admin route shares the token check and each user's request budget.
    void app.register(async (scope) => {
      await useAdminAuth(scope, {
        secret: deps.settings.jwtSecret,
        max: deps.adminRateLimit,
        windows: deps.rateWindows,
      });
      for (const route of routes) {
        if (route.admin) await scope.register(route.plugin, { deps, prefix: route.prefix ?? '' });
      }
    });
  } else {
    const message = `admin API disabled: ${adminDisabled}`;
    app.all('/admin/*', { schema: { hide: true } }, async (_req, reply) =>
      reply.status(503).send({ error: 'admin_disabled', message }),
    );
  }
  // The dashboard at `/` (a page saying how to build it when web/dist is missing; API paths unaffected).
  void app.register(webDashboard);
  return app;
}
