import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildApp } from '../../src/api/app.ts';
import { createToken } from '../../src/api/auth.ts';
import { type RunningServer, startServer } from '../../src/api/server.ts';
import { runBacktest } from '../../src/backtest/service.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { startServing } from '../../src/cli/commands/serve.ts';
import { contextOf } from '../../src/cli/context.ts';
import { ConfigStore } from '../../src/config/store.ts';
import { createLogger } from '../../src/core/log.ts';
import { createRuntime } from '../../src/runtime.ts';
import { loadSettings } from '../../src/settings.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openStore } from '../../src/store/open.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { coverage } from '../../src/store/repos/coverage.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { blockDatabase, createTempDatabase, PG_ADMIN_URL, unblockDatabase } from '../store/backends.ts';
import { seedApiFixture } from './fixture.ts';

/**
 * API reads from a read replica (`AppDeps.readDb`, `DATABASE_READ_URL`). There is no replication on the test
 * machine, so two PostgreSQL databases stand in for primary and replica: both migrated and seeded with the
 * API fixture at the same instant, then a few values changed in the "replica" only. A GET answering the
 * replica's value read the replica; a write found in the primary only went to the primary.
 */
const SECRET = 'test-secret-0123456789abcdef-0123456789';
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'marketpipe.mjs');

/** Values the replica holds instead of the fixture's (fixture.ts: "Bitcoin", a BTC point price of 65,000). */
const REPLICA_BTC_NAME = 'Bitcoin (replica)';
const REPLICA_BTC_PRICE = 61_234;
const REPLICA_JOB = 'replica_only_job';
/** The fixture's validation report has a handful of checks; the replica's copy says 999. */
const REPLICA_TOTAL_CHECKS = 999;

interface TempDb {
  db: Db;
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function tempDb(area: string): Promise<TempDb> {
  const tmp = await createTempDatabase(area);
  const db = await openPostgres(tmp.url, { connectTimeoutMs: 2000 });
  await migrate(db);
  return { db, url: tmp.url, name: new URL(tmp.url).pathname.slice(1), drop: tmp.drop };
}

/** Server processes connected to database `name` (read through the admin database). */
async function connectionsTo(name: string): Promise<number> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    const res = await c.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    return res.rows[0]?.n ?? 0;
  } finally {
    await c.end();
  }
}

/** Polls `check` until it holds (generous deadline: the CI machine is loaded). */
async function until(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const countsOf = (rows: Array<{ symbol: string; interval: string; count: number }>) =>
  rows.map((r) => `${r.symbol} ${r.interval} ${r.count}`).sort();

describe('API with a read replica (two PostgreSQL databases as primary and replica)', () => {
  let primary: TempDb;
  let replica: TempDb;
  let config: ConfigStore;
  let app: FastifyInstance;
  let server: RunningServer;
  /** The same primary without a replica: the answers as before. */
  let plain: FastifyInstance;
  let admin: string;

  beforeAll(async () => {
    [primary, replica] = await Promise.all([tempDb('rr_primary'), tempDb('rr_replica')]);
    const now = Date.now();
    await Promise.all([seedApiFixture(primary.db, now), seedApiFixture(replica.db, now)]);
    const r = replica.db;
    await r.query('UPDATE market_data.instruments SET name = $1 WHERE symbol = $2', [
      REPLICA_BTC_NAME,
      'BTC',
    ]);
    await r.query(
      `UPDATE market_data.prices SET price = $1
        WHERE instrument_id = (SELECT id FROM market_data.instruments WHERE symbol = 'BTC')`,
      [REPLICA_BTC_PRICE],
    );
    // ETH keeps only its last day of hourly bars on the replica: coverage counts differ.
    await r.query(
      `DELETE FROM market_data.bars WHERE interval = '1h' AND ts < now() - interval '1 day'
          AND instrument_id = (SELECT id FROM market_data.instruments WHERE symbol = 'ETH')`,
    );
    await r.query(`INSERT INTO ops.job_runs (job, status) VALUES ($1, 'completed')`, [REPLICA_JOB]);
    await r.query(
      `UPDATE ops.validation_reports SET report = jsonb_set(report, '{total_checks}', to_jsonb($1::int))`,
      [REPLICA_TOTAL_CHECKS],
    );

    config = await ConfigStore.open({ db: primary.db, live: false });
    const settings = { jwtSecret: SECRET, corsOrigins: [] };
    app = buildApp({ cache: new MemoryCache(), db: primary.db, readDb: replica.db, settings, config });
    server = await startServer(app, { port: 0 });
    plain = buildApp({ cache: new MemoryCache(), db: primary.db, settings, config });
    await plain.ready();
    admin = await createToken({ secret: SECRET, user: 'alice', role: 'admin', ttlSeconds: 600 });
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    await plain?.close();
    await config?.close();
    for (const d of [primary, replica]) {
      await d?.db.close();
      await d?.drop();
    }
  });

  const get = async (a: FastifyInstance, url: string) => {
    const res = await a.inject({ url });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json();
  };

  it('the GET data routes answer with the replica’s values; without readDb, with the primary’s', async () => {
    expect((await get(app, '/api/asset/BTC?range=1M')).name).toBe(REPLICA_BTC_NAME);
    expect((await get(plain, '/api/asset/BTC?range=1M')).name).toBe('Bitcoin');

    const watch = async (a: FastifyInstance) => (await get(a, '/api/watchlist?symbols=BTC')).items[0].price;
    expect(await watch(app)).toBe(REPLICA_BTC_PRICE);
    expect(await watch(plain)).toBe(65_000);

    const names = async (a: FastifyInstance) =>
      ((await get(a, '/api/market')).asset_classes as Array<{ instruments: Array<{ name: string }> }>)
        .flatMap((c) => c.instruments)
        .map((i) => i.name);
    expect(await names(app)).toContain(REPLICA_BTC_NAME);
    expect(await names(plain)).not.toContain(REPLICA_BTC_NAME);

    const onReplica = countsOf(await coverage(replica.db));
    expect(onReplica, 'the replica was changed').not.toEqual(countsOf(await coverage(primary.db)));
    expect(countsOf((await get(app, '/api/monitor/coverage')).instruments)).toEqual(onReplica);

    const jobs = async (a: FastifyInstance) =>
      ((await get(a, '/api/jobs/runs')).runs as Array<{ job: string }>).map((r) => r.job);
    expect(await jobs(app)).toContain(REPLICA_JOB);
    expect(await jobs(plain)).not.toContain(REPLICA_JOB);

    expect(await get(app, '/api/quality/report')).toMatchObject({
      total_checks: REPLICA_TOTAL_CHECKS,
      stored: true,
    });
    expect((await get(plain, '/api/quality/report')).total_checks).not.toBe(REPLICA_TOTAL_CHECKS);
  });

  it('the /ws/monitor coverage snapshot comes from the replica', async () => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws/monitor`);
    try {
      const [raw] = (await once(ws, 'message')) as [Buffer];
      const msg = JSON.parse(String(raw)) as { type: string; instruments: Parameters<typeof countsOf>[0] };
      expect(msg.type).toBe('coverage');
      expect(countsOf(msg.instruments)).toEqual(countsOf(await coverage(replica.db)));
    } finally {
      ws.close();
    }
  });

  it('writes land on the primary only: an admin config change, a backtest run', async () => {
    const param = `SELECT value::text AS v FROM config.parameters WHERE category = 'pricing' AND key = 'base_rate_USDC'`;
    const before = (await replica.db.query<{ v: string }>(param)).rows[0]?.v;
    const put = await app.inject({
      method: 'PUT',
      url: '/admin/config/pricing/base_rate_USDC',
      headers: { authorization: `Bearer ${admin}` },
      payload: { value: 0.0573, reason: 'read replica test' },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect((await primary.db.query<{ v: string }>(param)).rows[0]?.v).toBe('0.0573');
    expect((await replica.db.query<{ v: string }>(param)).rows[0]?.v).toBe(before);
    // Admin reads come from the ConfigStore, which follows the primary: fresh right after the write.
    const read = await app.inject({
      url: '/admin/config/pricing/base_rate_USDC',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(read.json()).toMatchObject({ value: 0.0573 });

    const run = await app.inject({
      method: 'POST',
      url: '/api/backtests',
      payload: { strategy: 'ma-crossover', symbols: ['BTC'] },
    });
    expect(run.statusCode, run.body).toBe(200);
    const id = run.json().id as number;
    const byId = 'SELECT count(*)::int AS n FROM strategies.performance WHERE id = $1';
    expect((await primary.db.query<{ n: number }>(byId, [id])).rows[0]?.n).toBe(1);
    expect((await replica.db.query<{ n: number }>(byId, [id])).rows[0]?.n).toBe(0);

    // Read-your-writes: the replica has not got the run (as under replication lag); the primary answers.
    const back = await app.inject({ url: `/api/backtests/${id}` });
    expect([back.statusCode, back.json().id, back.json().strategy]).toEqual([200, id, 'ma-crossover']);
    const missing = await app.inject({ url: '/api/backtests/999999' });
    expect([missing.statusCode, missing.json().error]).toEqual([404, 'not_found']);
  });

  it('a by-id read goes to the replica first', async () => {
    // Ids far above the primary's, so the two independent databases never share one (a real replica would).
    await replica.db.query(`SELECT setval(pg_get_serial_sequence('strategies.performance', 'id'), 5000)`);
    const stored = await runBacktest(replica.db, { strategy: 'ma-crossover', symbols: ['ETH'], store: true });
    const id = stored.id as number;
    expect(id).toBeGreaterThan(5000);
    const res = await app.inject({ url: `/api/backtests/${id}` });
    expect([res.statusCode, res.json().id]).toEqual([200, id]);
    expect(res.json().symbols).toEqual(['ETH']);
    expect((await plain.inject({ url: `/api/backtests/${id}` })).statusCode).toBe(404);
  });

  it('/ready reports the primary and the replica', async () => {
    const ready = await app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ready',
      db: { ok: true, latency_ms: expect.any(Number) },
      read_db: { ok: true, latency_ms: expect.any(Number) },
    });
    const before = (await plain.inject({ url: '/ready' })).json();
    expect(before.status).toBe('ready');
    expect(before).not.toHaveProperty('read_db');
  });

  describe('serve with DATABASE_READ_URL', () => {
    it('opens a pool on the replica for the read routes and closes it on shutdown', async () => {
      // A replica of its own, so the connections counted are serve's alone.
      const own = await tempDb('rr_serve');
      try {
        await upsertInstruments(own.db, [
          {
            symbol: 'BTC',
            assetClass: 'crypto',
            name: 'Bitcoin (serve replica)',
            currency: 'USD',
            timezone: 'UTC',
          },
        ]);
        await own.db.close();
        expect(await connectionsTo(own.name)).toBe(0);
        const home = mkdtempSync(join(tmpdir(), 'mp-rr-'));
        const settings = loadSettings(
          { DATABASE_URL: primary.url, DATABASE_READ_URL: own.url, LOG_LEVEL: 'silent' },
          home,
        );
        const store = await openStore({ home, databaseUrl: primary.url });
        const runtime = await createRuntime(settings, {
          db: store.db,
          storeMode: store.mode,
          log: createLogger('silent'),
        });
        const c = contextOf(runtime, true);
        const s = await startServing(c, { port: 0, host: '127.0.0.1' });
        try {
          const asset = await fetch(`${s.url}/api/asset/BTC?range=1M`);
          expect(((await asset.json()) as { name: string }).name).toBe('Bitcoin (serve replica)');
          const ready = (await (await fetch(`${s.url}/ready`)).json()) as Record<string, unknown>;
          expect(ready).toMatchObject({ status: 'ready', db: { ok: true }, read_db: { ok: true } });
          // the pool keeps its connection between requests (pg closes idle ones after 10 s: ask again)
          await until(async () => {
            await fetch(`${s.url}/api/monitor/schemas`);
            return (await connectionsTo(own.name)) > 0;
          }, 'serve connected to the replica');
        } finally {
          await s.close();
          await c.close();
          await store.close();
        }
        await until(async () => (await connectionsTo(own.name)) === 0, 'no connection left on the replica');
      } finally {
        await own.drop();
      }
    }, 120_000);

    it('stops the start, naming the setting, when the replica does not answer', async () => {
      const home = mkdtempSync(join(tmpdir(), 'mp-rr-'));
      const missing = new URL(primary.url);
      missing.pathname = '/mp_rr_no_such_database';
      const settings = loadSettings(
        { DATABASE_URL: primary.url, DATABASE_READ_URL: missing.toString(), LOG_LEVEL: 'silent' },
        home,
      );
      const c = contextOf(
        await createRuntime(settings, { db: primary.db, storeMode: 'postgres', log: createLogger('silent') }),
        true,
      );
      await expect(startServing(c, { port: 0 })).rejects.toThrow(
        /^DATABASE_READ_URL: database "mp_rr_no_such_database" does not exist at /,
      );
    });

    it('with the embedded store, the CLI prints one line naming DATABASE_READ_URL and exits 1', async () => {
      const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          DATABASE_URL: '',
          DATABASE_READ_URL: replica.url,
          MARKETPIPE_HOME: mkdtempSync(join(tmpdir(), 'mp-rr-')),
        },
      });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(
        'marketpipe: DATABASE_READ_URL: a read replica needs DATABASE_URL (the embedded store has no replicas)',
      );
    }, 60_000);
  });
});

describe('/ready when the read replica is unreachable', () => {
  let primary: TempDb;
  let replica: TempDb;
  let config: ConfigStore;
  let app: FastifyInstance;

  beforeAll(async () => {
    [primary, replica] = await Promise.all([tempDb('rr_primary'), tempDb('rr_replica')]);
    config = await ConfigStore.open({ db: primary.db, live: false });
    app = buildApp({
      cache: new MemoryCache(),
      db: primary.db,
      readDb: replica.db,
      settings: { corsOrigins: [] },
      config,
      adminApi: false,
    });
    await app.ready();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await config?.close();
    await primary?.db.close();
    await replica?.db.close();
    if (replica) await unblockDatabase(replica.name).catch(() => undefined);
    await primary?.drop();
    await replica?.drop();
  });

  it('answers 503 naming the replica while it refuses connections, 200 again once it is back', async () => {
    expect((await app.inject({ url: '/ready' })).statusCode).toBe(200);
    await blockDatabase(replica.name); // no new connections, the pool's ones terminated
    const ready = await app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(503);
    const body = ready.json();
    expect(body).toMatchObject({
      status: 'unavailable',
      error: 'unavailable',
      db: { ok: true },
      read_db: { ok: false, error: expect.any(String) },
    });
    expect(body.message).toMatch(/^read replica \(DATABASE_READ_URL\) unreachable: /);
    // The read routes have no other store: they fail too (503: the store is unavailable), rather than switch
    // to the primary unnoticed.
    const read = await app.inject({ url: '/api/monitor/schemas' });
    expect([read.statusCode, read.json().error]).toEqual([503, 'unavailable']);

    await unblockDatabase(replica.name);
    await until(async () => (await app.inject({ url: '/ready' })).statusCode === 200, 'ready again');
    expect((await app.inject({ url: '/api/monitor/schemas' })).statusCode).toBe(200);
  });

  it('answers 503 when the replica database is gone', async () => {
    await replica.drop(); // WITH (FORCE): ends the pool's connections too
    const ready = await app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ db: { ok: true }, read_db: { ok: false } });
    expect(ready.json().message).toMatch(/^read replica \(DATABASE_READ_URL\) unreachable: .*does not exist/);
  });
});
