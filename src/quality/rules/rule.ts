/** One failed check: a stable rule name (used to group quarantine and reports) and a one-line reason. */
export interface Violation {
  rule: string;
  reason: string;
}

/** Rule names, stable across releases (quarantine rows and reports are grouped by them). */
export const RULES = {
  finite: 'price_finite_positive',
  ohlc: 'ohlc_consistency',
  volume: 'volume_non_negative',
  bounds: 'price_bounds',
  future: 'timestamp_future',
  tooOld: 'timestamp_too_old',
  tooEarly: 'timestamp_implausible',
  wick: 'wick_outlier',
  replacesOutlier: 'replaces_outlier',
  symbol: 'symbol_mismatch',
  duplicate: 'duplicate_superseded',
  alignment: 'bar_alignment',
  outlier: 'outlier',
  outlierBatch: 'outlier_batch',
  depeg: 'depeg_event',
  correlation: 'correlation_matrix',
  scenario: 'scenario_probabilities',
  freshness: 'freshness',
  gaps: 'gaps',
} as const;
