/**
 * Thresholds of every quality rule, with the seed system's defaults. The config issue feeds them from the
 * `config.parameters` table; rules take them as a plain frozen object so they stay pure.
 */
import type { AssetClass } from '../core/types.ts';

/** Inclusive price bounds for an asset class, relative to the peg for pegged instruments. */
interface PriceBounds {
  min: number;
  max: number;
}

export interface QualityThresholds {
  /** A reverting spike is an outlier when its log return is this many robust σ from the rolling median. @defaultValue 5 */
  outlierSigma: number;
  /** Returns on each side of a bar used for the rolling median/MAD. @defaultValue 24 */
  outlierWindow: number;
  /**
   * Floor on the robust σ of log returns, so a flat series (σ = 0, e.g. a stablecoin printing 1.0000)
   * does not make every tick an outlier. @defaultValue 0.005 (0.5 % per bar)
   */
  outlierMinSigma: number;
  /**
   * A spike "reverts" when the bar after it undoes at least this share of its log move (real moves do not).
   * @defaultValue 0.7
   */
  outlierReversion: number;
  /**
   * A batch of at least `minBatchForFraction` rows with a larger share of lone reverting prints is rejected
   * whole (a feed that broken is not trusted for its other rows either). @defaultValue 0.1
   */
  maxOutlierFraction: number;
  /** Smallest batch `maxOutlierFraction` applies to: one spike in a short backfill says nothing of the rest. @defaultValue 20 */
  minBatchForFraction: number;
  /**
   * A bar's high (low) is a lone bad wick when it lies beyond its own open/close and both adjacent bars'
   * highs (lows) by more than this many σ of the local log returns and ranges. @defaultValue 15
   */
  wickSigma: number;
  /**
   * Earliest plausible time per asset class, UTC ms (no 1900 bitcoin): crypto from the Bitcoin genesis block
   * (2009-01-03), stablecoins from 2014 (Tether launched in October 2014), FX from 1971 (end of Bretton
   * Woods), equities, ETFs and indexes from 1900. @defaultValue see DEFAULT_THRESHOLDS
   */
  earliest: Partial<Record<AssetClass, number>>;
  /** Earliest plausible time of any other class, UTC ms. @defaultValue 1800-01-01 */
  earliestDefault: number;
  /**
   * Price bounds per asset class (stablecoins: relative to the peg, 1.0 when none). An alert line, not a
   * filter: a price beyond them is kept (flagged `is_outlier`) when an adjacent observation is beyond them
   * too, and refused only when it stands alone. @defaultValue stablecoin 0.50–1.50
   */
  bounds: Partial<Record<AssetClass, PriceBounds>>;
  /** Tolerated clock skew for "not in the future", ms. @defaultValue 300000 (5 min) */
  futureSkewMs: number;
  /** Incremental loads refuse rows older than this, ms. @defaultValue 365 days */
  incrementalMaxAgeMs: number;
  /** Shortest depeg event, seconds. @defaultValue 3600 */
  depegMinDurationSeconds: number;
  /** Bounds of a depeg event's minimum price. @defaultValue 0.50–1.50 */
  depegPriceBounds: PriceBounds;
  /** |ρij − ρji| tolerated in a correlation matrix. @defaultValue 0.0001 */
  correlationSymmetryTolerance: number;
  /** |ρii − 1| tolerated on the diagonal. @defaultValue 0.01 */
  correlationDiagonalTolerance: number;
  /** Largest scenario weight. @defaultValue 10 */
  scenarioMaxWeight: number;
  /** |Σ pᵢ·wᵢ − 1| tolerated. @defaultValue 0.05 */
  scenarioSumTolerance: number;
  /** Oldest the latest point of an instrument may be, measured from the last time its market was open, ms. @defaultValue 24 h */
  freshnessMaxAgeMs: number;
}

export const DEFAULT_THRESHOLDS: Readonly<QualityThresholds> = Object.freeze({
  outlierSigma: 5,
  outlierWindow: 24,
  outlierMinSigma: 0.005,
  outlierReversion: 0.7,
  maxOutlierFraction: 0.1,
  minBatchForFraction: 20,
  wickSigma: 15,
  earliest: Object.freeze({
    crypto: Date.UTC(2009, 0, 3),
    stablecoin: Date.UTC(2014, 0, 1),
    fx: Date.UTC(1971, 0, 1),
    equity: Date.UTC(1900, 0, 1),
    etf: Date.UTC(1900, 0, 1),
    index: Date.UTC(1900, 0, 1),
  }),
  earliestDefault: Date.UTC(1800, 0, 1),
  bounds: Object.freeze({ stablecoin: Object.freeze({ min: 0.5, max: 1.5 }) }),
  futureSkewMs: 300_000,
  incrementalMaxAgeMs: 365 * 86_400_000,
  depegMinDurationSeconds: 3600,
  depegPriceBounds: Object.freeze({ min: 0.5, max: 1.5 }),
  correlationSymmetryTolerance: 0.0001,
  correlationDiagonalTolerance: 0.01,
  scenarioMaxWeight: 10,
  scenarioSumTolerance: 0.05,
  freshnessMaxAgeMs: 86_400_000,
});

/** Defaults overridden by the given fields. */
export function withThresholds(overrides: Partial<QualityThresholds> = {}): QualityThresholds {
  return {
    ...DEFAULT_THRESHOLDS,
    ...overrides,
    bounds: { ...DEFAULT_THRESHOLDS.bounds, ...overrides.bounds },
    earliest: { ...DEFAULT_THRESHOLDS.earliest, ...overrides.earliest },
  };
}

/** Formats a price bound the way messages quote it: two decimals at least (`0.50`, `1.50`, `1.234`). */
export function fmtPrice(x: number): string {
  const two = x.toFixed(2);
  return Number(two) === x ? two : String(x);
}
