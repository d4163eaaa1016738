import { describe, expect, it } from 'vitest';
import type { Instrument } from '../../core/types.ts';
import { collect } from '../testing/connector-cases.ts';
import { virtualClock } from '../testing/loopback.ts';
import { SyntheticSource } from './client.ts';
import { syntheticBars } from './generator.ts';

const BTC: Instrument = {
  symbol: 'BTC',
  assetClass: 'crypto',
  name: 'Bitcoin',
  currency: 'USD',
  timezone: 'UTC',
};

describe('SyntheticSource', () => {
  it('pages the generator and leaves out the bar still forming at now', async () => {
    const now = Date.UTC(2024, 0, 2, 5, 30);
    const source = new SyntheticSource({ clock: virtualClock(now), pageSize: 10, seed: 3 });
    const range = { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 3) };
    const pages = await collect(source.fetchBars(BTC, '1h', range));
    expect(pages.map((p) => p.length)).toEqual([10, 10, 9]);
    expect(pages.flat()).toEqual(
      syntheticBars(BTC, '1h', { from: range.from, to: Date.UTC(2024, 0, 2, 5) }, { seed: 3 }),
    );
  });

  it('gives a latest price on the same path and a healthy check', async () => {
    const now = Date.UTC(2024, 0, 2, 5, 0);
    const source = new SyntheticSource({ clock: virtualClock(now) });
    const latest = await source.fetchLatest([BTC, { ...BTC, symbol: 'GDP', assetClass: 'economic' }]);
    const bar = syntheticBars(BTC, '1h', { from: now - 3_600_000, to: now })[0];
    expect(latest.items).toEqual([{ symbol: 'BTC', ts: now, price: bar?.close, source: 'synthetic' }]);
    expect(latest.errors.map((e) => e.symbol)).toEqual(['GDP']);
    expect((await source.check()).ok).toBe(true);
    expect(source.supports(BTC, '4h')).toBe(true);
  });
});
