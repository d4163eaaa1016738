/**
 * End-to-end ingest throughput: a loopback Binance (its own process) serves hourly klines for 100
 * instruments (2,000,000 points by default; BENCH_POINTS to change), and `runIngest` fetches, parses,
 * validates (quality gate) and stores them into PostgreSQL. Beside it, in the same run, the raw bulk-upsert
 * rate of the same rows (`upsertBars` straight from memory into a fresh database). Target: end to end
 * ≥ 50 % of the bulk-upsert rate (issue 3).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Instrument, StoredBar } from '../src/core/types.ts';
import { runIngest } from '../src/pipeline/run.ts';
import { createSources } from '../src/sources/source.ts';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { upsertBars } from '../src/store/repos/bars.ts';
import { upsertInstruments } from '../src/store/repos/instruments.ts';
import { benchBar } from './_fake-binance.ts';

const PG_URL = process.env.MARKETPIPE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const HOUR = 3_600_000;
const INSTRUMENTS = 100;

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function freshDb(name: string): Promise<Db> {
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString());
  await migrate(db);
  return db;
}

function instruments(): Instrument[] {
  return Array.from({ length: INSTRUMENTS }, (_, i) => ({
    symbol: `B${i}`,
    assetClass: 'crypto' as const,
    name: `Bench coin ${i}`,
    currency: 'USD',
    timezone: 'UTC',
    sources: { binance: `B${i}USDT` },
  }));
}

async function startProvider(): Promise<{ baseUrl: string; stop(): void }> {
  const here = dirname(fileURLToPath(import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', join(here, '_fake-binance.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    proc.once('exit', (code) => reject(new Error(`fake provider exited ${code}`)));
  });
  return { baseUrl: `http://127.0.0.1:${port}`, stop: () => proc.kill('SIGKILL') };
}

export async function run(): Promise<void> {
  const points = Number(process.env.BENCH_POINTS ?? 2_000_000);
  const perInstrument = Math.floor(points / INSTRUMENTS);
  const to = Date.UTC(2026, 0, 1);
  const from = to - perInstrument * HOUR;
  const firstHour = from / HOUR;
  const tag = randomBytes(3).toString('hex');
  const names = { e2e: `mp_bench_pipe_${tag}`, bulk: `mp_bench_bulk_${tag}` };
  const provider = await startProvider();
  const list = instruments();
  const dbs: Db[] = [];
  try {
    // (1) raw bulk upsert of the same rows from memory.
    const bulk = await freshDb(names.bulk);
    dbs.push(bulk);
    await upsertInstruments(bulk, list);
    function* rows(): Generator<StoredBar> {
      for (let i = 0; i < INSTRUMENTS; i++) {
        for (let h = 0; h < perInstrument; h++) {
          const [open, high, low, close, volume] = benchBar(i, firstHour + h);
          yield {
            symbol: `B${i}`,
            interval: '1h',
            ts: (firstHour + h) * HOUR,
            open,
            high,
            low,
            close,
            volume,
            source: 'binance',
          };
        }
      }
    }
    const t0 = performance.now();
    const bulkRes = await upsertBars(bulk, rows());
    const bulkMs = performance.now() - t0;

    // (2) end to end: HTTP fetch + parse + quality gate + upsert + watermark.
    const e2e = await freshDb(names.e2e);
    dbs.push(e2e);
    await upsertInstruments(e2e, list);
    const sources = createSources({
      providers: { binance: { baseUrl: provider.baseUrl } },
      limits: { binance: { rateLimit: { requests: 1_000_000, intervalMs: 1000 }, concurrency: 8 } },
    });
    const t1 = performance.now();
    const summary = await runIngest(e2e, sources, {
      mode: 'backfill',
      from,
      to,
      interval: '1h',
      source: 'binance',
      concurrency: 8,
      now: to + HOUR,
    });
    const e2eMs = performance.now() - t1;

    const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
    const bulkRate = rate(bulkRes.stored, bulkMs);
    const e2eRate = rate(summary.stored, e2eMs);
    const table = [
      ['case', 'rows', 'seconds', 'rows/s', 'vs bulk upsert'],
      [
        'raw bulk upsert (upsertBars from memory)',
        bulkRes.stored,
        (bulkMs / 1000).toFixed(1),
        bulkRate,
        '1.00',
      ],
      [
        'end to end (HTTP + parse + gate + upsert)',
        summary.stored,
        (e2eMs / 1000).toFixed(1),
        e2eRate,
        (e2eRate / bulkRate).toFixed(2),
      ],
    ];
    for (const r of table)
      process.stdout.write(`${r.map((c, i) => String(c).padEnd(i === 0 ? 44 : 12)).join('')}\n`);
    process.stdout.write(
      `instruments ${summary.requested}, fetched ${summary.fetched}, quarantined ${summary.quarantined}, failed ${summary.failed}; target end-to-end ≥ 0.50 of bulk: ${e2eRate / bulkRate >= 0.5 ? 'met' : 'NOT met'}\n`,
    );
  } finally {
    provider.stop();
    for (const db of dbs) await db.close();
    for (const n of Object.values(names))
      await admin(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).catch(() => undefined);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
