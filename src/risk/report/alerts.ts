/**
 * Alerts and recommendations of the daily risk report, derived only from the report's numbers.
 *
 * Levels: critical — LTV > 80 % or a stress loss > 50 % of capital; high — LTV > 70 % or VaR 95 more than
 * 20 % above its 30-day average; medium — diversification score < 0.5; low — informational.
 */

const ALERT_LEVELS = ['critical', 'high', 'medium', 'low'] as const;
type AlertLevel = (typeof ALERT_LEVELS)[number];

export interface Alert {
  level: AlertLevel;
  code: string;
  message: string;
  value: number;
  threshold: number | null;
}

export interface AlertInputs {
  /** Coverage sold / capital. */
  ltv: number;
  capital: number;
  /** Worst stress loss and its scenario (null when no scenario is enabled). */
  worstStress: { scenario: string; loss: number } | null;
  /** (VaR95 today − 30-day average) / 30-day average; null without history. */
  varTrend: number | null;
  /** Entropy-based diversification score, 0 (one asset) .. 1 (even spread). */
  diversification: number;
  var95: number;
  newDepegs7d: number;
}

const ALERT_THRESHOLDS = Object.freeze({
  ltvCritical: 0.8,
  ltvHigh: 0.7,
  stressCritical: 0.5,
  varTrendHigh: 0.2,
  diversificationMedium: 0.5,
});

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const usd = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`;

export function computeAlerts(x: AlertInputs, t = ALERT_THRESHOLDS): Alert[] {
  const out: Alert[] = [];
  if (x.ltv > t.ltvCritical) {
    out.push({
      level: 'critical',
      code: 'ltv',
      message: `LTV ${pct(x.ltv)} is above ${pct(t.ltvCritical)}`,
      value: x.ltv,
      threshold: t.ltvCritical,
    });
  } else if (x.ltv > t.ltvHigh) {
    out.push({
      level: 'high',
      code: 'ltv',
      message: `LTV ${pct(x.ltv)} is above ${pct(t.ltvHigh)}`,
      value: x.ltv,
      threshold: t.ltvHigh,
    });
  }
  if (x.worstStress && x.worstStress.loss > t.stressCritical * x.capital) {
    const share = x.worstStress.loss / x.capital;
    out.push({
      level: 'critical',
      code: 'stress_loss',
      message: `${x.worstStress.scenario} would lose ${usd(x.worstStress.loss)} = ${pct(share)} of capital (limit ${pct(t.stressCritical)})`,
      value: share,
      threshold: t.stressCritical,
    });
  }
  if (x.varTrend !== null && x.varTrend > t.varTrendHigh) {
    out.push({
      level: 'high',
      code: 'var_trend',
      message: `VaR 95 is ${pct(x.varTrend)} above its 30-day average (limit +${pct(t.varTrendHigh)})`,
      value: x.varTrend,
      threshold: t.varTrendHigh,
    });
  }
  if (x.diversification < t.diversificationMedium) {
    out.push({
      level: 'medium',
      code: 'diversification',
      message: `diversification score ${x.diversification.toFixed(2)} is below ${t.diversificationMedium}`,
      value: x.diversification,
      threshold: t.diversificationMedium,
    });
  }
  out.push({
    level: 'low',
    code: 'var_info',
    message: `30-day VaR 95 is ${usd(x.var95)} (${pct(x.var95 / x.capital)} of capital)`,
    value: x.var95,
    threshold: null,
  });
  if (x.newDepegs7d > 0) {
    out.push({
      level: 'low',
      code: 'new_depegs',
      message: `${x.newDepegs7d} new depeg event(s) in the last 7 days`,
      value: x.newDepegs7d,
      threshold: null,
    });
  }
  return out;
}

export interface RecommendationInputs extends AlertInputs {
  coverage: number;
  /** Reserves held = VaR95 × this (config risk.reserve_multiplier). */
  reserveMultiplier: number;
  /** Largest position: asset and its share of coverage. */
  largest: { asset: string; share: number } | null;
  /** Loss per USD of coverage in the worst scenario for its worst-hit asset. */
  worstAsset: { asset: string; lossPerDollar: number } | null;
}

export interface Recommendation {
  code: string;
  message: string;
  amount: number;
}

export function computeRecommendations(x: RecommendationInputs, t = ALERT_THRESHOLDS): Recommendation[] {
  const out: Recommendation[] = [];
  const reserves = x.var95 * x.reserveMultiplier;
  out.push({
    code: 'reserves',
    message: `hold ${usd(reserves)} in reserves to cover the 95 % VaR (${usd(x.var95)} × ${x.reserveMultiplier})`,
    amount: reserves,
  });
  if (x.ltv > t.ltvHigh) {
    const cut = x.coverage - t.ltvHigh * x.capital;
    out.push({
      code: 'reduce_ltv',
      message: `cut coverage by ${usd(cut)} or add ${usd(x.coverage / t.ltvHigh - x.capital)} of capital to bring LTV to ${pct(t.ltvHigh)}`,
      amount: cut,
    });
  }
  if (
    x.worstStress &&
    x.worstStress.loss > t.stressCritical * x.capital &&
    x.worstAsset &&
    x.worstAsset.lossPerDollar > 0
  ) {
    const excess = x.worstStress.loss - t.stressCritical * x.capital;
    const cut = excess / x.worstAsset.lossPerDollar;
    out.push({
      code: 'reduce_stress',
      message: `reduce ${x.worstAsset.asset} exposure by ${usd(cut)} to keep ${x.worstStress.scenario} under ${pct(t.stressCritical)} of capital`,
      amount: cut,
    });
  }
  if (x.diversification < t.diversificationMedium && x.largest) {
    out.push({
      code: 'diversify',
      message: `${x.largest.asset} is ${pct(x.largest.share)} of coverage; spread new cover across other assets`,
      amount: x.largest.share * x.coverage,
    });
  }
  if (x.varTrend !== null && x.varTrend > t.varTrendHigh) {
    out.push({
      code: 'review_var',
      message: `review positions added recently: VaR 95 rose ${pct(x.varTrend)} over its 30-day average`,
      amount: x.var95,
    });
  }
  return out;
}

/**
 * Diversification score: Shannon entropy of the exposure shares divided by its maximum ln(N), so 1 is an
 * even spread over N assets and 0 a single asset.
 */
export function diversificationScore(exposures: readonly number[]): number {
  const xs = exposures.filter((x) => x > 0);
  if (xs.length < 2) return 0;
  const total = xs.reduce((a, b) => a + b, 0);
  let h = 0;
  for (const x of xs) {
    const w = x / total;
    h -= w * Math.log(w);
  }
  return h / Math.log(xs.length);
}
