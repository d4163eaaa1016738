/** A small stablecoin book and market model for the live VaR worker tests (shapes of samples/portfolio.json). */
import type { Portfolio } from '../../src/core/portfolio.ts';
import type { MarketModel, MonteCarloOptions } from '../../src/risk/montecarlo.ts';
import { scenario } from '../../src/risk/testing.ts';

export const BOOK: Portfolio = {
  name: 'default',
  capital: 5_000_000,
  positions: [
    { asset: 'USDC', exposure: 2_000_000, kind: 'coverage' },
    { asset: 'USDT', exposure: 1_500_000, kind: 'coverage' },
    { asset: 'BTC', exposure: 500_000, kind: 'holding' },
  ],
};

export const MODEL: MarketModel = {
  assets: ['BTC', 'USDC', 'USDT'],
  dailyVol: [0.035, 0.002, 0.003],
  periodsPerYear: [365, 365, 365],
  correlation: [1, 0.1, 0.2, 0.1, 1, 0.5, 0.2, 0.5, 1],
  pegs: [null, 1, 1],
};

export const OPTIONS: MonteCarloOptions = {
  horizonDays: 30,
  seed: 20260105,
  scenarios: [
    scenario({ name: 'usdc_bank_run', assetImpacts: { USDC: -0.12 }, probabilityAnnual: 0.5 }),
    scenario({ name: 'crypto_crash', btcImpact: -0.4, correlationShift: 0.3, volatilityMultiplier: 2 }),
  ],
  depegs: {
    events: [
      { asset: 'USDC', minPrice: 0.88 },
      { asset: 'USDT', minPrice: 0.95 },
    ],
    observedDays: 3 * 365,
  },
};
