/**
 * The composition root: every process (each CLI command, `serve`, `worker`, `scheduler`, `start`, the tests)
 * builds one Runtime from its settings and passes it down. No module below builds a store, cache, pub/sub,
 * config store or provider client of its own, so a process holds one of each: one cache and one pub/sub
 * whatever mix of API and jobs it runs, and one client (hence one rate-limit bucket) per provider.
 *
 * The cache, pub/sub, config store, provider clients and job registry are built on first use (a command that
 * needs none of them opens none), then kept until `close()`.
 */
import { type Cache, createCache, createPubSub, type PubSub } from './cache/index.ts';
import { ConfigStore } from './config/store.ts';
import { createLogger, type Logger } from './core/log.ts';
import type { Clock, Registry } from './jobs/types.ts';
import { realClock } from './jobs/types.ts';
import { buildProviderClients, configuredLimits, type ProviderClients } from './pipeline/sources.ts';
import type { Settings } from './settings.ts';
import type { RateLimiterFactory } from './sources/rate-limit.ts';
import { rateLimiterFor } from './sources/shared-rate-limit.ts';
import type { Db } from './store/db.ts';
import { openStore, type StoreMode } from './store/open.ts';

export interface Runtime {
  readonly settings: Settings;
  readonly log: Logger;
  /** The store every repository reads and writes. */
  readonly store: Db;
  readonly storeMode: StoreMode;
  /** Redis when `REDIS_URL` is set, else in memory. */
  readonly cache: Cache;
  /** Redis pub/sub when `REDIS_URL` is set, else LISTEN/NOTIFY on the store. */
  readonly pubsub: PubSub;
  /** The config parameters (hot-reloaded when the runtime was built with `liveConfig`). */
  config(): Promise<ConfigStore>;
  /** One client per provider, rate limits from the config parameters (one budget per provider). */
  sources(): Promise<ProviderClients>;
  /** The provider rate limiter shared through Redis when scaled out (undefined: in-process buckets). */
  readonly rateLimiter: RateLimiterFactory | undefined;
  /** The job registry (every job's implementation, loaded on first use). */
  registry(): Promise<Registry>;
  readonly clock: Clock;
  /** Closes what was built, the store last (only when the runtime opened it). Idempotent. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** @defaultValue a logger at `settings.logLevel` */
  log?: Logger;
  /** An open store to use instead of opening the one the settings name (tests); the caller closes it. */
  db?: Db;
  /** How `db` was opened. @defaultValue 'memory' */
  storeMode?: StoreMode;
  /** Subscribe the config store to changes (servers); one-shot commands read it once. @defaultValue false */
  liveConfig?: boolean;
  /** @defaultValue the real clock */
  clock?: Clock;
  /** A job registry instead of the default one (tests). */
  registry?: Registry;
}

/** Opens the store (embedded by default, migrated) and wires the rest on first use. */
export async function createRuntime(settings: Settings, opts: RuntimeOptions = {}): Promise<Runtime> {
  const log = opts.log ?? createLogger(settings.logLevel, undefined, { json: settings.logJson });
  const opened = opts.db
    ? { db: opts.db, mode: opts.storeMode ?? 'memory', close: async () => undefined }
    : await openStore({ home: settings.home, databaseUrl: settings.databaseUrl });
  const db = opened.db;
  const rateLimiter = rateLimiterFor(settings);
  let cache: Cache | undefined;
  let pubsub: PubSub | undefined;
  let config: Promise<ConfigStore> | undefined;
  let sources: Promise<ProviderClients> | undefined;
  let closed = false;
  const openConfig = () => {
    config ??= ConfigStore.open({
      db,
      log,
      live: opts.liveConfig ?? false,
      env: settings.configEnv,
      processName: settings.processName,
    });
    return config;
  };
  return {
    settings,
    log,
    store: db,
    storeMode: opened.mode,
    get cache() {
      cache ??= createCache(settings, log);
      return cache;
    },
    get pubsub() {
      pubsub ??= createPubSub(settings, db, log);
      return pubsub;
    },
    config: openConfig,
    rateLimiter,
    sources() {
      sources ??= openConfig().then((c) => buildProviderClients(settings, configuredLimits(c), rateLimiter));
      return sources;
    },
    async registry() {
      if (opts.registry) return opts.registry;
      const { DEFAULT_JOBS } = await import('./jobs/registry.ts');
      return DEFAULT_JOBS;
    },
    clock: opts.clock ?? realClock,
    async close() {
      if (closed) return;
      closed = true;
      const cfg = config ? await config.catch(() => undefined) : undefined;
      await Promise.allSettled([pubsub?.close(), cache?.close(), cfg?.close()]);
      await opened.close();
    },
  };
}
