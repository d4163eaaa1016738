/** Real daily history from samples/ for the execution suites. */
import { readFileSync } from 'node:fs';
import type { StoredBar } from '../../src/core/types.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';

/**
 * SPY daily 1999-11-01 → 2020 (samples/SPY_daily_1999-2020.csv: `,date,open,high,low,close,volume`) and
 * BTC daily 2021-12-01 → 2025 (samples/daily/BTC_yahoo_daily_2021-2025.csv, Yahoo; see samples/README.md).
 */
const SAMPLES = {
  SPY: { path: '../../samples/SPY_daily_1999-2020.csv', skip: 1, assetClass: 'etf' as const },
  BTC: { path: '../../samples/daily/BTC_yahoo_daily_2021-2025.csv', skip: 0, assetClass: 'crypto' as const },
};

function sampleBars(symbol: keyof typeof SAMPLES): StoredBar[] {
  const f = SAMPLES[symbol];
  return readFileSync(new URL(f.path, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const cells = line.split(',').slice(f.skip);
      const [d, o, h, l, c, v] = cells;
      const close = Number(c);
      return {
        symbol,
        interval: '1d',
        source: 'sample',
        ts: Date.parse(`${d}T00:00:00Z`),
        open: Number(o),
        high: Math.max(Number(h), close),
        low: Math.min(Number(l), close),
        close,
        volume: Number(v),
      };
    });
}

/** Stores SPY and BTC daily bars. */
export async function loadSamples(db: Db): Promise<void> {
  await upsertInstruments(db, [
    { symbol: 'SPY', assetClass: 'etf', name: 'SPDR S&P 500', currency: 'USD', timezone: 'America/New_York' },
    { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
  ]);
  await upsertBars(db, [...sampleBars('SPY'), ...sampleBars('BTC')]);
}
