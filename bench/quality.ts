/**
 * Quality benchmarks, measured in one run:
 *   (2) the gate: `checkBars` over 1,000,000 hourly bars (1 % reverting spikes) vs a bare loop computing
 *       the same log returns, and `detectSpikes` alone vs that bare loop;
 *   (1) `validateStore` over a PostgreSQL store of BENCH_VALIDATE_BARS synthetic 1m bars (default 1,000,000;
 *       BENCH_FULL=1 → 10,000,000) loaded with COPY, vs a bare chunked read of the same (ts, close) rows through
 *       the same driver; prints the time and the peak resident memory sampled while validating.
 * PostgreSQL: a throwaway database on MARKETPIPE_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres),
 * dropped afterwards; skipped with a note when the server does not answer.
 */
import pg from 'pg';
import type { StoredBar } from '../src/core/types.ts';
import { checkBars } from '../src/quality/gate.ts';
import { detectSpikes } from '../src/quality/rules/outliers.ts';
import { DEFAULT_THRESHOLDS } from '../src/quality/thresholds.ts';
import { validateStore } from '../src/quality/validate.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { upsertInstruments } from '../src/store/repos/instruments.ts';

const PG_URL = process.env.MARKETPIPE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const HOUR = 3_600_000;
const MINUTE = 60_000;
const T0 = Date.UTC(2015, 0, 1);

function envInt(name: string, fallback: number): number {
  const n = Number((process.env[name] ?? '').replaceAll('_', ''));
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** xorshift32 walk in [~90, ~110]: deterministic for a seed. */
function walk(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let x = seed;
  let p = 100;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    p *= 1 + (((x >>> 0) % 2001) - 1000) / 1e6;
    out[i] = p;
  }
  return out;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t = performance.now();
  const value = fn();
  return { ms: performance.now() - t, value };
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

function gateBench(): void {
  const n = 1_000_000;
  const closes = walk(n, 7);
  for (let i = 50; i < n - 1; i += 100) closes[i] = (closes[i] ?? 100) * 1.2; // 1 % reverting spikes
  const rows: StoredBar[] = Array.from(closes, (c, i) => ({
    symbol: 'BENCH',
    interval: '1h',
    ts: T0 + i * HOUR,
    open: c,
    high: c,
    low: c,
    close: c,
    volume: 1,
    source: 'bench',
  }));
  const bare = time(() => {
    let s = 0;
    for (let i = 1; i < n; i++) s += Math.log((closes[i] ?? 1) / (closes[i - 1] ?? 1));
    return s;
  });
  const spikes = time(() => detectSpikes(closes, DEFAULT_THRESHOLDS));
  const gate = time(() =>
    checkBars(rows, {
      instrument: { symbol: 'BENCH', assetClass: 'crypto' },
      mode: 'backfill',
      now: T0 + (n + 1) * HOUR,
    }),
  );
  // lone reverting prints are quarantined (rule `outlier`), no longer stored flagged
  const flagged = gate.value.rejected.filter((r) => r.rule === 'outlier').length;
  console.log('\n(2) quality gate, 1,000,000 hourly bars, 10,000 injected reverting spikes (every 100th)');
  console.log('case                         ms      rows/s   vs bare loop');
  const line = (name: string, ms: number): void =>
    console.log(
      `${name.padEnd(26)} ${ms.toFixed(1).padStart(8)} ${fmt((n / ms) * 1000).padStart(12)}   ${(ms / bare.ms).toFixed(1)}×`,
    );
  line('bare log-return loop', bare.ms);
  line('detectSpikes', spikes.ms);
  line('checkBars (all rules)', gate.ms);
  console.log(`spikes found: ${spikes.value.count} (detectSpikes), ${flagged} quarantined (checkBars)`);
}

async function validateBench(): Promise<void> {
  const total = process.env.BENCH_FULL === '1' ? 10_000_000 : envInt('BENCH_VALIDATE_BARS', 1_000_000);
  const symbols = Array.from({ length: 20 }, (_, i) => `VAL${String(i).padStart(2, '0')}`);
  const perSymbol = Math.ceil(total / symbols.length);
  const name = `mp_quality_bench_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch (err) {
    console.log(
      `\n(1) validate: skipped, PostgreSQL at ${new URL(PG_URL).host} not reachable (${String(err)})`,
    );
    return;
  }
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString());
  try {
    await migrate(db);
    await upsertInstruments(
      db,
      symbols.map((symbol) => ({
        symbol,
        assetClass: 'crypto',
        name: symbol,
        currency: 'USD',
        timezone: 'UTC',
      })),
    );
    const ids = await db.query<{ id: number; symbol: string }>(
      'SELECT id, symbol FROM market_data.instruments',
    );
    const load = performance.now();
    for (const { id, symbol } of ids.rows) {
      const closes = walk(perSymbol, 11 + Number(id));
      // One real-looking spike per symbol so the outlier rule has something to find.
      closes[1000] = (closes[1000] ?? 100) * 1.3;
      function* rows(): Generator<unknown[]> {
        for (let i = 0; i < perSymbol; i++) {
          const c = closes[i] ?? 100;
          yield [id, '1m', new Date(T0 + i * MINUTE), c, c * 1.001, c * 0.999, c, 10, 'bench'];
        }
      }
      await db.copyRows(
        'market_data.bars',
        ['instrument_id', 'interval', 'ts', 'open', 'high', 'low', 'close', 'volume', 'source'],
        rows(),
      );
      void symbol;
    }
    const loadMs = performance.now() - load;
    await db.exec('ANALYZE market_data.bars');

    // Peer: the same chunked (ts, close) read with no checks.
    const bareStart = performance.now();
    let bareRows = 0;
    for (const { id } of ids.rows) {
      let cursor = '-infinity';
      for (;;) {
        const res = await db.query<{ t: number }>(
          `SELECT (extract(epoch FROM ts) * 1000)::float8 AS t, close AS p FROM market_data.bars
            WHERE instrument_id = $1 AND interval = '1m' AND ts > $2::timestamptz ORDER BY ts LIMIT 100000`,
          [id, cursor],
        );
        bareRows += res.rows.length;
        const last = res.rows[res.rows.length - 1];
        if (!last || res.rows.length < 100_000) break;
        cursor = new Date(Number(last.t)).toISOString();
      }
    }
    const bareMs = performance.now() - bareStart;

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const start = performance.now();
    const report = await validateStore(db, { freshness: false });
    const ms = performance.now() - start;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const outliers = report.instruments.reduce((a, d) => a + d.outliers, 0);
    const mb = (b: number): string => (b / 1024 / 1024).toFixed(0);
    console.log(
      `\n(1) validate over PostgreSQL 15: ${fmt(report.rows_checked)} bars, ${symbols.length} series of 1m bars`,
    );
    console.log('case                         s        rows/s   vs bare read');
    console.log(
      `COPY load (bars)      ${(loadMs / 1000).toFixed(1).padStart(9)} ${fmt((total / loadMs) * 1000).padStart(12)}`,
    );
    console.log(
      `bare chunked read     ${(bareMs / 1000).toFixed(1).padStart(9)} ${fmt((bareRows / bareMs) * 1000).padStart(12)}   1.0×`,
    );
    console.log(
      `validateStore         ${(ms / 1000).toFixed(1).padStart(9)} ${fmt((report.rows_checked / ms) * 1000).padStart(12)}   ${(ms / bareMs).toFixed(2)}×`,
    );
    console.log(
      `checks ${report.total_checks}, failed ${report.failed}, outliers found ${outliers} (injected ${symbols.length}); ` +
        `RSS before ${mb(rssBefore)} MB, peak during validate ${mb(peak)} MB (+${mb(peak - rssBefore)} MB)`,
    );
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

export async function run(): Promise<void> {
  // Validation first, so its memory reading is not inflated by the gate benchmark's million row objects.
  await validateBench();
  gateBench();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
