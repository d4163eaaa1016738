import { buildApp } from '../../api/app.ts';
import { metricsOf } from '../../api/metrics.ts';
import { SharedWindowCounter } from '../../api/rate-window.ts';
import { startServer } from '../../api/server.ts';
import { streamHubOf } from '../../api/ws.ts';
import type { Cache, PubSub } from '../../cache/index.ts';
import type { ConfigStore } from '../../config/store.ts';
import { ConfigError, describeError, UnavailableError } from '../../core/errors.ts';
import type { Db } from '../../store/db.ts';
import { openPostgres } from '../../store/postgres.ts';
import type { CommandContext } from '../context.ts';

export interface ServeOptions {
  /** @defaultValue settings.port (env PORT, 3000) */
  port?: number;
  /** @defaultValue settings.host (env HOST, 127.0.0.1) */
  host?: string;
}

export interface Serving {
  url: string;
  port: number;
  /** The server's cache, pub/sub and config store (closed by `close`): `start` runs its stream on them. */
  services: { cache: Cache; pubsub: PubSub; config: ConfigStore };
  close(): Promise<void>;
}

/**
 * Builds the API from the command's context (store, settings, cache and pub/sub as configured: Redis when
 * `REDIS_URL` is set, else memory + LISTEN/NOTIFY; per-key and per-user request budgets shared through Redis
 * when it is set, else counted in this process; hot-reloaded config parameters) and starts listening.
 * With `DATABASE_READ_URL` the read-only routes use a second pool on the read replica (migrations run on the
 * primary only; replication brings them to the replica). The admin API is mounted only when `JWT_SECRET` is
 * set (otherwise `/admin/*` answers 503 saying why).
 */
export async function startServing(c: CommandContext, opts: ServeOptions = {}): Promise<Serving> {
  const readDb = c.settings.databaseReadUrl ? await openReadReplica(c.settings.databaseReadUrl) : undefined;
  try {
    return await listen(c, opts, readDb);
  } catch (err) {
    await readDb?.close().catch(() => undefined);
    throw err;
  }
}

/** The read replica's pool; a replica that does not answer stops the start, naming the setting. */
async function openReadReplica(url: string): Promise<Db> {
  try {
    return await openPostgres(url);
  } catch (err) {
    // e.g. `DATABASE_READ_URL: database "replica" does not exist at 127.0.0.1:5432`
    const message = `DATABASE_READ_URL: ${describeError(err)}`;
    throw err instanceof ConfigError
      ? new ConfigError(message, { cause: err })
      : new UnavailableError(message, { cause: err });
  }
}

async function listen(c: CommandContext, opts: ServeOptions, readDb: Db | undefined): Promise<Serving> {
  // one cache, pub/sub and config store per process: the runtime's (shared with the jobs under `start`)
  const { cache, pubsub } = c.runtime;
  const config = await c.runtime.config();
  // Scaled out, every process draws API-key and admin-user budgets from one window per id in Redis.
  const rateWindows = c.settings.redisUrl
    ? new SharedWindowCounter({ url: c.settings.redisUrl, log: c.log })
    : undefined;
  const verbose = c.settings.logLevel === 'debug' || c.settings.logLevel === 'trace';
  const deps = {
    db: c.db,
    readDb,
    settings: c.settings,
    config,
    cache,
    pubsub,
    rateWindows,
    logger: verbose ? c.log : false,
    errorLog: c.log,
    adminApi: Boolean(c.settings.jwtSecret),
    sources: c.runtime.sources,
  } as const;
  const app = buildApp(deps);
  metricsOf(deps).enableProcessMetrics();
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(app, {
      port: opts.port ?? c.settings.port,
      host: opts.host ?? c.settings.host,
    });
  } catch (err) {
    await app.close().catch(() => undefined);
    await Promise.allSettled([rateWindows?.close()]);
    throw err;
  }
  if (!c.settings.jwtSecret) c.log.warn('JWT_SECRET is not set: the admin API (/admin/*) is off');
  if (c.settings.apiKeys.length === 0) c.log.info('API_KEYS is not set: data routes are open');
  if (readDb) c.log.info('DATABASE_READ_URL is set: read-only routes read from the replica');
  let closed = false;
  return {
    url: server.url,
    port: server.port,
    services: { cache, pubsub, config },
    close: async () => {
      if (closed) return;
      closed = true;
      await server.close();
      await Promise.allSettled([rateWindows?.close(), readDb?.close()]);
      c.log.info(`stopped (${JSON.stringify(streamHubOf(deps)?.stats() ?? {})} stream clients at the end)`);
    },
  };
}

/** Runs the API server until SIGINT/SIGTERM, then closes it (streams get 1001, in-flight requests finish). */
export async function serve(c: CommandContext, opts: ServeOptions = {}): Promise<void> {
  const s = await startServing(c, opts);
  c.print(
    { url: s.url, port: s.port, docs: `${s.url}/docs` },
    (r) => `marketpipe serving on ${r.url} (API docs ${r.docs})`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  c.log.info('shutting down');
  await s.close();
}
