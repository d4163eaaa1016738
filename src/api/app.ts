import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Cache, PubSub } from '../cache/index.ts';
import type { ConfigService } from '../config/service.ts';
import type { ConfigStore } from '../config/store.ts';
import { ConfigError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { ProviderClients } from '../pipeline/sources.ts';
import type { Settings } from '../settings.ts';
import type { Db } from '../store/db.ts';
import { jwtKey, useAdminAuth } from './auth.ts';
import { installErrorHandlers, redactUrl } from './errors.ts';
import { installHttpMetrics } from './metrics.ts';
import type { WindowCounter } from './rate-window.ts';
import { installDateChecks } from './routes/date-params.ts';
import { ROUTES, type RouteModule } from './routes/index.ts';
import { webDashboard } from './static.ts';

/** The settings the HTTP layer reads. */
export type ApiSettings = Pick<Settings, 'jwtSecret' | 'corsOrigins'> & Partial<Pick<Settings, 'apiKeys'>>;

/**
 * Everything the routes need, built once at start-up (`serve`, tests) and handed to every route plugin.
 * Route modules that need more add an optional field here.
 */
export interface AppDeps {
  /** The primary store: every write, the admin routes and the ConfigStore. */
  db: Db;
  /**
   * A read replica of `db` (`DATABASE_READ_URL`) for the routes that only read (see read-db.ts); `/ready`
   * checks both. @defaultValue db
   */
  readDb?: Db;
  settings: ApiSettings;
  /** Parameters in memory (hot-reloaded); admin reads are served from it. */
  config: ConfigStore;
  /** Audited parameter writes. @defaultValue new ConfigService(db, config) */
  configService?: ConfigService;
  /** Request logger; false for none (tests). @defaultValue false */
  logger?: Logger | false;
  /**
   * Where 5xx answers are logged (error level, with the request id) when `logger` is off — `serve` keeps
   * request logging for LOG_LEVEL=debug but server errors must show at every level. @defaultValue logger
   */
  errorLog?: Logger;
  /**
   * Mount the admin routes. When true, a missing or short `JWT_SECRET` makes buildApp throw; when false,
   * `/admin/*` answers 503 saying why. @defaultValue true
   */
  adminApi?: boolean;
  /** Admin requests per minute per user. @defaultValue 100 */
  adminRateLimit?: number;
  /** Route modules to mount. @defaultValue ROUTES */
  routes?: readonly RouteModule[];
  /** Trust `X-Forwarded-For` (behind a reverse proxy) for the client IP. @defaultValue false */
  trustProxy?: boolean | string | string[];
  /** Cache in front of the store (cache-aside): the runtime's. */
  cache: Cache;
  /** Cross-process events feeding the WebSocket streams; without it the streams only send snapshots. */
  pubsub?: PubSub;
  /** The runtime's provider clients, for jobs run through the admin API; without them those jobs get none. */
  sources?: () => Promise<ProviderClients>;
  /** Data requests per minute per API key (when `settings.apiKeys` is set). @defaultValue 600 */
  apiKeyRateLimit?: number;
  /**
   * Counts the per-key and per-admin-user request budgets; `serve` passes a `SharedWindowCounter` when
   * `REDIS_URL` is set, so scaled-out processes share one budget. @defaultValue in-process counters per app
   */
  rateWindows?: WindowCounter;
}

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
