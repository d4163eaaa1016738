/** Seeded synthetic markets for backtest integration tests: equities on weekdays, crypto every day. */
import { DAY_MS } from '../../src/core/time.ts';
import type { Instrument, StoredBar } from '../../src/core/types.ts';
import { Rng } from '../../src/risk/rng.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { upsertDividends, upsertSplits } from '../../src/store/repos/events.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';

const INSTRUMENTS: Instrument[] = [
  { symbol: 'AAA', assetClass: 'equity', name: 'A', currency: 'USD', timezone: 'America/New_York' },
  { symbol: 'BBB', assetClass: 'equity', name: 'B', currency: 'USD', timezone: 'America/New_York' },
  { symbol: 'CCC', assetClass: 'equity', name: 'C', currency: 'USD', timezone: 'America/New_York' },
  { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
  {
    symbol: 'USDC',
    assetClass: 'stablecoin',
    name: 'USD Coin',
    currency: 'USD',
    timezone: 'UTC',
    pegTarget: 1,
  },
];

const START = Date.UTC(2022, 0, 3);
const DAYS = 500;

function bars(
  symbol: string,
  seed: number,
  weekdaysOnly: boolean,
  vol: number,
  base?: number[],
): StoredBar[] {
  const rng = new Rng(seed);
  const out: StoredBar[] = [];
  let p = 100;
  let k = 0;
  for (let d = 0; d < DAYS; d++) {
    const ts = START + d * DAY_MS;
    const dow = new Date(ts).getUTCDay();
    if (weekdaysOnly && (dow === 0 || dow === 6)) continue;
    const open = p;
    p =
      base === undefined
        ? p * Math.exp(vol * rng.normal())
        : (base[k] ?? 100) * 1.5 + vol * 100 * rng.normal();
    k++;
    out.push({
      symbol,
      interval: '1d',
      ts,
      open,
      high: Math.max(open, p) * 1.002,
      low: Math.min(open, p) * 0.998,
      close: p,
      volume: 1000,
      source: 'test',
    });
  }
  return out;
}

/** Loads the five instruments with about 500 days of bars each. */
export async function loadMarket(db: Db): Promise<void> {
  await upsertInstruments(db, INSTRUMENTS);
  const a = bars('AAA', 1, true, 0.015);
  // BBB tracks 1.5·AAA plus noise, so the pair trade has a spread to trade.
  const b = bars(
    'BBB',
    2,
    true,
    0.01,
    a.map((x) => x.close),
  );
  const c = bars('CCC', 3, true, 0.012);
  const btc = bars('BTC', 4, false, 0.03);
  const usdc = bars('USDC', 5, false, 0.0005).map((x) => ({
    ...x,
    open: 1,
    high: 1.001,
    low: 0.999,
    close: 1,
  }));
  await upsertBars(db, [...a, ...b, ...c, ...btc, ...usdc]);
}

/**
 * `SPLT`, an equity with a 4-for-1 split (ex 2024-03-07) and a 1.03 dividend (ex 2024-03-08, per post-split
 * share), and `XBT`, a crypto coin with the same raw bars and no corporate actions. Stored raw through the
 * real repositories, as Polygon reference data would leave them.
 *
 *   date        open  close   (raw)
 *   2024-03-04   400    400
 *   2024-03-05   400    404
 *   2024-03-06   404    408
 *   2024-03-07   102    103   ← split ex-date: 408 → 103 is −74.75 % raw, +1 % split-adjusted (412 → 103·4)
 *   2024-03-08   103    105   ← dividend ex-date: factor 1 − 1.03/103 = 0.99 on every earlier price
 */
const SPLIT_BARS: ReadonlyArray<[date: string, open: number, close: number]> = [
  ['2024-03-04', 400, 400],
  ['2024-03-05', 400, 404],
  ['2024-03-06', 404, 408],
  ['2024-03-07', 102, 103],
  ['2024-03-08', 103, 105],
];
const SPLIT = { symbol: 'SPLT', exDate: '2024-03-07', splitFrom: 1, splitTo: 4 } as const;
const DIVIDEND = { symbol: 'SPLT', exDate: '2024-03-08', amount: 1.03 } as const;

export async function loadSplitMarket(db: Db): Promise<void> {
  await upsertInstruments(db, [
    { symbol: 'SPLT', assetClass: 'equity', name: 'Split Co', currency: 'USD', timezone: 'America/New_York' },
    { symbol: 'XBT', assetClass: 'crypto', name: 'Coin', currency: 'USD', timezone: 'UTC' },
  ]);
  await upsertBars(
    db,
    ['SPLT', 'XBT'].flatMap((symbol) =>
      SPLIT_BARS.map(
        ([date, open, close]): StoredBar => ({
          symbol,
          interval: '1d',
          ts: Date.parse(`${date}T00:00:00Z`),
          open,
          high: Math.max(open, close),
          low: Math.min(open, close),
          close,
          volume: 1000,
          source: 'test',
        }),
      ),
    ),
  );
  await upsertSplits(db, [{ ...SPLIT, source: 'test' }]);
  await upsertDividends(db, [
    {
      ...DIVIDEND,
      recordDate: null,
      payDate: null,
      declarationDate: null,
      currency: 'USD',
      frequency: 4,
      dividendType: 'CD',
      source: 'test',
    },
  ]);
}
