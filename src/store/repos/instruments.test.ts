import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testBackends } from '../../../test/store/backends.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { Instrument } from '../../core/types.ts';
import type { Db } from '../db.ts';
import { countBars, upsertBars } from './bars.ts';
import {
  getInstrument,
  listInstruments,
  removeInstrument,
  requireInstrument,
  setInstrumentActive,
  upsertInstruments,
} from './instruments.ts';

const USDC: Instrument = {
  symbol: 'USDC',
  assetClass: 'stablecoin',
  name: 'USD Coin',
  currency: 'USD',
  timezone: 'UTC',
  pegTarget: 1,
  sources: { coingecko: 'usd-coin', binance: 'USDCUSDT' },
};
const SPY: Instrument = {
  symbol: 'SPY',
  assetClass: 'etf',
  name: 'SPDR S&P 500 ETF',
  currency: 'USD',
  exchange: 'NYSE Arca',
  timezone: 'America/New_York',
  sources: { yahoo: 'SPY' },
};
const EUR_USD: Instrument = {
  symbol: 'EUR_USD',
  assetClass: 'fx',
  name: 'Euro / US Dollar',
  currency: 'USD',
  timezone: 'UTC',
};

for (const backend of await testBackends('instruments', { all: true })) {
  describe(`instruments repository on ${backend.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await backend.open();
    });
    afterAll(async () => backend.dispose(db));
    beforeEach(async () => {
      await db.exec('DELETE FROM market_data.instruments');
    });

    it('inserts, then counts only real changes as updates', async () => {
      expect(await upsertInstruments(db, [USDC, SPY, EUR_USD])).toEqual({ inserted: 3, updated: 0 });
      expect(await upsertInstruments(db, [USDC, SPY, EUR_USD])).toEqual({ inserted: 0, updated: 0 });
      expect(await upsertInstruments(db, [{ ...SPY, name: 'SPDR S&P 500' }, USDC])).toEqual({
        inserted: 0,
        updated: 1,
      });
      // A changed provider mapping is an update too, and replaces the old mapping set.
      expect(await upsertInstruments(db, [{ ...USDC, sources: { coingecko: 'usd-coin' } }])).toEqual({
        inserted: 0,
        updated: 1,
      });
      const usdc = await requireInstrument(db, 'USDC');
      expect(usdc).toMatchObject({
        symbol: 'USDC',
        assetClass: 'stablecoin',
        pegTarget: 1,
        active: true,
        inactiveReason: null,
        sources: { coingecko: 'usd-coin' },
      });
      expect(usdc.id).toBeGreaterThan(0);
    });

    it('lists by symbol with filters and mappings', async () => {
      await upsertInstruments(db, [USDC, SPY, EUR_USD]);
      expect((await listInstruments(db)).map((i) => i.symbol)).toEqual(['EUR_USD', 'SPY', 'USDC']);
      expect((await listInstruments(db, { assetClass: 'etf' })).map((i) => i.symbol)).toEqual(['SPY']);
      expect((await listInstruments(db, { symbols: ['USDC', 'NOPE'] })).map((i) => i.symbol)).toEqual([
        'USDC',
      ]);
      const spy = await getInstrument(db, 'SPY');
      expect(spy).toMatchObject({ exchange: 'NYSE Arca', sources: { yahoo: 'SPY' }, pegTarget: null });
      expect(await getInstrument(db, 'NOPE')).toBeNull();
      expect((await getInstrument(db, 'EUR_USD'))?.sources).toEqual({});
    });

    it('deactivates with a reason, keeps the flag on re-upsert without `active`, reactivates', async () => {
      await upsertInstruments(db, [USDC, SPY]);
      await setInstrumentActive(db, 'SPY', false, 'delisted');
      expect(await upsertInstruments(db, [SPY])).toEqual({ inserted: 0, updated: 0 });
      expect(await getInstrument(db, 'SPY')).toMatchObject({ active: false, inactiveReason: 'delisted' });
      expect((await listInstruments(db, { active: true })).map((i) => i.symbol)).toEqual(['USDC']);
      expect(await upsertInstruments(db, [{ ...SPY, active: true }])).toEqual({ inserted: 0, updated: 1 });
      expect(await getInstrument(db, 'SPY')).toMatchObject({ active: true, inactiveReason: null });
      await expect(setInstrumentActive(db, 'NOPE', false)).rejects.toThrow(NotFoundError);
    });

    it('removes an instrument with its bars', async () => {
      await upsertInstruments(db, [SPY]);
      await upsertBars(db, [
        {
          symbol: 'SPY',
          interval: '1d',
          ts: Date.UTC(2024, 0, 2),
          open: 1,
          high: 1,
          low: 1,
          close: 1,
          volume: 0,
          source: 't',
        },
      ]);
      expect(await removeInstrument(db, 'SPY')).toBe(true);
      expect(await removeInstrument(db, 'SPY')).toBe(false);
      expect(await countBars(db)).toBe(0);
    });

    it('names the unknown symbol and refuses bad input', async () => {
      await expect(requireInstrument(db, 'XYZ')).rejects.toThrow(
        'unknown instrument "XYZ" (see marketpipe instruments list)',
      );
      await expect(upsertInstruments(db, [{ ...SPY, assetClass: 'bond' as 'etf' }])).rejects.toThrow(
        ValidationError,
      );
      await expect(upsertInstruments(db, [SPY, SPY])).rejects.toThrow(/listed twice/);
      expect(await listInstruments(db)).toEqual([]);
    });
  });
}
