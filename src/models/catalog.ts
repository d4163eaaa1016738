/**
 * The models `marketpipe models train NAME` knows: their task, candidate spec and parameters. Versions of
 * each are kept in the registry; the baseline of every depeg model is `DEPEG_BASELINE`.
 */

import type { DepegSpec } from './depeg.ts';
import { DEPEG_FEATURES } from './features.ts';

export interface CatalogEntry {
  task: 'depeg';
  description: string;
  spec: DepegSpec;
}

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
};
