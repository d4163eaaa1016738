import { runAllAnalytics } from '../../src/analytics/service.ts';
import { DAY_MS, HOUR_MS } from '../../src/core/time.ts';
import type { Instrument } from '../../src/core/types.ts';
import { saveValidationReport, validateStore } from '../../src/quality/validate.ts';
import { syntheticBars } from '../../src/sources/synthetic/generator.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { upsertPrices } from '../../src/store/repos/prices.ts';

/** A small universe for the API tests: two coins, a stablecoin, an equity. */
export const FIXTURE_INSTRUMENTS: Instrument[] = [
  { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
  { symbol: 'ETH', assetClass: 'crypto', name: 'Ethereum', currency: 'USD', timezone: 'UTC' },
  {
    symbol: 'USDC',
    assetClass: 'stablecoin',
    name: 'USD Coin',
    currency: 'USD',
    timezone: 'UTC',
    pegTarget: 1,
  },
  {
    symbol: 'AAPL',
    assetClass: 'equity',
    name: 'Apple',
    currency: 'USD',
    timezone: 'America/New_York',
    exchange: 'NASDAQ',
  },
];

export interface FixtureSummary {
  dailyBars: number;
  hourlyBars: number;
  now: number;
}

/**
 * Seeds `db` (migrated) with ~400 days of synthetic daily bars (seed 7), 3 days of hourly bars, one point
 * price per coin, then runs the analytics (volatility, correlations, best pairs, depegs) and stores a
 * validation report: enough for every read route to answer with real rows in a few seconds.
 */
export async function seedApiFixture(db: Db, now = Date.now()): Promise<FixtureSummary> {
  await upsertInstruments(db, FIXTURE_INSTRUMENTS);
  const daily = { from: now - 400 * DAY_MS, to: now };
  const hourly = { from: now - 3 * DAY_MS, to: now };
  const bars = FIXTURE_INSTRUMENTS.flatMap((inst) => [
    ...syntheticBars(inst, '1d', daily, { seed: 7 }).map((b) => ({
      ...b,
      symbol: inst.symbol,
      interval: '1d' as const,
      source: 'synthetic',
    })),
    ...syntheticBars(inst, '1h', hourly, { seed: 7 }).map((b) => ({
      ...b,
      symbol: inst.symbol,
      interval: '1h' as const,
      source: 'synthetic',
    })),
  ]);
  await upsertBars(db, bars);
  const lastHour = Math.floor(now / HOUR_MS) * HOUR_MS;
  await upsertPrices(db, [
    { symbol: 'BTC', ts: lastHour, price: 65_000, source: 'fixture' },
    { symbol: 'ETH', ts: lastHour, price: 3_200, source: 'fixture' },
  ]);
  await runAllAnalytics(db, { asOf: now });
  await saveValidationReport(db, await validateStore(db, { now }));
  return {
    dailyBars: bars.filter((b) => b.interval === '1d').length,
    hourlyBars: bars.filter((b) => b.interval === '1h').length,
    now,
  };
}
