import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testBackends } from '../../../test/store/backends.ts';
import { NotFoundError } from '../../core/errors.ts';
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import type { StoredBar } from '../../core/types.ts';
import type { Db } from '../db.ts';
import { upsertBars } from './bars.ts';
import { coverage, findGaps } from './coverage.ts';
import { upsertInstruments } from './instruments.ts';
import { upsertPrices } from './prices.ts';

function bar(symbol: string, interval: '1d' | '1h', ts: number): StoredBar {
  return { symbol, interval, ts, open: 1, high: 1, low: 1, close: 1, volume: 0, source: 'test' };
}

// NYSE trading days 2–19 January 2024: weekends and Monday 15 January (Martin Luther King Jr. Day, NYSE
// holiday calendar) are closed — 13 sessions.
const SESSIONS = [2, 3, 4, 5, 8, 9, 10, 11, 12, 16, 17, 18, 19].map((d) => Date.UTC(2024, 0, d));
const T0 = Date.UTC(2024, 0, 1);

for (const backend of await testBackends('coverage', { all: true })) {
  describe(`coverage on ${backend.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await backend.open();
      await upsertInstruments(db, [
        { symbol: 'SPY', assetClass: 'etf', name: 'SPY', currency: 'USD', timezone: 'America/New_York' },
        { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
        { symbol: 'EUR_USD', assetClass: 'fx', name: 'EUR/USD', currency: 'USD', timezone: 'UTC' },
        {
          symbol: 'USDC',
          assetClass: 'stablecoin',
          name: 'USD Coin',
          currency: 'USD',
          timezone: 'UTC',
          pegTarget: 1,
        },
      ]);
    });
    afterAll(async () => backend.dispose(db));
    beforeEach(async () => {
      await db.exec('TRUNCATE market_data.bars, market_data.prices');
    });

    it('counts a removed trading day as one gap, not weekends or holidays', async () => {
      const removed = Date.UTC(2024, 0, 10);
      await upsertBars(
        db,
        SESSIONS.filter((t) => t !== removed).map((t) => bar('SPY', '1d', t)),
      );
      const now = Date.UTC(2024, 0, 19, 12);
      const rows = await coverage(db, { symbols: ['SPY'], now });
      expect(rows).toEqual([
        {
          symbol: 'SPY',
          interval: '1d',
          first: '2024-01-02T00:00:00.000Z',
          last: '2024-01-19T00:00:00.000Z',
          count: 12,
          gaps: 1,
          freshness_seconds: 12 * 3600,
        },
      ]);
      expect(await findGaps(db, 'SPY', '1d')).toEqual([
        { from: '2024-01-10T00:00:00.000Z', to: '2024-01-11T00:00:00.000Z', missing: 1 },
      ]);
    });

    it('joins consecutive missing sessions across a weekend and a holiday into one run', async () => {
      const gone = new Set([Date.UTC(2024, 0, 12), Date.UTC(2024, 0, 16)]);
      await upsertBars(
        db,
        SESSIONS.filter((t) => !gone.has(t)).map((t) => bar('SPY', '1d', t)),
      );
      expect(await findGaps(db, 'SPY', '1d')).toEqual([
        { from: '2024-01-12T00:00:00.000Z', to: '2024-01-17T00:00:00.000Z', missing: 2 },
      ]);
      // A range narrows the search; outside the stored span nothing is a gap.
      expect(
        await findGaps(db, 'SPY', '1d', { from: Date.UTC(2024, 0, 17), to: Date.UTC(2025, 0, 1) }),
      ).toEqual([]);
    });

    it('expects every hour of crypto and weekdays of FX daily bars', async () => {
      const hours = Array.from({ length: 48 }, (_, i) => T0 + i * HOUR_MS).filter(
        (_, i) => i !== 10 && i !== 11,
      );
      // FX daily bars Mon 1 – Fri 12 Jan 2024, Wednesday 10 missing: weekends are not gaps.
      const fxDays = Array.from({ length: 12 }, (_, i) => T0 + i * DAY_MS).filter((t) => {
        const wd = new Date(t).getUTCDay();
        return wd !== 0 && wd !== 6 && t !== Date.UTC(2024, 0, 10);
      });
      await upsertBars(db, [
        ...hours.map((t) => bar('BTC', '1h', t)),
        ...fxDays.map((t) => bar('EUR_USD', '1d', t)),
      ]);
      await upsertPrices(db, [
        { symbol: 'USDC', ts: T0, price: 1, source: 'test' },
        { symbol: 'USDC', ts: T0 + 5 * DAY_MS, price: 0.99, source: 'test' },
      ]);
      const now = Date.UTC(2024, 0, 13);
      const rows = await coverage(db, { now });
      // Freshness = now − last: BTC last 2 Jan 23:00 (10 days + 1 h), EUR_USD 12 Jan (1 day), USDC 6 Jan (7 days).
      expect(rows.map((r) => [r.symbol, r.interval, r.count, r.gaps, r.freshness_seconds])).toEqual([
        ['BTC', '1h', 46, 2, 241 * 3600],
        ['EUR_USD', '1d', 9, 1, 86400],
        ['SPY', '1d', 0, 0, null],
        ['USDC', 'price', 2, 0, 7 * 86400],
      ]);
      expect(await findGaps(db, 'BTC', '1h')).toEqual([
        { from: '2024-01-01T10:00:00.000Z', to: '2024-01-01T12:00:00.000Z', missing: 2 },
      ]);
      const only1h = await coverage(db, { interval: '1h', now });
      expect(only1h.map((r) => [r.symbol, r.interval, r.count])).toEqual([
        ['BTC', '1h', 46],
        ['EUR_USD', '1h', 0],
        ['SPY', '1h', 0],
        ['USDC', '1h', 0],
      ]);
      await expect(findGaps(db, 'NOPE', '1d')).rejects.toThrow(NotFoundError);
    });
  });
}
