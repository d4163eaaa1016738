/**
 * What the HTTP layer is built from: the app's dependencies and the shape of a route module. Its own module
 * so route files, `app.ts` and the route list can share the types without importing one another.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Cache, PubSub } from '../cache/index.ts';
import type { ConfigService } from '../config/service.ts';
import type { ConfigStore } from '../config/store.ts';
import type { Logger } from '../core/log.ts';
import type { ProviderClients } from '../pipeline/sources.ts';
import type { Settings } from '../settings.ts';
import type { Db } from '../store/db.ts';
import type { WindowCounter } from './rate-window.ts';

/** The settings the HTTP layer reads. */
type ApiSettings = Pick<Settings, 'jwtSecret' | 'corsOrigins'> & Partial<Pick<Settings, 'apiKeys'>>;

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

/** What every route plugin receives: the app's dependencies. */
export interface RouteOptions {
  deps: AppDeps;
}

/** One resource's routes: `src/api/routes/<resource>.ts` exports the plugin, this list mounts it. */
export interface RouteModule {
  /** Resource name, for logs and errors. */
  name: string;
  plugin: FastifyPluginAsync<RouteOptions>;
  /** URL prefix for every route of the plugin. @defaultValue '' (paths written in full) */
  prefix?: string;
  /**
   * Admin routes: mounted inside the admin scope, which requires a valid JWT (`req.user` is set) and
   * limits each user to 100 requests/min across all admin routes; add `preHandler: requireRole('admin')`
   * to routes that change things. Not mounted when the admin API is off. @defaultValue false
   */
  admin?: boolean;
}
