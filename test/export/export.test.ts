import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDataset } from '../../src/export/export.ts';
import type { ExportFormat } from '../../src/export/formats.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { EXPORT_DATASETS, type ExportDataset, type ExportFilter } from '../../src/store/repos/export.ts';
import { createTempDatabase } from '../store/backends.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
/** Hourly bars per instrument: 3 × 12,000 = 36,000 rows, more than one Parquet row group (32,768). */
const BARS_PER_SYMBOL = 12_000;

/**
 * Deterministic rows written with plain SQL (not through the code under test): awkward floats (sin/cos
 * of the row number), NULLs, text with commas, quotes and newlines, JSON.
 */
async function seed(db: Db): Promise<void> {
  await db.exec(`
    INSERT INTO market_data.instruments (symbol, asset_class, name) VALUES
      ('BTC', 'crypto', 'Bitcoin'), ('ETH', 'crypto', 'Ether'), ('USDC', 'stablecoin', 'USD Coin');
    INSERT INTO market_data.bars (instrument_id, interval, ts, open, high, low, close, volume, source)
      SELECT i.id, '1h', timestamptz '2024-01-01 00:00:00+00' + n * interval '1 hour',
             100 + sin(n), 101 + sin(n), 99 + cos(n), 100 + sin(n) / 3, n * 0.1, 'synthetic'
        FROM market_data.instruments i, generate_series(0, ${BARS_PER_SYMBOL - 1}) n;
    INSERT INTO market_data.bars (instrument_id, interval, ts, open, high, low, close, volume, source)
      SELECT i.id, '1d', timestamptz '2024-01-01 00:00:00+00' + n * interval '1 day', 1, 1.5, 0.5, 1.25, 0, 'synthetic'
        FROM market_data.instruments i, generate_series(0, 9) n;
    INSERT INTO market_data.prices (instrument_id, ts, price, volume, market_cap, source)
      SELECT i.id, timestamptz '2024-01-01 00:00:00.123+00' + n * interval '1 minute', 1 + n / 1e6, NULL, 5e10, 'coingecko'
        FROM market_data.instruments i, generate_series(0, 99) n;
    INSERT INTO economic_data.series (id, title, frequency, units)
      VALUES ('CPIAUCSL', 'CPI', 'Monthly', 'Index');
    INSERT INTO economic_data.observations (series_id, date, realtime_start, realtime_end, value)
      VALUES ('CPIAUCSL', '2024-01-01', '2024-02-13', '9999-12-31', 308.417),
             ('CPIAUCSL', '2024-02-01', '2024-03-12', '9999-12-31', NULL);
    INSERT INTO news.articles (source, provider, url, title, title_key, published_at)
      VALUES ('Wire', 'newsapi', 'https://example.com/a', 'Say "hi", world' || chr(10) || 'again', 'say hi world again',
              '2024-01-02 03:04:05+00');
    INSERT INTO derived.asset_correlations (asset_1, asset_2, window_days, correlation, data_points, risk_level, as_of)
      VALUES ('BTC', 'ETH', 30, 0.8123456789, 29, 'HIGH', '2024-02-01 00:00:00+00');
    INSERT INTO derived.depeg_events (asset, start_time, end_time, min_price, min_price_at, duration_seconds,
                                      severity_score, peg, threshold, source)
      VALUES ('USDC', '2023-03-11 02:00:00+00', NULL, 0.874, '2023-03-11 07:00:00+00', 3600, 0.92, 1, 0.01, 'prices');
    INSERT INTO ops.quarantine (symbol, interval, source, rule, reason, raw, ts)
      VALUES ('BTC', '1h', 'binance', 'price_bounds', 'close 0 <= 0', '{"close": 0, "note": "a,b"}', '2024-01-01 00:00:00+00');
    INSERT INTO execution.orders (client_order_id, broker, strategy, symbol, side, type, qty, limit_price, status,
                                  filled_qty, avg_price, reason, created_at, updated_at)
      VALUES ('s1-BTC-1', 'paper', 'ma-crossover', 'BTC', 'buy', 'limit', 0.5, 42000.5, 'rejected', 0, NULL,
              'max_order_notional, 21000.25 > 20000', '2024-01-03 00:00:00+00', '2024-01-03 00:00:01+00');
  `);
}

function collect(): { out: PassThrough; done: Promise<Buffer> } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    out.on('end', () => resolve(Buffer.concat(chunks)));
    out.on('error', reject);
  });
  return { out, done };
}

async function exportTo(
  db: Db,
  dataset: ExportDataset,
  format: ExportFormat,
  filter: ExportFilter = {},
  pageRows?: number,
): Promise<{ rows: number; bytes: Buffer }> {
  const { out, done } = collect();
  const res = await exportDataset(db, dataset, format, filter, out, { pageRows });
  return { rows: res.rows, bytes: await done };
}

/** The stored bars, read independently of the exporter, in its documented order (instrument, interval, ts). */
async function storedBars(db: Db, where = 'true') {
  const res = await db.query<{ symbol: string; interval: string; ts: number; open: number; close: number }>(
    `SELECT i.symbol, b.interval, (extract(epoch from b.ts) * 1000)::float8 AS ts, b.open, b.close
       FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id
      WHERE ${where} ORDER BY b.instrument_id, b.interval, b.ts`,
  );
  return res.rows;
}

const tmp = mkdtempSync(join(tmpdir(), 'mp-export-'));
let duck: Awaited<ReturnType<DuckDBInstance['connect']>>;

beforeAll(async () => {
  const inst = await DuckDBInstance.create(':memory:');
  duck = await inst.connect();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BACKENDS: { name: string; open(): Promise<{ db: Db; close(): Promise<void> }> }[] = [
  {
    name: 'pglite',
    async open() {
      const db = await openPglite();
      return { db, close: () => db.close() };
    },
  },
  {
    name: 'postgres-15',
    async open() {
      const t = await createTempDatabase('export');
      const db = await openPostgres(t.url);
      return {
        db,
        async close() {
          await db.close();
          await t.drop();
        },
      };
    },
  },
];

describe.each(BACKENDS)('export on $name', (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await backend.open());
    await migrate(db);
    await seed(db);
  }, 120_000);
  afterAll(async () => close?.());

  it('Parquet read back by DuckDB equals the stored bars, with UTC timestamps, doubles and dictionary symbols', async () => {
    const { rows, bytes } = await exportTo(db, 'bars', 'parquet');
    const file = join(tmp, `${backend.name}-bars.parquet`);
    writeFileSync(file, bytes);
    const stored = await storedBars(db);
    expect(rows).toBe(stored.length);
    expect(rows).toBe(3 * BARS_PER_SYMBOL + 30);
    const types = await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    const typeOf = Object.fromEntries(
      types.getRowObjectsJson().map((r) => [String(r.column_name), String(r.column_type)]),
    );
    expect(typeOf).toMatchObject({
      symbol: 'VARCHAR',
      ts: 'TIMESTAMP WITH TIME ZONE',
      open: 'DOUBLE',
      close: 'DOUBLE',
    });
    const enc = await duck.runAndReadAll(
      `SELECT DISTINCT encodings FROM parquet_metadata('${file}') WHERE path_in_schema = 'symbol'`,
    );
    for (const r of enc.getRowObjectsJson()) expect(String(r.encodings)).toContain('RLE_DICTIONARY');
    const back = await duck.runAndReadAll(
      `SELECT symbol, interval, epoch_ms(ts)::DOUBLE AS ts, open, close FROM read_parquet('${file}')`,
    );
    const got = back.getRowObjects().map((r) => ({ ...r, ts: Number(r.ts) }));
    expect(got.length).toBe(stored.length);
    // Every row equal, floats bit for bit (a mismatch prints the first differing row).
    for (let i = 0; i < stored.length; i++)
      if (JSON.stringify(got[i]) !== JSON.stringify(stored[i])) {
        expect(got[i], `row ${i}`).toEqual(stored[i]);
      }
  }, 120_000);

  // On PostgreSQL the one-page side is the server's COPY … TO STDOUT CSV: both paths give the same bytes.
  it('keyset pages of 7 rows give the same CSV as one page, for every dataset', async () => {
    for (const dataset of EXPORT_DATASETS) {
      const filter: ExportFilter = dataset === 'bars' ? { interval: '1d' } : {};
      const small = await exportTo(db, dataset, 'csv', filter, 7);
      const big = await exportTo(db, dataset, 'csv', filter);
      expect(small.bytes.toString(), dataset).toBe(big.bytes.toString());
      expect(small.rows, dataset).toBeGreaterThan(0);
    }
  });

  it('CSV: header, ISO-8601 UTC timestamps, dates, empty NULLs, RFC 4180 quoting', async () => {
    const prices = (
      await exportTo(db, 'prices', 'csv', { symbols: ['usdc'.toUpperCase()] })
    ).bytes.toString();
    const lines = prices.trimEnd().split('\n');
    expect(lines[0]).toBe('symbol,ts,price,volume,market_cap,source');
    expect(lines[1]).toBe('USDC,2024-01-01T00:00:00.123Z,1,,50000000000,coingecko');
    expect(lines).toHaveLength(101);
    const econ = (await exportTo(db, 'economic', 'csv')).bytes.toString();
    expect(econ).toContain('CPIAUCSL,2024-01-01,2024-02-13,9999-12-31,308.417,fred');
    expect(econ).toContain('CPIAUCSL,2024-02-01,2024-03-12,9999-12-31,,fred');
    const news = (await exportTo(db, 'news', 'csv')).bytes.toString();
    expect(news).toContain(',"Say ""hi"", world\nagain",https://example.com/a,');
    const q = (await exportTo(db, 'quarantine', 'csv')).bytes.toString();
    // jsonb keeps its own key order (shorter keys first).
    expect(q).toContain(',"{""note"": ""a,b"", ""close"": 0}"\n');
    const orders = (await exportTo(db, 'orders', 'csv')).bytes.toString().trimEnd().split('\n');
    expect(orders).toEqual([
      'id,client_order_id,broker,strategy,symbol,side,type,qty,limit_price,status,filled_qty,avg_price,reason,created_at,updated_at',
      '1,s1-BTC-1,paper,ma-crossover,BTC,buy,limit,0.5,42000.5,rejected,0,,"max_order_notional, 21000.25 > 20000",2024-01-03T00:00:00.000Z,2024-01-03T00:00:01.000Z',
    ]);
  });

  it('filters: symbols, from (inclusive), to (exclusive), interval', async () => {
    const from = T0 + 10 * HOUR;
    const to = T0 + 20 * HOUR;
    const res = await exportTo(db, 'bars', 'csv', { symbols: ['ETH'], from, to, interval: '1h' });
    const lines = res.bytes.toString().trimEnd().split('\n').slice(1);
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^ETH,1h,2024-01-01T10:00:00.000Z,/);
    expect(lines[9]).toMatch(/^ETH,1h,2024-01-01T19:00:00.000Z,/);
    // On PostgreSQL CSV is COPY with the filter inlined as literals: the same bytes as the page reader's.
    const paged = await exportTo(db, 'bars', 'csv', { symbols: ['ETH'], from, to, interval: '1h' }, 7);
    expect(paged.bytes.toString()).toBe(res.bytes.toString());
    // … and quotes and backslashes in a filter stay data.
    const hostile = await exportTo(db, 'bars', 'csv', {
      symbols: ["ETH' OR 'a'='a", 'E\\TH'],
      interval: "1h'",
    });
    expect(hostile.rows).toBe(0);
    expect(hostile.bytes.toString()).toBe('symbol,interval,ts,open,high,low,close,volume,source\n');
    const corr = await exportTo(db, 'correlations', 'csv', { symbols: ['ETH'] });
    expect(corr.rows).toBe(1);
    const none = await exportTo(db, 'depegs', 'csv', { symbols: ['DAI'] });
    expect(none.bytes.toString()).toBe(
      'id,asset,start_time,end_time,min_price,min_price_at,duration_seconds,recovery_time_seconds,severity_score,peg,threshold,source\n',
    );
  });

  it('XLSX read back by exceljs: bold header, number formats, UTC dates, equal values', async () => {
    const res = await exportTo(db, 'bars', 'xlsx', { interval: '1d' });
    expect(res.rows).toBe(30);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.bytes as unknown as ArrayBuffer);
    const ws = book.getWorksheet('bars');
    expect(ws).toBeDefined();
    if (!ws) return;
    expect(ws.rowCount).toBe(31);
    expect(ws.getRow(1).values).toEqual([
      undefined,
      'symbol',
      'interval',
      'ts',
      'open',
      'high',
      'low',
      'close',
      'volume',
      'source',
    ]);
    expect(ws.getRow(1).font?.bold).toBe(true);
    const first = ws.getRow(2);
    expect(first.getCell(1).value).toBe('BTC');
    expect((first.getCell(3).value as Date).toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(first.getCell(3).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(first.getCell(7).value).toBe(1.25);
    expect(first.getCell(7).numFmt).toBe('0.00########');
    const depegs = await exportTo(db, 'depegs', 'xlsx');
    const b2 = new ExcelJS.Workbook();
    await b2.xlsx.load(depegs.bytes as unknown as ArrayBuffer);
    const row = b2.getWorksheet('depegs')?.getRow(2);
    expect(row?.getCell(4).value ?? null).toBeNull(); // end_time NULL: the depeg is under way
    expect(row?.getCell(5).value).toBe(0.874);
  });
  // The CSV file a user opens in a spreadsheet and the Parquet file DuckDB reads agree with each other.
  it('DuckDB reads the CSV export of prices to the same rows as the Parquet export', async () => {
    const csv = join(tmp, `${backend.name}-prices.csv`);
    const pq = join(tmp, `${backend.name}-prices.parquet`);
    writeFileSync(csv, (await exportTo(db, 'prices', 'csv')).bytes);
    writeFileSync(pq, (await exportTo(db, 'prices', 'parquet')).bytes);
    const diff = await duck.runAndReadAll(
      `SELECT count(*) AS n FROM (SELECT symbol, ts::TIMESTAMPTZ AS ts, price FROM read_csv('${csv}')
         EXCEPT SELECT symbol, ts, price FROM read_parquet('${pq}'))`,
    );
    expect(Number(diff.getRowObjects()[0]?.n)).toBe(0);
    expect(readFileSync(csv, 'utf8').split('\n')).toHaveLength(302);
  });
});
