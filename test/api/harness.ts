import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import type { AppDeps } from '../../src/api/deps.ts';
import { type RunningServer, startServer } from '../../src/api/server.ts';
import type { Cache, PubSub } from '../../src/cache/index.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { ConfigStore } from '../../src/config/store.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { createTempDatabase } from '../store/backends.ts';
import { seedApiFixture } from './fixture.ts';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique prefix so tests sharing the machine's Redis never see each other's keys. */
export const testPrefix = (area: string) => `mp_test_${area}_${randomBytes(4).toString('hex')}:`;

export interface ApiHarness {
  db: Db;
  deps: AppDeps;
  app: FastifyInstance;
  server: RunningServer;
  /** PostgreSQL only. */
  dbUrl?: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  store: 'pglite' | 'postgres';
  cache?: Cache;
  /** A pub/sub, or a factory given the store (e.g. LISTEN/NOTIFY on it). */
  pubsub?: PubSub | ((db: Db) => PubSub);
  apiKeys?: string[];
  apiKeyRateLimit?: number;
  corsOrigins?: string[];
  routes?: AppDeps['routes'];
  /** Seed the small fixture (default true). */
  seed?: boolean;
}

/** A migrated, seeded store and the app listening on a free loopback port. */
export async function startApi(opts: HarnessOptions): Promise<ApiHarness> {
  let db: Db;
  let dropDb: () => Promise<void> = async () => undefined;
  let dbUrl: string | undefined;
  if (opts.store === 'pglite') db = await openPglite();
  else {
    const tmp = await createTempDatabase('api');
    dbUrl = tmp.url;
    db = await openPostgres(tmp.url, { connectTimeoutMs: 2000 });
    dropDb = tmp.drop;
  }
  await migrate(db);
  if (opts.seed ?? true) await seedApiFixture(db);
  const config = await ConfigStore.open({ db, live: false });
  const deps: AppDeps = {
    db,
    settings: { corsOrigins: opts.corsOrigins ?? [], apiKeys: opts.apiKeys ?? [] },
    config,
    cache: opts.cache ?? new MemoryCache(),
    pubsub: typeof opts.pubsub === 'function' ? opts.pubsub(db) : opts.pubsub,
    adminApi: false,
    apiKeyRateLimit: opts.apiKeyRateLimit,
    routes: opts.routes,
  };
  const app = buildApp(deps);
  const server = await startServer(app, { port: 0 });
  return {
    db,
    deps,
    app,
    server,
    dbUrl,
    async close() {
      await server.close();
      await config.close();
      await db.close();
      await dropDb();
    },
  };
}
