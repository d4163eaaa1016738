import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testBackends } from '../../../test/store/backends.ts';
import { NotFoundError } from '../../core/errors.ts';
import { HOUR_MS } from '../../core/time.ts';
import type { PricePoint } from '../../core/types.ts';
import type { Db } from '../db.ts';
import { upsertInstruments } from './instruments.ts';
import { countPrices, latestPrices, readPrices, upsertPrices } from './prices.ts';

const T0 = Date.UTC(2023, 2, 10);

function points(symbol: string, n: number): PricePoint[] {
  return Array.from({ length: n }, (_, i) => ({
    symbol,
    ts: T0 + i * HOUR_MS,
    price: 1 - i / 1000,
    source: 'coingecko',
    volume: i % 2 === 0 ? null : 1e6,
    marketCap: null,
  }));
}

for (const backend of await testBackends('prices', { all: true })) {
  describe(`prices repository on ${backend.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await backend.open();
      await upsertInstruments(db, [
        {
          symbol: 'USDC',
          assetClass: 'stablecoin',
          name: 'USD Coin',
          currency: 'USD',
          timezone: 'UTC',
          pegTarget: 1,
        },
        {
          symbol: 'DAI',
          assetClass: 'stablecoin',
          name: 'Dai',
          currency: 'USD',
          timezone: 'UTC',
          pegTarget: 1,
        },
      ]);
    });
    afterAll(async () => backend.dispose(db));
    beforeEach(async () => {
      await db.exec('TRUNCATE market_data.prices');
    });

    it('is idempotent, nulls included, and counts a changed point once', async () => {
      const rows = points('USDC', 100);
      expect(await upsertPrices(db, rows)).toEqual({ stored: 100, unchanged: 0 });
      expect(await upsertPrices(db, rows)).toEqual({ stored: 0, unchanged: 100 });
      const changed = rows.map((p, i) => (i === 3 ? { ...p, marketCap: 3.2e10 } : p));
      expect(await upsertPrices(db, changed)).toEqual({ stored: 1, unchanged: 99 });
      expect(await countPrices(db)).toBe(100);
    });

    it('keeps the last repeated point and refuses unknown symbols', async () => {
      const [a] = points('USDC', 1) as [PricePoint];
      expect(await upsertPrices(db, [a, { ...a, price: 0.88 }])).toEqual({ stored: 1, unchanged: 1 });
      expect((await readPrices(db, 'USDC', { from: 0, to: T0 + 1 }))[0]?.price).toBe(0.88);
      await expect(upsertPrices(db, [{ ...a, symbol: 'UST' }])).rejects.toThrow(NotFoundError);
    });

    it('reads a range ascending and the newest point per instrument', async () => {
      await upsertPrices(db, [...points('USDC', 10).reverse(), ...points('DAI', 4)]);
      const read = await readPrices(db, 'USDC', { from: T0 + HOUR_MS, to: T0 + 3 * HOUR_MS });
      expect(read).toEqual([
        {
          symbol: 'USDC',
          ts: T0 + HOUR_MS,
          price: 0.999,
          source: 'coingecko',
          volume: 1e6,
          marketCap: null,
          qualityScore: 1,
          isOutlier: false,
        },
        {
          symbol: 'USDC',
          ts: T0 + 2 * HOUR_MS,
          price: 0.998,
          source: 'coingecko',
          volume: null,
          marketCap: null,
          qualityScore: 1,
          isOutlier: false,
        },
      ]);
      const latest = await latestPrices(db);
      expect(latest.map((p) => [p.symbol, p.ts])).toEqual([
        ['DAI', T0 + 3 * HOUR_MS],
        ['USDC', T0 + 9 * HOUR_MS],
      ]);
      expect((await latestPrices(db, ['USDC'])).map((p) => p.symbol)).toEqual(['USDC']);
    });
  });
}
