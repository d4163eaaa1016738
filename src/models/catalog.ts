/**
 * The models `marketpipe models train NAME` knows: their task, candidate spec and parameters. Versions of
 * each are kept in the registry. Baselines: `DEPEG_BASELINE` for depeg models, EWMA (λ = 0.94) for
 * volatility models, regime persistence for the correlation-regime model.
 */

import { type DepegSpec, PATH_FEATURES } from './depeg.ts';
import { DEPEG_FEATURES } from './features.ts';
import type { RegimeSpec } from './regime-model.ts';
import type { VolSpec } from './vol-model.ts';

export type CatalogEntry =
  | { task: 'depeg'; description: string; spec: DepegSpec }
  | { task: 'vol'; description: string; spec: VolSpec }
  | { task: 'regimes'; description: string; spec: RegimeSpec };

export const MODEL_CATALOG: Record<string, CatalogEntry> = {
  depeg: {
    task: 'depeg',
    description: 'P(next daily close > 1 % off peg): gradient-boosted trees on every depeg feature',
    spec: {
      kind: 'gbt',
      features: DEPEG_FEATURES,
      gbt: {
        trees: 100,
        maxDepth: 3,
        learningRate: 0.1,
        lambda: 1,
        minChildWeight: 1,
        subsample: 0.8,
        bins: 32,
      },
    },
  },
  'depeg-logit': {
    task: 'depeg',
    description: 'P(next daily close > 1 % off peg): logistic regression on every depeg feature',
    spec: { kind: 'logistic', features: DEPEG_FEATURES, l2: 1 },
  },
  'depeg-lstm': {
    task: 'depeg',
    description:
      'P(next daily close > 1 % off peg): LSTM (8 units) on the last 14 days of deviation, contagion and BTC returns',
    spec: {
      kind: 'lstm',
      features: PATH_FEATURES,
      lstm: {
        units: 8,
        maxEpochs: 30,
        patience: 3,
        validation: 0.2,
        batch: 64,
        learningRate: 0.01,
      },
      // Quarterly refits (7 folds on the shipped data) instead of monthly: each fit is the costly part.
      refitEveryDays: 90,
    },
  },
  vol: {
    task: 'vol',
    description:
      'next-day variance of daily log returns: GARCH(1,1) by maximum likelihood vs EWMA (λ = 0.94)',
    spec: { kind: 'garch', asset: 'BTC', minTrain: 250, refitEvery: 21 },
  },
  'vol-har': {
    task: 'vol',
    description:
      'next-day variance of daily log returns: HAR (1, 5, 22-day) least squares vs EWMA (λ = 0.94)',
    spec: { kind: 'har', asset: 'BTC', minTrain: 250, refitEvery: 21 },
  },
  regimes: {
    task: 'regimes',
    description:
      'P(average 30-day correlation of BTC, ETH, SPY > 0.5 in 5 trading days): 2-state HMM vs persistence',
    spec: {
      kind: 'hmm',
      assets: ['BTC', 'ETH', 'SPY'],
      window: 30,
      horizon: 5,
      threshold: 0.5,
      minTrainDays: 365,
      refitEveryDays: 30,
    },
  },
};
