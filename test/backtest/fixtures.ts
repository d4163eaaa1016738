/** Seeded synthetic markets for backtest integration tests: equities on weekdays, crypto every day. */
import { DAY_MS } from '../../src/core/time.ts';
import type { Instrument, StoredBar } from '../../src/core/types.ts';
import { Rng } from '../../src/risk/rng.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';

export const INSTRUMENTS: Instrument[] = [
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

export const START = Date.UTC(2022, 0, 3);
export const DAYS = 500;

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
