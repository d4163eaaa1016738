import type { StoredBar } from '../../src/core/types.ts';
import { SAMPLE_COINS, sampleSeries } from '../../src/models/testing.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';

/** The shipped real daily series (samples/) stored as the demo stores them, plus one synthetic bar. */
export async function loadSamples(db: Db): Promise<void> {
  await upsertInstruments(db, [
    ...SAMPLE_COINS.map((c) => ({
      symbol: c.symbol,
      assetClass: 'stablecoin' as const,
      name: c.symbol,
      currency: 'USD',
      timezone: 'UTC',
      pegTarget: 1,
    })),
    { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
  ]);
  const { coins, btc } = sampleSeries();
  const rows: StoredBar[] = [];
  for (const s of [...coins, { ...btc, symbol: 'BTC' }]) {
    s.ts.forEach((ts, i) => {
      const close = s.close[i] as number;
      rows.push({
        symbol: s.symbol,
        interval: '1d',
        source: s.symbol === 'BTC' ? 'yahoo' : 'coinmarketcap',
        ts,
        open: s.open[i] as number,
        high: Math.max(s.high[i] as number, close),
        low: Math.min(s.low[i] as number, close),
        close,
        volume: s.volume[i] as number,
      });
    });
  }
  // The demo's synthetic fill must never reach a model: a wild synthetic USDC bar after the real data.
  rows.push({
    symbol: 'USDC',
    interval: '1d',
    source: 'synthetic',
    ts: Date.parse('2024-06-01'),
    open: 0.5,
    high: 0.5,
    low: 0.5,
    close: 0.5,
    volume: 1,
  });
  await upsertBars(db, rows);
}
