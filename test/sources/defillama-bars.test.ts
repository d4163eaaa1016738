/**
 * DefiLlama coin prices as a price source of bars (`--source defillama`), against a loopback coins.llama.fi.
 *
 * The fake answers `/chart/{coins}` as DefiLlama's server does (DefiLlama/defillama-server,
 * coins/src/getChart.ts: `span` times from `start` every `period`; for each, the stored record nearest it
 * within `searchWidth`, default a tenth of the period; records de-duplicated and sorted; more than 500
 * coin × time points refused; `{coins: {key: {symbol, confidence, decimals, prices: [{timestamp, price}]}}}`)
 * and `/prices/current/{coins}`. The records it holds are DefiLlama's own: samples/USDC_defillama_hourly_2023-03.csv
 * (DefiLlama composite USDC prices, 2023-03-08 → 2023-03-17, the SVB weekend; provenance in samples/README.md).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Instrument } from '../../src/core/types.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { DefiLlamaSource } from '../../src/sources/defillama/bars.ts';
import { BadPayloadError } from '../../src/sources/errors.ts';
import { collect, describeConnectorFaults } from '../../src/sources/testing/connector-cases.ts';
import {
  type Handler,
  type Loopback,
  type Reply,
  seededRandom,
  startLoopback,
  virtualClock,
} from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { readBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { createTempDatabase } from '../store/backends.ts';
import { runMain } from '../support/cli.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const H = 3_600_000;
const KEY = 'coingecko:usd-coin';
const USDC: Instrument = {
  symbol: 'USDC',
  assetClass: 'stablecoin',
  name: 'USD Coin',
  currency: 'USD',
  timezone: 'UTC',
  pegTarget: 1,
  sources: { coingecko: 'usd-coin' },
};

/** The sample's records: Unix seconds and price, ascending. */
const RECORDS: ReadonlyArray<{ timestamp: number; price: number }> = readFileSync(
  join(ROOT, 'samples/USDC_defillama_hourly_2023-03.csv'),
  'utf8',
)
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => {
    const [t, p] = l.split(',');
    return { timestamp: Number(t), price: Number(p) };
  });
const FIRST = Date.UTC(2023, 2, 8);
const LAST = Date.UTC(2023, 2, 17, 1); // after the sample's last record (2023-03-16T22:57Z)

/** DefiLlama's `period`/`searchWidth` notation (`1h`, `4h`, `1d`, `600`) in seconds. */
function seconds(v: string): number {
  const m = /^(\d*)([wdhm])$/i.exec(v);
  if (!m) return Number(v);
  const n = m[1] === '' ? 1 : Number(m[1]);
  return n * { w: 604_800, d: 86_400, h: 3600, m: 60 }[(m[2] ?? 'h').toLowerCase() as 'w' | 'd' | 'h' | 'm'];
}

/** coins.llama.fi over `records` for coin `key`, as its getChart and getCurrentPrices handlers answer. */
function llamaCoins(records: ReadonlyArray<{ timestamp: number; price: number }>, key = KEY): Handler {
  return (req) => {
    const path = decodeURIComponent(req.url.pathname);
    const q = req.url.searchParams;
    if (path.startsWith('/chart/')) {
      const coins = path.slice('/chart/'.length).split(',');
      const period = seconds(q.get('period') ?? 'd');
      const span = Number(q.get('span') ?? '0');
      const start = Number(q.get('start'));
      const width = q.has('searchWidth') ? seconds(q.get('searchWidth') ?? '') : period / 10;
      const times = [start];
      for (let i = 1; i < span; i++) times.push(start + i * period);
      if (coins.length * times.length > 500)
        return { status: 400, body: { message: `Requested ${coins.length * times.length} data points` } };
      const out: Record<string, unknown> = {};
      for (const coin of coins) {
        if (coin !== key) continue;
        const picked = new Map<number, number>();
        for (const t of times) {
          let best: { timestamp: number; price: number } | undefined;
          for (const r of records)
            if (
              Math.abs(r.timestamp - t) <= width &&
              (!best || Math.abs(r.timestamp - t) < Math.abs(best.timestamp - t))
            )
              best = r;
          if (best) picked.set(best.timestamp, best.price);
        }
        if (picked.size === 0) continue;
        out[coin] = {
          symbol: 'USDC',
          confidence: 0.99,
          decimals: 6,
          prices: [...picked.entries()]
            .sort((a, b) => a[0] - b[0])
            .map(([timestamp, price]) => ({ timestamp, price })),
        };
      }
      return { body: { coins: out } };
    }
    if (path.startsWith('/prices/current/')) {
      const last = records[records.length - 1];
      return {
        body: {
          coins: last
            ? {
                [key]: {
                  decimals: 6,
                  symbol: 'USDC',
                  price: last.price,
                  timestamp: last.timestamp,
                  confidence: 0.99,
                },
              }
            : {},
        },
      };
    }
    return { status: 404, body: { message: 'not found' } };
  };
}

/** The sample's records keyed to their hour mark (DefiLlama's point nearest each mark), ms → price. */
const BY_MARK = new Map(RECORDS.map((r) => [Math.round((r.timestamp * 1000) / H) * H, r.price]));

describeConnectorFaults('defillama coins', {
  make: (options) => new DefiLlamaSource(options),
  instrument: USDC,
  interval: '1h',
  range: { from: Date.UTC(2024, 0, 2), to: Date.UTC(2024, 0, 3) },
  now: Date.UTC(2024, 0, 5),
  // points a few minutes off the hour, as DefiLlama stores them; bars are keyed to the nearest mark
  sampleTs: [Date.UTC(2024, 0, 2, 0, 57, 49), Date.UTC(2024, 0, 2, 2, 3, 1), Date.UTC(2024, 0, 2, 2, 58, 2)],
  expectedTs: (t) => Math.round(t / H) * H,
  page: (ts) => ({
    coins: {
      [KEY]: { symbol: 'USDC', confidence: 0.99, prices: ts.map((t) => ({ timestamp: t / 1000, price: 1 })) },
    },
  }),
  malformed: {
    body: { coins: { [KEY]: { prices: [{ timestamp: 1, price: '1' }] } } },
    field: 'coins.coingecko:usd-coin.prices[0].price',
  },
});

let server: Loopback | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function source(handler: Handler): Promise<DefiLlamaSource> {
  server = await startLoopback(handler);
  return new DefiLlamaSource({
    baseUrl: server.baseUrl,
    clock: virtualClock(Date.UTC(2023, 2, 20)),
    random: seededRandom(3),
    limits: { retry: { maxRetries: 2, baseDelayMs: 10 } },
  });
}

describe('DefiLlama /chart as bars: the SVB weekend from DefiLlama’s own records', () => {
  it('hourly bars are the sample’s prices at their hour marks; the lows reproduce the sample’s, ≤ 500 points per request', async () => {
    const s = await source(llamaCoins(RECORDS));
    const bars = (await collect(s.fetchBars(USDC, '1h', { from: FIRST, to: LAST }))).flat();
    // every record of the sample comes back (each lies within 6 min of a distinct hour mark)
    expect(bars.length).toBe(RECORDS.length);
    expect(new Map(bars.map((b) => [b.ts, b.low]))).toEqual(BY_MARK);
    for (const b of bars) expect([b.open, b.high, b.close]).toEqual([b.low, b.low, b.low]);
    // the sample's lowest price: 0.876675 at 1678521473 s (2023-03-11T07:57:53Z), the 08:00 mark
    const worst = bars.reduce((m, b) => (b.low < m.low ? b : m));
    expect(worst).toMatchObject({ ts: Date.UTC(2023, 2, 11, 8), low: 0.876675 });
    const asked = server?.requests.filter((r) => r.url.pathname.startsWith('/chart/')) ?? [];
    expect(asked.length).toBe(Math.ceil((LAST - FIRST) / H / 480));
    for (const r of asked) {
      expect(r.url.pathname).toBe('/chart/coingecko:usd-coin');
      expect(r.url.searchParams.get('period')).toBe('1h');
      expect(Number(r.url.searchParams.get('span'))).toBeLessThanOrEqual(480);
    }
  });

  it('daily bars take the day’s hour marks: open the first, close the last, high/low the extremes', async () => {
    const s = await source(llamaCoins(RECORDS));
    const days = (
      await collect(s.fetchBars(USDC, '1d', { from: Date.UTC(2023, 2, 9), to: Date.UTC(2023, 2, 14) }))
    ).flat();
    expect(days.map((d) => new Date(d.ts).toISOString().slice(0, 10))).toEqual([
      '2023-03-09',
      '2023-03-10',
      '2023-03-11',
      '2023-03-12',
      '2023-03-13',
    ]);
    for (const d of days) {
      const marks = [...BY_MARK.entries()]
        .filter(([t]) => t >= d.ts && t < d.ts + 24 * H)
        .sort((a, b) => a[0] - b[0]);
      const prices = marks.map(([, p]) => p);
      expect(d).toEqual({
        ts: d.ts,
        open: prices[0],
        high: Math.max(...prices),
        low: Math.min(...prices),
        close: prices.at(-1),
        volume: 0,
      });
    }
    expect(days.find((d) => d.ts === Date.UTC(2023, 2, 11))?.low).toBe(0.876675);
  });

  it('reads the latest price from /prices/current', async () => {
    const s = await source(llamaCoins(RECORDS));
    const latest = await s.fetchLatest([USDC, { ...USDC, symbol: 'NOKEY', sources: {} }]);
    const last = RECORDS.at(-1);
    expect(latest.items).toEqual([
      { symbol: 'USDC', ts: (last?.timestamp ?? 0) * 1000, price: last?.price, source: 'defillama' },
    ]);
    expect(latest.errors.map((e) => e.symbol)).toEqual(['NOKEY']);
  });
});

describe('ingest --source defillama into market_data.bars (watermark, faults, quality, gap repair)', () => {
  let tmp: Awaited<ReturnType<typeof createTempDatabase>>;
  let db: Db;
  beforeAll(async () => {
    tmp = await createTempDatabase('llamabars');
    db = await openPostgres(tmp.url);
    await migrate(db);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await tmp?.drop();
  });

  const fresh = async (symbol: string) => {
    await upsertInstruments(db, [{ ...USDC, symbol }]);
    return symbol;
  };
  const ingest = (s: DefiLlamaSource, symbol: string, from = FIRST, to = LAST) =>
    runIngest(
      db,
      { defillama: s },
      {
        mode: 'backfill',
        symbols: [symbol],
        from,
        to,
        interval: '1h',
        source: 'defillama',
        now: Date.UTC(2023, 2, 20),
      },
    );
  const stored = (symbol: string) => readBars(db, symbol, '1h', { from: 0, to: Date.UTC(2030, 0, 1) });
  const watermark = async (symbol: string) =>
    (
      await db.query<{ watermark: Date; source: string }>(
        `SELECT w.watermark, w.source FROM ops.watermarks w JOIN market_data.instruments i ON i.id = w.instrument_id
          WHERE i.symbol = $1 AND w.interval = '1h'`,
        [symbol],
      )
    ).rows.map((r) => ({ watermark: new Date(r.watermark).toISOString(), source: r.source }));

  /** The fake, except that the requests numbered in `faults` get that reply. */
  const withFaults = (faults: Record<number, Reply>): Handler => {
    const ok = llamaCoins(RECORDS);
    return (req, i) => faults[i] ?? ok(req, i);
  };

  it('a 429 with Retry-After and a 503 are waited out: every hour stored, source defillama, watermark at the last bar', async () => {
    const symbol = await fresh('USDC');
    const s = await source(
      withFaults({
        0: { status: 429, headers: { 'retry-after': '3' }, body: 'slow down' },
        2: { status: 503, body: 'busy' },
      }),
    );
    const summary = await ingest(s, symbol);
    expect(summary.failed).toBe(0);
    const bars = await stored(symbol);
    // the quality gate keeps the SVB weekend: a depeg of days, not a lone print
    expect(summary.quarantined).toBe(0);
    expect(new Map(bars.map((b) => [b.ts, b.low]))).toEqual(BY_MARK);
    const src = await db.query<{ source: string }>(
      `SELECT DISTINCT b.source FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id WHERE i.symbol = 'USDC'`,
    );
    expect(src.rows).toEqual([{ source: 'defillama' }]);
    const lastBar = bars.at(-1);
    expect(await watermark(symbol)).toEqual([
      { watermark: new Date(lastBar?.ts ?? 0).toISOString(), source: 'defillama' },
    ]);
  }, 30_000);

  it('malformed JSON: the run fails with a clear error and stores nothing', async () => {
    const symbol = await fresh('USDC_BAD');
    const s = await source(() => ({ body: '{"coins": {"coingecko:usd-coin": {"prices": [' }));
    const summary = await ingest(s, symbol);
    expect(summary.failed).toBe(1);
    const error = summary.instruments.find((i) => i.symbol === symbol)?.error ?? '';
    expect(error).toBe(
      'defillama: bad payload at (body): not JSON ({"coins": {"coingecko:usd-coin": {"prices": [)',
    );
    expect(await stored(symbol)).toEqual([]);
    expect(await watermark(symbol)).toEqual([]);
    // and the source's own error names what is wrong
    const err = await collect(s.fetchBars(USDC, '1h', { from: FIRST, to: FIRST + 10 * H })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BadPayloadError);
  }, 30_000);

  it('an impossible price is quarantined, the rest stored; a re-run asks only for the missing hours', async () => {
    const symbol = await fresh('USDC_Q');
    const bad = RECORDS.map((r) => (r.timestamp === 1678406269 ? { ...r, price: -1 } : r));
    expect(bad).not.toEqual(RECORDS);
    let s = await source(llamaCoins(bad));
    const first = await ingest(s, symbol);
    expect(first.quarantined).toBeGreaterThanOrEqual(1);
    const q = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ops.quarantine WHERE source = 'defillama' AND symbol = $1`,
      [symbol],
    );
    expect(q.rows[0]?.n).toBeGreaterThanOrEqual(1);
    expect((await stored(symbol)).length).toBe(RECORDS.length - first.quarantined);
    // a second run over the same span: only the hole is asked for (watermarks + gap repair), then filled
    await server?.close();
    s = await source(llamaCoins(RECORDS));
    const second = await ingest(s, symbol);
    expect(second.failed).toBe(0);
    const spans = (server?.requests ?? []).map((r) => Number(r.url.searchParams.get('span')));
    expect(spans.reduce((a, b) => a + b, 0)).toBeLessThan((LAST - FIRST) / H);
    expect(new Map((await stored(symbol)).map((b) => [b.ts, b.low]))).toEqual(BY_MARK);
  }, 30_000);

  it('`marketpipe backfill --source defillama --interval 1h` with DEFILLAMA_BASE_URL stores the hours', async () => {
    const symbol = await fresh('USDC_CLI');
    server = await startLoopback(llamaCoins(RECORDS));
    const r = await runMain(
      [
        '--db',
        tmp.url,
        '--json',
        'backfill',
        '--start-date',
        '2023-03-10',
        '--end-date',
        '2023-03-13',
        '--asset',
        symbol,
        '--source',
        'defillama',
        '--interval',
        '1h',
      ],
      { DEFILLAMA_BASE_URL: server.baseUrl },
    );
    expect(r.code, r.err).toBe(0);
    const bars = await stored(symbol);
    expect(bars.length).toBe(
      [...BY_MARK.keys()].filter((t) => t >= Date.UTC(2023, 2, 10) && t < Date.UTC(2023, 2, 13)).length,
    );
    expect(Math.min(...bars.map((b) => b.low))).toBe(0.876675);
  }, 60_000);
});
