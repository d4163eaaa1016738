import { describe, expect, it } from 'vitest';
import type { Portfolio } from '../core/portfolio.ts';
import { stressTest } from './stress.ts';
import { scenario } from './testing.ts';

describe('stressTest', () => {
  const book: Portfolio = {
    name: 'demo',
    capital: 10e6,
    positions: [
      { asset: 'USDC', exposure: 20e6, kind: 'coverage' },
      { asset: 'USDT', exposure: 10e6, kind: 'coverage' },
      { asset: 'BTC', exposure: 1e6, kind: 'holding' },
    ],
  };
  const svb = scenario({ name: 'SVB', assetImpacts: { USDC: 0.88, USDT: 1.02, DAI: 1.01 }, btcImpact: 0.27 });
  const crash = scenario({ name: 'Crash', assetImpacts: { USDT: 0.95 }, btcImpact: -0.5 });

  it('computes each loss by hand, sorts worst first, flags those above 15 % of capital', () => {
    const s = stressTest(
      book,
      [svb, crash, scenario({ name: 'off', assetImpacts: { USDC: 0 }, enabled: false })],
      {
        threshold: 0.15,
      },
    );
    // SVB: USDC 20M × 0.12 = 2.4M; USDT above peg → 0; BTC +27 % on a 1M holding → −0.27M. Total 2.13M.
    // Crash: USDT 10M × 0.05 = 0.5M; BTC −50 % → 0.5M. Total 1.0M.
    expect(s.results.map((r) => r.scenario)).toEqual(['SVB', 'Crash']);
    expect(s.results[0]?.loss).toBeCloseTo(2.13e6, 6);
    expect(s.results[1]?.loss).toBeCloseTo(1.0e6, 6);
    expect(s.results[0]?.asset_losses.BTC).toBeCloseTo(-0.27e6, 6);
    expect(s.worst?.scenario).toBe('SVB');
    expect(s.average_loss).toBeCloseTo(1.565e6, 6);
    expect(s.above_threshold).toEqual(['SVB']);
    expect(s.results[0]?.loss_pct_capital).toBeCloseTo(0.213, 9);
  });

  it('returns an explicit empty summary when no scenario is enabled', () => {
    const s = stressTest(book, []);
    expect(s).toMatchObject({ results: [], worst: null, average_loss: 0, above_threshold: [] });
  });
});
