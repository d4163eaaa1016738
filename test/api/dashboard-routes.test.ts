import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDepegEvents } from '../../src/analytics/service.ts';
import { DAY_MS } from '../../src/core/time.ts';
import type { Instrument, StoredBar } from '../../src/core/types.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { type ApiHarness, startApi } from './harness.ts';

/**
 * The API additions the dashboard reads (issue 18): the depeg window at the event's resolution, `sma_50`
 * among the asset indicators, `synthetic` flags on generated series, `source` in coverage, and the stored
 * backtest list with its filters.
 */

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');

/** Real Kraken USDC/USD hourly bars over the SVB depeg (samples/README.md). */
function krakenUsdcHourly(): StoredBar[] {
  const [, ...lines] = readFileSync(join(SAMPLES, 'USDC_kraken_hourly_2023-03.csv'), 'utf8')
    .trim()
    .split('\n');
  return lines.map((line) => {
    const [ts = '', open, high, low, close, , volume] = line.split(',');
    return {
      symbol: 'USDC',
      interval: '1h' as const,
      ts: Date.parse(ts),
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
      source: 'kraken',
    };
  });
}

const INSTRUMENTS: Instrument[] = [
  {
    symbol: 'USDC',
    assetClass: 'stablecoin',
    name: 'USD Coin',
    currency: 'USD',
    timezone: 'UTC',
    pegTarget: 1,
  },
  { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
  { symbol: 'AAPL', assetClass: 'equity', name: 'Apple', currency: 'USD', timezone: 'America/New_York' },
];
/** 120 daily BTC closes 100, 101, … 219 (generated: source synthetic); AAPL the same from a "yahoo" file. */
const DAYS = 120;
const END = Date.UTC(2026, 10, 30);

function line(symbol: string, source: string): StoredBar[] {
  return Array.from({ length: DAYS }, (_, i) => {
    const close = 100 + i;
    return {
      symbol,
      interval: '1d' as const,
      ts: END - (DAYS - 1 - i) * DAY_MS,
      open: close,
      high: close,
      low: close,
      close,
      volume: 1000,
      source,
    };
  });
}

let h: ApiHarness;
let hourly: StoredBar[];
beforeAll(async () => {
  h = await startApi({ store: 'pglite', seed: false });
  await upsertInstruments(h.db, INSTRUMENTS);
  hourly = krakenUsdcHourly();
  // Daily USDC bars that never leave the peg: the chart the issue saw (daily, trough on the wrong day).
  const daily: StoredBar[] = Array.from({ length: 40 }, (_, i) => ({
    symbol: 'USDC',
    interval: '1d' as const,
    ts: Date.UTC(2023, 1, 20) + i * DAY_MS,
    open: 1,
    high: 1.001,
    low: 0.999,
    close: 1,
    volume: 0,
    source: 'synthetic',
  }));
  await upsertBars(h.db, [...hourly, ...daily, ...line('BTC', 'synthetic'), ...line('AAPL', 'yahoo')]);
  await detectDepegEvents(h.db);
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function get<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await h.app.inject({ url });
  return { status: res.statusCode, body: res.json() as T };
}

describe('GET /api/depegs/window', () => {
  it('answers the hourly bars around the USDC event: their lowest low is the table’s minimum', async () => {
    const events = await get<{
      events: Array<{ asset: string; start: string; end: string; min_price: number }>;
    }>('/api/depegs?asset=USDC');
    // The deepest of the March 2023 events: the SVB weekend.
    const event = [...events.body.events].sort((x, y) => x.min_price - y.min_price)[0];
    expect(event, 'USDC events in March 2023').toBeDefined();
    // The Kraken file's lowest hourly low (the SVB trough) is the event's minimum.
    const trough = Math.min(...hourly.map((b) => b.low));
    expect(event?.min_price).toBe(trough);

    const w = await get<{ interval: string; peg: number; bars: Array<{ low: number; ts: string }> }>(
      `/api/depegs/window?asset=USDC&start=${event?.start}&end=${event?.end}`,
    );
    expect(w.status).toBe(200);
    expect(w.body.interval).toBe('1h');
    expect(w.body.peg).toBe(1);
    expect(Math.min(...w.body.bars.map((b) => b.low))).toBe(trough);
    // A day or more of context each side of the event.
    expect(Date.parse(w.body.bars[0]?.ts ?? '')).toBeLessThanOrEqual(Date.parse(event?.start ?? '') - DAY_MS);
  });

  it('refuses bad windows with 4xx JSON', async () => {
    const backwards = await get<{ error: string }>(
      '/api/depegs/window?asset=USDC&start=2023-03-12T00:00:00Z&end=2023-03-10T00:00:00Z',
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.error).toBe('invalid_input');
    expect((await get<{ error: string }>('/api/depegs/window?asset=NOPE&start=2023-03-10')).status).toBe(404);
    expect((await get<{ error: string }>('/api/depegs/window?asset=USDC&start=soon')).status).toBe(400);
  });
});

describe('sma_50 and synthetic flags', () => {
  it('serves sma_50 with the indicators: the mean of the last 50 closes', async () => {
    const res = await get<{ rows: Array<{ sma_50: number | null; sma_20: number | null }> }>(
      '/api/asset/BTC/indicators?range=MAX',
    );
    const last = res.body.rows[res.body.rows.length - 1];
    // Closes 170 … 219: mean (170 + 219) / 2 = 194.5; SMA 20: (200 + 219) / 2 = 209.5.
    expect(last?.sma_50).toBeCloseTo(194.5, 9);
    expect(last?.sma_20).toBeCloseTo(209.5, 9);
    // Asking for it again does not duplicate it, and other extras still work.
    const again = await get<{ rows: Array<Record<string, unknown>> }>(
      '/api/asset/BTC/indicators?range=1M&indicators=sma:50,ema:12',
    );
    expect(again.status).toBe(200);
    expect(Object.keys(again.body.rows[0] ?? {})).toEqual(expect.arrayContaining(['sma_50', 'ema_12']));
  });

  it('marks generated series: asset `synthetic`, market `source` per row and a count, coverage `source`', async () => {
    expect((await get<{ synthetic: boolean }>('/api/asset/BTC?range=1Y')).body.synthetic).toBe(true);
    expect((await get<{ synthetic: boolean }>('/api/asset/AAPL?range=1Y')).body.synthetic).toBe(false);
    const market = await get<{
      synthetic: number;
      asset_classes: Array<{ instruments: Array<{ symbol: string; source: string | null }> }>;
    }>('/api/market');
    const rows = market.body.asset_classes.flatMap((c) => c.instruments);
    expect(Object.fromEntries(rows.map((r) => [r.symbol, r.source]))).toEqual({
      AAPL: 'yahoo',
      BTC: 'synthetic',
      USDC: 'synthetic',
    });
    expect(market.body.synthetic).toBe(2);
    const cov = await get<{
      instruments: Array<{ symbol: string; interval: string; source: string | null }>;
    }>('/api/monitor/coverage');
    const usdc1h = cov.body.instruments.find((r) => r.symbol === 'USDC' && r.interval === '1h');
    expect(usdc1h?.source).toBe('kraken');
  });
});

describe('GET /api/backtests', () => {
  it('lists stored runs newest first, filtered by strategy and by symbol', async () => {
    const run = async (strategy: string, symbols: string[]) => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/backtests',
        payload: { strategy, symbols },
      });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as { id: number }).id;
    };
    const a = await run('buy-and-hold', ['BTC']);
    const b = await run('ma-crossover', ['AAPL']);
    const c = await run('buy-and-hold', ['AAPL']);
    type List = { runs: Array<{ id: number; strategy: string; symbols: string[]; metrics: object }> };
    const all = await get<List>('/api/backtests');
    expect(all.body.runs.map((r) => r.id)).toEqual([c, b, a]);
    expect(all.body.runs[0]?.metrics).toHaveProperty('total_return');
    expect((await get<List>('/api/backtests?strategy=buy-and-hold')).body.runs.map((r) => r.id)).toEqual([
      c,
      a,
    ]);
    expect((await get<List>('/api/backtests?symbol=aapl')).body.runs.map((r) => r.id)).toEqual([c, b]);
    expect((await get<List>('/api/backtests?strategy=ma-crossover&symbol=BTC')).body.runs).toEqual([]);
    expect((await get<List>('/api/backtests?limit=1')).body.runs.map((r) => r.id)).toEqual([c]);
    expect((await get<{ error: string }>('/api/backtests?strategy=../x')).status).toBe(400);
  });
});
