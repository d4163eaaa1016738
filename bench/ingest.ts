/**
 * Ingest throughput, bars per second, measured in one run on the embedded store (PGlite) and on PostgreSQL:
 *   (a) raw COPY of the bars into a fresh, empty table defined like market_data.bars (columns, checks, primary
 *       key and the foreign key to instruments, whose per-row check is a large part of the cost): the
 *       ceiling — no staging, no merge, no idempotency;
 *   (b) `upsertBars` of fresh bars (new keys: the append fast path after the overlap check), then
 *       (b2) the same load again (every key stored: COPY into staging + set-based merge, nothing changed) and
 *       (b3) the load again with every tenth bar changed (staging merge updating 10 %);
 *   (c) a row-by-row upsert as most ETL scripts do it: one `INSERT … ON CONFLICT DO UPDATE` per bar, each its
 *       own statement (autocommit), timed on a smaller sample.
 * Then a bounded-memory load streamed from a generator into PostgreSQL (1,000,000 bars; BENCH_FULL=1 for
 * 5,000,000), printing the peak resident memory. Targets (DESIGN.md): on PostgreSQL b ≥ 60 % of a and
 * b ≥ 50× c.
 *
 * PostgreSQL: a throwaway database on MARKETPIPE_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * dropped afterwards; skipped with a note when the server does not answer. Sizes: BENCH_BARS (default 300,000
 * on PostgreSQL, 100,000 on PGlite; (a) and (b) interleaved in 3 rounds, best round kept), BENCH_ROW_BY_ROW (default 3,000; each row commits, so fsync bound).
 */
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import type { StoredBar } from '../src/core/types.ts';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { upsertBars } from '../src/store/repos/bars.ts';
import { upsertInstruments } from '../src/store/repos/instruments.ts';

const PG_URL = process.env.MARKETPIPE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SYMBOLS = Array.from({ length: 20 }, (_, i) => `BENCH${String(i).padStart(2, '0')}`);
const T0 = Date.UTC(2020, 0, 1);

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? Number.NaN : Number(raw.replaceAll('_', ''));
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** A 32-bit integer hash (murmur3 finaliser): values depend only on the seed and the bar's key. */
function mix(seed: number, key: number): number {
  let x = (Math.imul(seed, 0x9e3779b1) + key) | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * A deterministic stream of 1m bars, round-robin over SYMBOLS: row i is SYMBOLS[i % 20] at minute
 * offset + ⌊i / 20⌋ after T0, its values a function of (seed, symbol, minute) only.
 */
function* bars(n: number, offsetMinutes = 0, seed = 1): Generator<StoredBar> {
  for (let i = 0; i < n; i++) {
    const symbol = SYMBOLS[i % SYMBOLS.length] ?? 'BENCH00';
    const minute = Math.floor(i / SYMBOLS.length) + offsetMinutes;
    const x = mix(seed, minute * SYMBOLS.length + (i % SYMBOLS.length));
    const p = 100 + (x % 10_000) / 100;
    yield {
      symbol,
      interval: '1m',
      ts: T0 + minute * 60_000,
      open: p,
      high: p + 0.5,
      low: p - 0.5,
      close: p + 0.25,
      volume: x % 100_000,
      source: 'bench',
    };
  }
}

async function setup(db: Db): Promise<Map<string, number>> {
  await migrate(db);
  await upsertInstruments(
    db,
    SYMBOLS.map((symbol) => ({
      symbol,
      assetClass: 'crypto',
      name: symbol,
      currency: 'USD',
      timezone: 'UTC',
    })),
  );
  const res = await db.query<{ id: number; symbol: string }>(
    'SELECT id, symbol FROM market_data.instruments WHERE symbol = ANY($1::text[])',
    [SYMBOLS],
  );
  return new Map(res.rows.map((r) => [r.symbol, Number(r.id)]));
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

interface Rates {
  backend: string;
  n: number;
  copy: number;
  upsert: number;
  rerun: number;
  changed: number;
  rowByRow: number;
  rowByRowN: number;
}

const ROUNDS = 3;

/** (a) raw COPY of `n` bars (from `offset`) into a fresh table like market_data.bars, in 50,000-row batches. */
async function rawCopy(db: Db, ids: Map<string, number>, n: number, offset: number): Promise<number> {
  await db.exec(`DROP TABLE IF EXISTS bench_raw_bars;
    CREATE TABLE bench_raw_bars (
      LIKE market_data.bars INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES,
      FOREIGN KEY (instrument_id) REFERENCES market_data.instruments (id) ON DELETE CASCADE)`);
  const seconds = await timed(async () => {
    let batch: unknown[][] = [];
    const flush = async (): Promise<void> => {
      const rows = batch;
      batch = [];
      await db.transaction((tx) =>
        tx.copyRows(
          'bench_raw_bars',
          ['instrument_id', 'interval', 'ts', 'open', 'high', 'low', 'close', 'volume', 'source'],
          rows,
        ),
      );
    };
    for (const b of bars(n, offset)) {
      batch.push([
        ids.get(b.symbol),
        b.interval,
        new Date(b.ts),
        b.open,
        b.high,
        b.low,
        b.close,
        b.volume,
        b.source,
      ]);
      if (batch.length >= 50_000) await flush();
    }
    if (batch.length > 0) await flush();
  });
  await db.exec('DROP TABLE bench_raw_bars');
  return n / seconds;
}

/** (c) one INSERT … ON CONFLICT DO UPDATE statement per bar, autocommit, into market_data.bars. */
async function rowByRow(db: Db, ids: Map<string, number>, n: number): Promise<number> {
  const sql = `INSERT INTO market_data.bars AS b (instrument_id, interval, ts, open, high, low, close, volume, source)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (instrument_id, interval, ts) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high,
      low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume, source = EXCLUDED.source`;
  // Far from the bars of (b), so these are fresh inserts like (a) and (b).
  const seconds = await timed(async () => {
    for (const b of bars(n, 10_000_000, 7)) {
      await db.query(sql, [
        ids.get(b.symbol),
        b.interval,
        new Date(b.ts),
        b.open,
        b.high,
        b.low,
        b.close,
        b.volume,
        b.source,
      ]);
    }
  });
  return n / seconds;
}

async function expectResult(
  p: Promise<{ stored: number; unchanged: number }>,
  stored: number,
): Promise<void> {
  const r = await p;
  if (r.stored !== stored) throw new Error(`bench: expected ${stored} stored, got ${r.stored}`);
}

/**
 * (a) and (b) run interleaved in ROUNDS rounds of n/ROUNDS fresh bars each (best round kept), so load from
 * other processes on a shared machine hits both alike. (b2) and (c) run once.
 */
async function measure(backend: string, db: Db, n: number, rowN: number): Promise<Rates> {
  const ids = await setup(db);
  // Warm-up: plan caches, WAL files and JIT of both paths, on a small load that is then removed.
  await upsertBars(db, bars(5_000, 20_000_000, 3));
  await db.exec('TRUNCATE market_data.bars');
  // Whole minutes per round, so the rounds together are exactly bars(total).
  const chunk = Math.ceil(n / ROUNDS / SYMBOLS.length) * SYMBOLS.length;
  let copy = 0;
  let upsert = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const offset = (round * chunk) / SYMBOLS.length;
    copy = Math.max(copy, await rawCopy(db, ids, chunk, offset));
    const seconds = await timed(() => expectResult(upsertBars(db, bars(chunk, offset)), chunk));
    upsert = Math.max(upsert, chunk / seconds);
  }
  const total = chunk * ROUNDS;
  const all = (): Generator<StoredBar> => bars(total);
  // The re-run goes through the staging merge (every key exists) and stores nothing.
  const rerunSeconds = await timed(() => expectResult(upsertBars(db, all()), 0));
  // Every tenth bar changed: the staging merge updates exactly those.
  function* changed(): Generator<StoredBar> {
    let i = 0;
    for (const b of all()) yield i++ % 10 === 0 ? { ...b, close: b.close + 0.01 } : b;
  }
  const changedSeconds = await timed(() => expectResult(upsertBars(db, changed()), Math.ceil(total / 10)));
  const rbr = await rowByRow(db, ids, rowN);
  return {
    backend,
    n: total,
    copy,
    upsert,
    rerun: total / rerunSeconds,
    changed: total / changedSeconds,
    rowByRow: rbr,
    rowByRowN: rowN,
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Opens a throwaway PostgreSQL database; null (with a note) when the server does not answer. */
async function throwawayPostgres(): Promise<{ db: Db; drop: () => Promise<void> } | null> {
  const name = `mp_bench_ingest_${randomBytes(4).toString('hex')}`;
  try {
    await adminQuery(`CREATE DATABASE ${name}`);
  } catch (err) {
    process.stdout.write(`PostgreSQL at ${new URL(PG_URL).host} not available (${String(err)}): skipped\n`);
    return null;
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString());
  return {
    db,
    drop: async () => {
      await db.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

function printRates(all: Rates[]): void {
  const lines = [
    'backend   | bars     | (a) raw COPY/s | (b) upsertBars/s | (b2) re-run/s | (b3) 10% chg/s | (c) row-by-row/s (n) | b/a    | b/c    | b2/a',
    '----------|----------|----------------|------------------|---------------|----------------|----------------------|--------|--------|------',
  ];
  for (const r of all) {
    lines.push(
      [
        r.backend.padEnd(9),
        fmt(r.n).padStart(8),
        fmt(r.copy).padStart(14),
        fmt(r.upsert).padStart(16),
        fmt(r.rerun).padStart(13),
        fmt(r.changed).padStart(14),
        `${fmt(r.rowByRow)} (${fmt(r.rowByRowN)})`.padStart(20),
        `${((100 * r.upsert) / r.copy).toFixed(0)} %`.padStart(6),
        `${(r.upsert / r.rowByRow).toFixed(0)}×`.padStart(6),
        `${((100 * r.rerun) / r.copy).toFixed(0)} %`.padStart(5),
      ].join(' | '),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const pgRates = all.find((r) => r.backend === 'postgres');
  if (pgRates) {
    const okA = pgRates.upsert >= 0.6 * pgRates.copy;
    const okC = pgRates.upsert >= 50 * pgRates.rowByRow;
    process.stdout.write(
      `targets on PostgreSQL: b ≥ 60 % of a ${okA ? 'MET' : 'MISSED'}; b ≥ 50× c ${okC ? 'MET' : 'MISSED'}\n`,
    );
  }
}

/**
 * Streams `n` bars from an async generator into PostgreSQL, sampling resident memory and V8 heap every 50 ms,
 * and the live heap after a full collection at each fifth of the input (flat = bounded: at most the batch
 * being written and the one being read are held).
 */
async function boundedLoad(db: Db, n: number): Promise<void> {
  await db.exec('TRUNCATE market_data.bars');
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);
  const live: number[] = [];
  // A full collection at each fifth shows the live heap (what is retained), not garbage awaiting collection.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const start = process.hrtime.bigint();
  async function* stream(): AsyncGenerator<StoredBar> {
    let i = 0;
    for (const bar of bars(n, 0, 11)) {
      if (i > 0 && i % Math.ceil(n / 5) === 0) {
        gc();
        live.push(process.memoryUsage().heapUsed);
      }
      i++;
      yield bar;
    }
  }
  let result = { stored: 0, unchanged: 0 };
  try {
    result = await upsertBars(db, stream());
  } finally {
    clearInterval(timer);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
  process.stdout.write(
    `bounded-memory load into PostgreSQL: ${fmt(n)} bars streamed from an async generator in ` +
      `${seconds.toFixed(1)} s (${fmt(n / seconds)} bars/s), stored ` +
      `${fmt(result.stored)}\n  RSS before ${mb(before.rss)}, peak ${mb(peakRss)} (+${mb(peakRss - before.rss)}); ` +
      `V8 heap before ${mb(before.heapUsed)}, peak ${mb(peakHeap)} (+${mb(peakHeap - before.heapUsed)}); ` +
      `live heap after a full GC at 1/5…4/5 of the load: ${live.map(mb).join(' / ')}\n`,
  );
}

export async function run(): Promise<void> {
  const all: Rates[] = [];
  const lite = await openPglite();
  try {
    all.push(await measure('pglite', lite, envInt('BENCH_BARS', 100_000), envInt('BENCH_ROW_BY_ROW', 3_000)));
  } finally {
    await lite.close();
  }
  const target = await throwawayPostgres();
  if (target) {
    try {
      all.push(
        await measure(
          'postgres',
          target.db,
          envInt('BENCH_BARS', 300_000),
          envInt('BENCH_ROW_BY_ROW', 3_000),
        ),
      );
      printRates(all);
      await boundedLoad(
        target.db,
        process.env.BENCH_FULL === '1' ? 5_000_000 : envInt('BENCH_STREAM_BARS', 1_000_000),
      );
    } finally {
      await target.drop();
    }
  } else {
    printRates(all);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
