import { describe, expect, it } from 'vitest';
import type { Instrument } from '../core/types.ts';
import { BinanceSource } from './binance/client.ts';
import { CoinGeckoSource } from './coingecko/client.ts';
import { ProviderNotFoundError } from './errors.ts';
import { OandaSource } from './oanda/client.ts';
import { PolygonSource } from './polygon/client.ts';
import { YahooSource } from './yahoo/client.ts';

// No `sources` mapping: every connector must refuse before any request (fetch throws if one is made).
const noFetch: typeof fetch = () => Promise.reject(new Error('unexpected request'));
const unmapped = (assetClass: Instrument['assetClass']): Instrument => ({
  symbol: 'ZZZ',
  assetClass,
  name: 'unmapped',
  currency: 'USD',
  timezone: 'UTC',
});

describe('HttpSource: an instrument without a provider symbol', () => {
  const cases = [
    {
      source: new BinanceSource({ fetch: noFetch }),
      assetClass: 'crypto',
      message: 'no binance symbol for ZZZ',
    },
    {
      source: new CoinGeckoSource({ fetch: noFetch }),
      assetClass: 'crypto',
      message: 'no coingecko id for ZZZ',
    },
    {
      source: new OandaSource({ fetch: noFetch, apiKey: 'k' }),
      assetClass: 'fx',
      message: 'no oanda instrument for ZZZ',
    },
    {
      source: new PolygonSource({ fetch: noFetch, apiKey: 'k' }),
      assetClass: 'equity',
      message: 'no polygon symbol for ZZZ',
    },
    { source: new YahooSource({ fetch: noFetch }), assetClass: 'equity', message: 'no yahoo symbol for ZZZ' },
  ] as const;

  for (const c of cases) {
    it(`${c.source.name}: is not supported and fails as not found, naming the provider`, async () => {
      const instrument = unmapped(c.assetClass);
      expect(c.source.supports(instrument)).toBe(false);
      const latest = await c.source.fetchLatest([instrument]);
      expect(latest.items).toEqual([]);
      expect(latest.errors[0]?.error).toBeInstanceOf(ProviderNotFoundError);
      expect(latest.errors[0]?.error.message).toContain(c.message);
      const pages = c.source.fetchBars(instrument, '1d', { from: 0, to: 86_400_000 });
      await expect(async () => {
        for await (const _ of pages) {
          // drain
        }
      }).rejects.toThrow(c.message);
    });
  }
});

describe('HttpSource.check without a key', () => {
  it('names OANDA_API_KEY and makes no request', async () => {
    const check = await new OandaSource({ fetch: noFetch }).check();
    expect(check).toMatchObject({ source: 'oanda', ok: false, error: 'OANDA_API_KEY is not set' });
  });
});
