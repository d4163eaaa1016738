/**
 * When a freshly trained version replaces the active one. Never when it did not beat its baseline; when a
 * version is active, only when its log-loss on the latest walk-forward window (forecasts the active version
 * never trained on) is strictly lower than the active version's on the same forecasts.
 */
export interface RetrainEvidence {
  beatsBaseline: boolean;
  /** The active version, or null when none is active. */
  active: { version: number } | null;
  /** Forecasts in the latest window (both versions scored on them). */
  window: number;
  logLossNew: number;
  logLossActive: number;
  /** The loss compared (QLIKE for a volatility model). @defaultValue 'log-loss' */
  lossName?: string;
}

export function retrainDecision(e: RetrainEvidence): { activate: boolean; reason: string } {
  if (!e.beatsBaseline) return { activate: false, reason: 'the new version did not beat its baseline' };
  if (!e.active) return { activate: true, reason: 'beats its baseline' };
  if (e.window === 0)
    return {
      activate: false,
      reason: `no walk-forward forecasts after version ${e.active.version}'s training window`,
    };
  if (!(e.logLossNew < e.logLossActive))
    return {
      activate: false,
      reason: `${e.lossName ?? 'log-loss'} ${e.logLossNew.toFixed(5)} on the latest window is not below the active version's ${e.logLossActive.toFixed(5)}`,
    };
  return { activate: true, reason: 'beats its baseline and the active version on the latest window' };
}
