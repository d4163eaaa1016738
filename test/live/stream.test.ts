import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCache } from '../../src/cache/memory.ts';
import type { Instrument } from '../../src/core/types.ts';
import type { Venue } from '../../src/live/protocol.ts';
import { StreamRunner, type StreamTarget } from '../../src/live/runner.ts';
import type { CompositeTick } from '../../src/live/types.ts';
import { PROTOCOLS } from '../../src/live/venues.ts';
import { BinanceSource } from '../../src/sources/binance/client.ts';
import { CoinbaseSource } from '../../src/sources/coinbase/client.ts';
import { CoinbaseMatch } from '../../src/sources/coinbase/schema.ts';
import { KrakenSource } from '../../src/sources/kraken/client.ts';
import { KrakenTradeMessage } from '../../src/sources/kraken/schema.ts';
import type { Loopback } from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { readBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { readVenueBars } from '../../src/store/repos/venue-bars.ts';
import { createTempDatabase } from '../store/backends.ts';
import { type FakeTrade, FakeVenue, minuteBars, startCandles, tradeMessage } from './fake-venues.ts';
import { svbHours, svbTrades } from './svb.ts';

const INSTRUMENTS: Instrument[] = [
  {
    symbol: 'BTC',
    assetClass: 'crypto',
    name: 'Bitcoin',
    currency: 'USD',
    timezone: 'UTC',
    sources: { binance: 'BTCUSDT' },
  },
  {
    symbol: 'USDC',
    assetClass: 'stablecoin',
    name: 'USD Coin',
    currency: 'USD',
    timezone: 'UTC',
    pegTarget: 1,
    sources: { binance: 'USDCUSDT' },
  },
];
const MIN = 60_000;

let db: Db;
let drop: () => Promise<void>;
const open: Array<{ close(): Promise<unknown> }> = [];
// The machine's PostgreSQL, a database of this file's own (migrating it is much faster than PGlite here).
beforeAll(async () => {
  const tmp = await createTempDatabase('live');
  drop = tmp.drop;
  db = await openPostgres(tmp.url);
  await migrate(db);
  await upsertInstruments(db, INSTRUMENTS);
});
afterAll(async () => {
  await db.close();
  await drop();
});
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
}

async function setup(
  venues: Venue[],
  truth: () => readonly FakeTrade[],
  extra: { listeners?: Array<{ onComposite(t: CompositeTick): void }>; cache?: MemoryCache } = {},
) {
  const fakes = {} as Record<Venue, FakeVenue>;
  const rest: Partial<Record<Venue, BinanceSource | CoinbaseSource | KrakenSource>> = {};
  for (const v of venues) {
    fakes[v] = await FakeVenue.start(v);
    const candles: Loopback = await startCandles(v, truth);
    open.push(fakes[v], candles);
    rest[v] =
      v === 'binance'
        ? new BinanceSource({ baseUrl: candles.baseUrl })
        : v === 'coinbase'
          ? new CoinbaseSource({ baseUrl: candles.baseUrl })
          : new KrakenSource({ baseUrl: candles.baseUrl });
  }
  const runner = new StreamRunner(
    {
      db,
      cache: extra.cache,
      listeners: extra.listeners ?? [],
      protocols: PROTOCOLS,
      wsUrls: {
        binance: fakes.binance?.url ?? '',
        coinbase: fakes.coinbase?.url ?? '',
        kraken: fakes.kraken?.url ?? '',
      },
      rest,
      instruments: new Map(INSTRUMENTS.map((i) => [i.symbol, i])),
      random: seeded(7),
    },
    { backoffInitialMs: 50, flushEveryMs: 100 },
  );
  open.push({ close: () => runner.stop() });
  return { runner, fakes };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const target = (symbol: string, venue: Venue, venueSymbol: string, primary = true): StreamTarget => ({
  symbol,
  venue,
  venueSymbol,
  primary,
});

describe('wire formats of the fakes', () => {
  it('match and trade messages satisfy the venue schemas (docs.cdp.coinbase.com, docs.kraken.com)', () => {
    const t = { venueSymbol: 'BTC-USD', price: 30_000.5, qty: 0.01, ts: Date.UTC(2023, 2, 11), id: 7 };
    expect(CoinbaseMatch.safeParse(JSON.parse(tradeMessage('coinbase', t))).success).toBe(true);
    expect(
      KrakenTradeMessage.safeParse(JSON.parse(tradeMessage('kraken', { ...t, venueSymbol: 'BTC/USD' })))
        .success,
    ).toBe(true);
  });
});

describe('the SVB night for USDC on Kraken', () => {
  it('stores 1m bars that equal their trades and reproduce the hourly Kraken bars', async () => {
    // 2023-03-11 00:00–06:00 UTC: USDC falls from 0.9982 to a 0.8774 low (samples/USDC_kraken_hourly_2023-03.csv).
    const hours = svbHours('2023-03-11T00:00:00Z', 6);
    expect(hours).toHaveLength(6);
    const night = hours[0]?.ts ?? Number.NaN;
    const trades = svbTrades(hours, 'USDC/USD');
    const last = trades[trades.length - 1] as FakeTrade;
    // One trade in the next minute closes the last bar of the night.
    const sentinel = { ...last, ts: night + 6 * 3_600_000 + 1000, id: last.id + 1 };
    const ticks: CompositeTick[] = [];
    const { runner, fakes } = await setup(['kraken'], () => [...trades, sentinel], {
      listeners: [{ onComposite: (t) => ticks.push(t) }],
    });
    runner.start([target('USDC', 'kraken', 'USDC/USD')]);
    await fakes.kraken.waitSubscribed(['USDC/USD']);
    fakes.kraken.send([...trades, sentinel]);
    await until('360 bars', async () => {
      await runner.flush();
      return (await readVenueBars(db, 'USDC', 'kraken', { from: night, to: sentinel.ts })).length >= 360;
    });
    const bars = await readVenueBars(db, 'USDC', 'kraken', { from: night, to: sentinel.ts - 1000 });
    expect(bars).toHaveLength(360);
    const expected = minuteBars(trades);
    for (const b of bars) {
      const e = expected.get(b.ts);
      expect(e, `minute ${new Date(b.ts).toISOString()}`).toBeDefined();
      expect([b.open, b.high, b.low, b.close]).toEqual([e?.open, e?.high, e?.low, e?.close]);
      expect(b.volume).toBeCloseTo(e?.volume ?? Number.NaN, 6);
      expect(b.trades).toBe(3);
    }
    for (const h of hours) {
      const inHour = bars.filter((b) => b.ts >= h.ts && b.ts < h.ts + 3_600_000);
      expect(inHour[0]?.open).toBe(h.open);
      expect(inHour[inHour.length - 1]?.close).toBe(h.close);
      expect(Math.max(...inHour.map((b) => b.high))).toBe(h.high);
      expect(Math.min(...inHour.map((b) => b.low))).toBe(h.low);
      expect(inHour.reduce((s, b) => s + b.volume, 0)).toBeCloseTo(h.volume, 3);
    }
    // Kraken is USDC's primary venue: market_data.bars gets the same minutes.
    expect(await readBars(db, 'USDC', '1m', { from: night, to: sentinel.ts - 1000 })).toHaveLength(360);
    // The composite followed the fall: its lowest tick is the night's low, 0.8774 at 06:xx (hour row 06:00 is outside; 03:00 has 0.8948).
    expect(Math.min(...ticks.map((t) => t.price))).toBe(Math.min(...hours.map((h) => h.low)));
    const s = runner.summary();
    expect(s.trades).toBe(trades.length + 1);
    expect(s.gaps_repaired).toBe(0);
  });
});

function minuteTrades(
  venueSymbol: string,
  start: number,
  minutes: number,
  firstId: number,
  base = 30_000,
): FakeTrade[] {
  const out: FakeTrade[] = [];
  let id = firstId;
  for (let m = 0; m < minutes; m++)
    for (const s of [3, 20, 41])
      out.push({
        venueSymbol,
        price: base + m * 10 + s / 10,
        qty: 0.5,
        ts: start + m * MIN + s * 1000,
        id: id++,
      });
  return out;
}

describe('never a silent hole', () => {
  it('a dropped Coinbase connection is repaired from REST candles with no missing minute', async () => {
    const start = Date.UTC(2024, 5, 3, 10, 0);
    const truth = minuteTrades('BTC-USD', start, 12, 1);
    const { runner, fakes } = await setup(['coinbase'], () => truth);
    runner.start([target('BTC', 'coinbase', 'BTC-USD')]);
    await fakes.coinbase.waitSubscribed(['BTC-USD']);
    // Minutes 0–4 (the last one half), then the network fails; minutes 5–7 trade while we are away.
    const beforeDrop = truth.filter((t) => t.ts < start + 4 * MIN + 25_000);
    fakes.coinbase.send(beforeDrop);
    await until('trades before the drop', () => runner.summary().trades === beforeDrop.length);
    fakes.coinbase.dropAll();
    await until(
      'reconnect',
      async () => (runner.connectionOf('coinbase')?.connected ?? false) && runner.summary().reconnects === 1,
    );
    await fakes.coinbase.waitSubscribed(['BTC-USD']);
    fakes.coinbase.send(truth.filter((t) => t.ts >= start + 8 * MIN));
    await until('the repair', async () => {
      await runner.flush();
      return runner.summary().gaps_repaired >= 1;
    });
    await runner.flush();
    const bars = await readVenueBars(db, 'BTC', 'coinbase', { from: start, to: start + 11 * MIN });
    const expected = [...minuteBars(truth).values()].filter((b) => b.ts < start + 11 * MIN);
    expect(bars.map((b) => b.ts)).toEqual(expected.map((b) => b.ts));
    for (const [i, b] of bars.entries()) {
      const e = expected[i];
      expect([b.open, b.high, b.low, b.close, b.volume], new Date(b.ts).toISOString()).toEqual([
        e?.open,
        e?.high,
        e?.low,
        e?.close,
        e?.volume,
      ]);
    }
    // REST rewrote the half minute 4 and filled 5–7; minute 8 (all its trades came after the reconnect) may come
    // from either, with the same values.
    const fromRest = bars.filter((b) => b.origin === 'rest').map((b) => (b.ts - start) / MIN);
    expect(fromRest.filter((m) => m !== 8)).toEqual([4, 5, 6, 7]);
  });

  it('a skipped Kraken trade id is repaired: the minute holds the missed trade', async () => {
    const start = Date.UTC(2024, 5, 3, 12, 0);
    const truth = minuteTrades('BTC/USD', start, 6, 500, 60_000);
    // The missed trade is minute 2's high.
    const missed = truth[7] as FakeTrade;
    missed.price = 61_000;
    const { runner, fakes } = await setup(['kraken'], () => truth);
    runner.start([target('BTC', 'kraken', 'BTC/USD')]);
    await fakes.kraken.waitSubscribed(['BTC/USD']);
    fakes.kraken.send(truth.filter((t) => t !== missed));
    await until('the repair', async () => {
      await runner.flush();
      return runner.summary().gaps_repaired >= 1;
    });
    const bars = await readVenueBars(db, 'BTC', 'kraken', { from: start, to: start + 5 * MIN });
    expect(bars).toHaveLength(5);
    expect(bars[2]?.high).toBe(61_000);
    expect(bars.map((b) => b.close)).toEqual([...minuteBars(truth).values()].slice(0, 5).map((b) => b.close));
  });
});

describe('composite price', () => {
  it('a venue sending a wild price does not move the median', async () => {
    const start = Date.UTC(2024, 5, 4, 9, 0);
    const cache = new MemoryCache();
    const ticks: CompositeTick[] = [];
    const { runner, fakes } = await setup(['binance', 'coinbase', 'kraken'], () => [], {
      cache,
      listeners: [{ onComposite: (t) => ticks.push(t) }],
    });
    runner.start([
      target('BTC', 'binance', 'BTCUSDT'),
      target('BTC', 'coinbase', 'BTC-USD', false),
      target('BTC', 'kraken', 'BTC/USD', false),
    ]);
    await Promise.all([
      fakes.binance.waitSubscribed(['BTCUSDT']),
      fakes.coinbase.waitSubscribed(['BTC-USD']),
      fakes.kraken.waitSubscribed(['BTC/USD']),
    ]);
    fakes.coinbase.send([{ venueSymbol: 'BTC-USD', price: 30_000, qty: 1, ts: start, id: 1 }]);
    fakes.kraken.send([{ venueSymbol: 'BTC/USD', price: 30_010, qty: 1, ts: start + 100, id: 1 }]);
    await until('two venues', () => runner.composite('BTC')?.venues.length === 2);
    // Two venues agreeing within 2 %: their median is their mean.
    expect(runner.composite('BTC')?.price).toBe(30_005);
    fakes.binance.send([{ venueSymbol: 'BTCUSDT', price: 90_000, qty: 1, ts: start + 200, id: 1 }]);
    await until('three venues', () => runner.composite('BTC')?.venues.length === 3);
    expect(runner.composite('BTC')?.price).toBe(30_010);
    expect(Math.max(...ticks.map((t) => t.price))).toBeLessThanOrEqual(30_010);
    await until(
      'cached price',
      async () => ((await cache.get<{ price: number }>('latest_price:BTC'))?.price ?? 0) === 30_010,
    );
  });
});
