/**
 * The fault suite (`npm run test:faults`, issue 25): a private PostgreSQL cluster and a private Redis are
 * started here, stopped and restarted under load; every provider with a loopback fake × seven provider
 * faults; a worker killed with SIGKILL mid-job; the hostile SQL corpus against a fingerprinted store.
 * Each scenario adds a row to the table printed at the end (and quoted in the README's Reliability section).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { type RunningServer, startServer } from '../../src/api/server.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { RedisCache, RedisPubSub } from '../../src/cache/redis.ts';
import { executeGuarded } from '../../src/chat/execute.ts';
import { ConfigStore } from '../../src/config/store.ts';
import type { Instrument } from '../../src/core/types.ts';
import { createJobQueue } from '../../src/jobs/queue.ts';
import { runLatest } from '../../src/pipeline/latest.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { systemClock } from '../../src/sources/rate-limit.ts';
import { createSources } from '../../src/sources/source.ts';
import { SyntheticSource } from '../../src/sources/synthetic/client.ts';
import { seededRandom, virtualClock } from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { HOSTILE_REFUSED } from '../chat/hostile-corpus.ts';
import { seedBars } from '../chat/seed.ts';
import { stubRegistry } from '../jobs/fixtures/registry.ts';
import { testSettings } from '../jobs/helpers.ts';
import { type FakeOptions, startFakeBinance, startFakePolygon } from '../pipeline/fake-providers.ts';
import { snapshotStore, storeChanges } from '../quality/store-snapshot.ts';
import { PrivateRedis } from '../support/redis-server.ts';
import { startFakeCoinGecko, startFakeOanda, startFakeYahoo } from './fake-price-providers.ts';
import { type FaultRow, formatFaultTable } from './fault-table.ts';
import { FEED_CASES, runFeedFaults } from './feed-faults.ts';
import { PrivatePostgres } from './private-postgres.ts';
import { faultNote, isTransient, PROVIDER_FAULTS, startFaultProxy } from './provider-faults.ts';

const rows: FaultRow[] = [];
let pg: PrivatePostgres;
let redis: PrivateRedis;
let db: Db;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, fn: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
const count = async (sql: string, params: unknown[] = []) =>
  Number((await db.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);
const barsOf = (symbol: string) =>
  count(
    'SELECT count(*) AS n FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id WHERE i.symbol = $1',
    [symbol],
  );

const NOW = Date.UTC(2024, 5, 28, 22); // a Friday after the NYSE close
const FROM = Date.UTC(2024, 3, 1);
const equity = (symbol: string): Instrument => ({
  symbol,
  assetClass: 'equity',
  name: symbol,
  currency: 'USD',
  timezone: 'America/New_York',
  sources: { polygon: symbol },
});
const crypto = (symbol: string): Instrument => ({
  symbol,
  assetClass: 'crypto',
  name: symbol,
  currency: 'USD',
  timezone: 'UTC',
  sources: { binance: `${symbol}USDT` },
});

const coin = (symbol: string): Instrument => ({
  ...crypto(symbol),
  sources: { coingecko: symbol.toLowerCase() },
});
const fx = (symbol: string): Instrument => ({
  symbol,
  assetClass: 'fx',
  name: symbol,
  currency: 'USD',
  timezone: 'UTC',
  sources: { oanda: `${symbol}_USD` },
});
const yahooEquity = (symbol: string): Instrument => ({ ...equity(symbol), sources: { yahoo: symbol } });

beforeAll(async () => {
  [pg, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
  db = await openPostgres(pg.url, { max: 6, connectTimeoutMs: 1000 });
  await migrate(db);
}, 60_000);

afterAll(async () => {
  await db?.close().catch(() => undefined);
  await Promise.allSettled([pg?.dispose(), redis?.down()]);
  process.stdout.write(`\nmarketpipe fault suite\n${formatFaultTable(rows)}\n\n`);
}, 30_000);

describe('providers × faults (loopback servers speaking each wire format)', () => {
  const providers = [
    { name: 'polygon', make: equity, start: startFakePolygon, key: (s: string) => s },
    { name: 'binance', make: crypto, start: startFakeBinance, key: (s: string) => `${s}USDT` },
    {
      name: 'coingecko',
      make: coin,
      start: (o: FakeOptions) => startFakeCoinGecko({ ...o, now: NOW }),
      key: (s: string) => s.toLowerCase(),
    },
    {
      name: 'oanda',
      make: fx,
      start: (o: FakeOptions) => startFakeOanda({ ...o, now: NOW }),
      key: (s: string) => `${s}_USD`,
    },
    {
      name: 'yahoo',
      make: yahooEquity,
      start: (o: FakeOptions) => startFakeYahoo({ ...o, now: NOW }),
      key: (s: string) => s,
    },
  ] as const;

  for (const p of providers) {
    it(`${p.name}: every fault is retried or refused, and a clean re-run stores every row once`, async () => {
      const symbols = ['REF', ...PROVIDER_FAULTS.map((_, i) => `F${i}`)].map(
        (s) => `${p.name.slice(0, 2).toUpperCase()}${s}`,
      );
      const instruments = symbols.map(p.make);
      await upsertInstruments(db, instruments);
      const fake = await p.start({
        instruments: Object.fromEntries(instruments.map((inst) => [p.key(inst.symbol), inst])),
        pageSize: 20,
      });
      const sourcesFor = (baseUrl: string) =>
        createSources(
          {
            providers: { [p.name]: { baseUrl, apiKey: 'test-key' } },
            limits: { [p.name]: { timeoutMs: 400, rateLimit: { requests: 1000, intervalMs: 1000 } } },
          },
          { clock: virtualClock(NOW), random: seededRandom(7) },
        );
      const ingest = (baseUrl: string, symbol: string) =>
        runIngest(db, sourcesFor(baseUrl), {
          mode: 'backfill',
          from: FROM,
          to: NOW,
          symbols: [symbol],
          now: NOW,
          source: p.name,
        });
      try {
        const [ref = '', ...faulted] = symbols;
        await ingest(fake.baseUrl, ref);
        const expected = await barsOf(ref);
        expect(expected).toBeGreaterThan(0);
        for (const [i, fault] of PROVIDER_FAULTS.entries()) {
          const symbol = faulted[i] ?? '';
          let on = true;
          const proxy = await startFaultProxy(fake.baseUrl, fault, () => on, 1500);
          try {
            const first = await ingest(proxy.baseUrl, symbol).catch((e: unknown) =>
              e instanceof Error ? e : new Error(String(e)),
            );
            on = false;
            const firstOk = !(first instanceof Error) && first.failed === 0;
            const afterFirst = await barsOf(symbol);
            const second = await ingest(proxy.baseUrl, symbol);
            const stored = await barsOf(symbol);
            const recovered = second.failed === 0 && (!isTransient(fault) || firstOk) && stored === expected;
            rows.push({
              fault: `${p.name} ${fault}`,
              injected: proxy.injected(),
              recovered,
              rowsLost: Math.max(0, expected - stored),
              note: faultNote(fault, firstOk, afterFirst, expected),
            });
            expect(proxy.injected(), `${fault} was injected`).toBeGreaterThan(0);
            expect(stored, `${p.name} ${fault}: rows stored`).toBe(expected);
            expect(recovered, `${p.name} ${fault} recovered`).toBe(true);
          } finally {
            await proxy.close();
          }
        }
      } finally {
        await fake.close();
      }
    }, 60_000);
  }
});

describe('feeds × faults (FRED, NewsAPI, Alpha Vantage fakes replaying recorded payloads)', () => {
  for (const c of FEED_CASES) {
    it(`${c.name}: every fault is retried or refused, and a clean re-run stores every row once`, async () => {
      const { rows: feedRows } = await runFeedFaults(db, c);
      rows.push(...feedRows);
      for (const r of feedRows) {
        expect(r.injected, `${r.fault} was injected`).toBeGreaterThan(0);
        expect(r.rowsLost, `${r.fault}: rows lost`).toBe(0);
        expect(r.recovered, `${r.fault} recovered`).toBe(true);
      }
    }, 60_000);
  }
});

describe('PostgreSQL stopped and restarted under load (serve answering, ingest running)', () => {
  it('serve keeps answering /health, /ready says 503, ingest fails cleanly; after the restart all is back and nothing is lost', async () => {
    const btc = crypto('PGBTC');
    await upsertInstruments(db, [btc]);
    const fake = await startFakeBinance({ instruments: { PGBTCUSDT: btc } });
    const sources = createSources(
      { providers: { binance: { baseUrl: fake.baseUrl } } },
      { clock: virtualClock(NOW) },
    );
    const config = await ConfigStore.open({ db, live: false });
    const app = buildApp({
      cache: new MemoryCache(),
      db,
      config,
      settings: { corsOrigins: [] },
      adminApi: false,
    });
    let server: RunningServer | undefined;
    let polling = true;
    const health: number[] = [];
    try {
      server = await startServer(app, { port: 0 });
      const base = server.url;
      await runIngest(db, sources, {
        mode: 'backfill',
        from: FROM,
        to: Date.UTC(2024, 4, 1),
        symbols: ['PGBTC'],
        now: NOW,
      });
      const before = await snapshotStore(db);
      const stored = await barsOf('PGBTC');
      const poller = (async () => {
        while (polling) {
          const t0 = performance.now();
          const res = await fetch(`${base}/health`).catch(() => undefined);
          health.push(res?.status === 200 ? performance.now() - t0 : Number.POSITIVE_INFINITY);
          await sleep(50);
        }
      })();
      await pg.down();
      const ready = await fetch(`${base}/ready`);
      const during: Error | { failed: number } = await runIngest(db, sources, {
        mode: 'backfill',
        from: FROM,
        to: NOW,
        symbols: ['PGBTC'],
        now: NOW,
      }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      // /health reuses one store probe for a second: within two it must say the store is down
      let healthDown = { db: { ok: true }, config: { degraded: false } };
      await until(
        '/health to report the store down',
        async () => {
          healthDown = (await (await fetch(`${base}/health`)).json()) as typeof healthDown;
          return !healthDown.db.ok;
        },
        2500,
      );
      await sleep(1000);
      await pg.up();
      await until('/ready 200 after the restart', async () => (await fetch(`${base}/ready`)).status === 200);
      const after = await runIngest(db, sources, {
        mode: 'backfill',
        from: FROM,
        to: NOW,
        symbols: ['PGBTC'],
        now: NOW,
      });
      polling = false;
      await poller;
      // every row stored before the outage is still there, unchanged
      const changes = storeChanges(before, await snapshotStore(db));
      // stored market data never disappears (bookkeeping rows such as watermarks are updated in place)
      const removed = Object.entries(changes)
        .filter(([table]) => table.startsWith('market_data.'))
        .reduce((n, [, c]) => n + c.removed.length, 0);
      const lostBars = Math.max(0, stored - (await barsOf('PGBTC')));
      const answered = health.filter((ms) => Number.isFinite(ms)).length;
      rows.push({
        fault: 'postgres stop/restart under load',
        injected: 1,
        recovered: after.failed === 0 && answered === health.length,
        rowsLost: lostBars,
        note: `/health ${answered}/${health.length} answered, max ${Math.round(Math.max(...health))} ms`,
      });
      expect(ready.status).toBe(503);
      expect(healthDown).toMatchObject({ db: { ok: false }, config: { degraded: true } });
      expect(during instanceof Error || during.failed > 0).toBe(true);
      expect(after.failed).toBe(0);
      expect(answered).toBe(health.length);
      expect(lostBars).toBe(0);
      expect(removed, JSON.stringify(changes).slice(0, 500)).toBe(0);
    } finally {
      polling = false;
      await server?.close();
      await config.close();
      await fake.close();
    }
  }, 90_000);
});

describe('Redis stopped and restarted under load (ingest latest, cache, pub/sub)', () => {
  it('ingest latest stores every price during the outage; cache and pub/sub work again after the restart', async () => {
    await upsertInstruments(db, [
      { symbol: 'RDBTC', assetClass: 'crypto', name: 'r', currency: 'USD', timezone: 'UTC' },
    ]);
    const cache = new RedisCache({ url: redis.url, cooldownMs: 200 });
    const pubsub = new RedisPubSub({ url: redis.url, cooldownMs: 200 });
    const listener = new RedisPubSub({ url: redis.url });
    const got: unknown[] = [];
    try {
      const at = (i: number) => Date.UTC(2026, 0, 5, 12, i);
      // the synthetic source prices at its clock: each run is a new minute, so each price is new
      let clockNow = at(0);
      const synthetic = new SyntheticSource({ clock: { ...systemClock, now: () => clockNow } });
      const latest = (i: number) => {
        clockNow = at(i);
        return runLatest(
          db,
          { synthetic },
          { symbols: ['RDBTC'], source: 'synthetic', cache, pubsub, now: at(i) },
        );
      };
      await latest(0);
      await redis.down();
      const during = [];
      for (let i = 1; i <= 5; i++) during.push(await latest(i));
      await redis.up();
      await listener.subscribe('price_updates', (m) => got.push(m));
      let tick = 6;
      await until('a price reaching a subscriber after the restart', async () => {
        await latest(tick++); // a new minute each time: an unchanged price is not announced again
        await sleep(150);
        return got.length > 0;
      });
      const stored = await count(
        'SELECT count(*) AS n FROM market_data.prices p JOIN market_data.instruments i ON i.id = p.instrument_id WHERE i.symbol = $1 AND p.ts <= $2',
        ['RDBTC', new Date(at(5)).toISOString()],
      );
      rows.push({
        fault: 'redis stop/restart under load',
        injected: 1,
        recovered: during.every((s) => s.failed === 0) && got.length > 0,
        rowsLost: Math.max(0, 6 - stored),
        note: `${during.length} ingest latest runs during the outage, all stored`,
      });
      expect(during.map((s) => s.stored)).toEqual([1, 1, 1, 1, 1]);
      expect(stored).toBe(6);
    } finally {
      await Promise.allSettled([cache.close(), pubsub.close(), listener.close()]);
    }
  }, 60_000);
});

describe('a worker killed with SIGKILL mid-job (BullMQ on the private Redis, store on the private PostgreSQL)', () => {
  const workers = new Map<string, ChildProcess>();
  const prefix = `mpfaults_${Math.random().toString(36).slice(2, 8)}`;
  const spawnWorker = async (name: string) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/jobs/fixtures/worker.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: pg.url,
        REDIS_URL: redis.url,
        QUEUE_PREFIX: prefix,
        WORKER_NAME: name,
        MARKETPIPE_HOME: testSettings().home,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code})`)));
    });
    workers.set(name, child);
  };
  afterAll(async () => {
    for (const w of workers.values()) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  });

  it('the other worker finishes the job; the run is recorded once as completed', async () => {
    await Promise.all([spawnWorker('w1'), spawnWorker('w2')]);
    const queue = createJobQueue({ redisUrl: redis.url, prefix });
    try {
      const slow = stubRegistry().get('slow');
      if (!slow) throw new Error('no slow job');
      const key = 'slow:manual:fault-suite';
      await queue.enqueue(slow, {
        name: 'slow',
        tick: Date.now(),
        trigger: 'manual',
        key,
        payload: { ms: 2500 },
      });
      let first = '';
      await until('the job to start', async () => {
        const r = await db.query<{ worker: string }>(
          `SELECT worker FROM ops.job_runs WHERE run_key = $1 AND status = 'running'`,
          [key],
        );
        first = r.rows[0]?.worker ?? '';
        return first !== '';
      });
      const victim = workers.get(first);
      victim?.kill('SIGKILL');
      if (victim) await once(victim, 'exit');
      await until(
        'the job to complete elsewhere',
        async () =>
          (await count(`SELECT count(*) AS n FROM ops.job_runs WHERE run_key = $1 AND status = 'completed'`, [
            key,
          ])) === 1,
      );
      const done = await db.query<{ worker: string }>(
        `SELECT worker FROM ops.job_runs WHERE run_key = $1 AND status = 'completed'`,
        [key],
      );
      rows.push({
        fault: 'worker SIGKILL mid-job',
        injected: 1,
        recovered: done.rows[0]?.worker !== first,
        rowsLost: 0,
        note: `finished on ${done.rows[0]?.worker}`,
      });
      expect(done.rows[0]?.worker).not.toBe(first);

      // Redis restarted under the surviving worker: a job enqueued afterwards still runs, once
      await redis.down();
      await sleep(1000);
      await redis.up();
      const after = 'slow:manual:after-redis-restart';
      await until('the queue to accept a job again', async () => {
        await queue.enqueue(slow, {
          name: 'slow',
          tick: Date.now(),
          trigger: 'manual',
          key: after,
          payload: { ms: 100 },
        });
        return true;
      });
      await until(
        'the job enqueued after the restart to complete',
        async () =>
          (await count(`SELECT count(*) AS n FROM ops.job_runs WHERE run_key = $1 AND status = 'completed'`, [
            after,
          ])) === 1,
      );
      rows.push({
        fault: 'redis restart under a worker',
        injected: 1,
        recovered: true,
        rowsLost: 0,
        note: 'next job ran once',
      });
    } finally {
      await queue.queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  }, 60_000);
});

describe('the hostile SQL corpus against a fingerprinted store', () => {
  it('refuses every statement and leaves every table unchanged', async () => {
    await seedBars(db, Date.parse('2026-06-01T00:00:00Z'), 30);
    const before = await snapshotStore(db);
    let refused = 0;
    for (const h of HOSTILE_REFUSED) {
      const outcome = await executeGuarded(db, h.sql).then(
        () => 'ran',
        () => 'refused',
      );
      if (outcome === 'refused') refused++;
    }
    const changes = storeChanges(before, await snapshotStore(db));
    const lost = Object.values(changes).reduce((n, c) => n + c.removed.length, 0);
    rows.push({
      fault: 'hostile SQL corpus',
      injected: HOSTILE_REFUSED.length,
      recovered: refused === HOSTILE_REFUSED.length && Object.keys(changes).length === 0,
      rowsLost: lost,
      note: `${refused} refused; store fingerprint ${Object.keys(changes).length === 0 ? 'unchanged' : 'CHANGED'}`,
    });
    expect(refused).toBe(HOSTILE_REFUSED.length);
    expect(changes).toEqual({});
  }, 60_000);
});
