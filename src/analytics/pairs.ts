/**
 * What a correlation means for a portfolio: contagion levels, best pairs for diversification, regime changes.
 *
 * Contagion: assets whose returns move together fall together. The level of a pair is taken on the signed
 * correlation ρ (a strongly negative ρ is a hedge, not contagion):
 * NORMAL ρ < 0.7 ≤ ELEVATED < 0.8 ≤ HIGH < 0.9 ≤ CRITICAL.
 */
import type { CorrelationPair } from './correlation.ts';

const RISK_LEVELS = ['NORMAL', 'ELEVATED', 'HIGH', 'CRITICAL'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export function riskLevel(correlation: number): RiskLevel {
  if (correlation >= 0.9) return 'CRITICAL';
  if (correlation >= 0.8) return 'HIGH';
  if (correlation >= 0.7) return 'ELEVATED';
  return 'NORMAL';
}

export interface ContagionSummary {
  pairs: number;
  /** Pairs per level (pairs without a value are not counted). */
  levels: Record<RiskLevel, number>;
  average_correlation: number | null;
  /** Level of the average correlation: how much the whole set moves as one. */
  overall: RiskLevel | null;
}

export function contagionSummary(pairs: readonly CorrelationPair[]): ContagionSummary {
  const levels: Record<RiskLevel, number> = { NORMAL: 0, ELEVATED: 0, HIGH: 0, CRITICAL: 0 };
  let sum = 0;
  let count = 0;
  for (const p of pairs) {
    if (p.correlation === null) continue;
    levels[riskLevel(p.correlation)]++;
    sum += p.correlation;
    count++;
  }
  const average = count > 0 ? sum / count : null;
  return {
    pairs: count,
    levels,
    average_correlation: average,
    overall: average === null ? null : riskLevel(average),
  };
}

const PAIR_CATEGORIES = ['negative', 'uncorrelated', 'moderate', 'high'] as const;
export type PairCategory = (typeof PAIR_CATEGORIES)[number];

/**
 * negative ρ < −0.4 (a hedge) · uncorrelated |ρ| < 0.4 (diversifies) · moderate 0.4 ≤ ρ < 0.7 ·
 * high ρ ≥ 0.7 (little diversification).
 */
export function pairCategory(correlation: number): PairCategory {
  if (correlation < -0.4) return 'negative';
  if (Math.abs(correlation) < 0.4) return 'uncorrelated';
  if (correlation < 0.7) return 'moderate';
  return 'high';
}

export interface BestPair {
  category: PairCategory;
  /** 1 = best within its category. */
  rank: number;
  asset_1: string;
  asset_2: string;
  correlation: number;
  data_points: number;
  window_days: number;
  reason: string;
}

export interface BestPairsOptions {
  windowDays: number;
  /** Pairs kept per category. @defaultValue 10 */
  limit?: number;
}

/**
 * Ranks pairs for diversification within each category: negative by ρ ascending (strongest hedge first),
 * uncorrelated by |ρ| ascending, moderate by ρ ascending, high by ρ descending (the pairs to hold least
 * together come first). Ties: more data points first, then names.
 */
export function bestPairs(pairs: readonly CorrelationPair[], options: BestPairsOptions): BestPair[] {
  const limit = options.limit ?? 10;
  const buckets: Record<PairCategory, Array<CorrelationPair & { correlation: number }>> = {
    negative: [],
    uncorrelated: [],
    moderate: [],
    high: [],
  };
  for (const p of pairs) {
    if (p.correlation === null) continue;
    buckets[pairCategory(p.correlation)].push({ ...p, correlation: p.correlation });
  }
  const key: Record<PairCategory, (r: number) => number> = {
    negative: (r) => r,
    uncorrelated: (r) => Math.abs(r),
    moderate: (r) => r,
    high: (r) => -r,
  };
  const out: BestPair[] = [];
  for (const category of PAIR_CATEGORIES) {
    const ranked = buckets[category].sort(
      (a, b) =>
        key[category](a.correlation) - key[category](b.correlation) ||
        b.data_points - a.data_points ||
        a.asset_1.localeCompare(b.asset_1) ||
        a.asset_2.localeCompare(b.asset_2),
    );
    ranked.slice(0, limit).forEach((p, i) => {
      out.push({
        category,
        rank: i + 1,
        asset_1: p.asset_1,
        asset_2: p.asset_2,
        correlation: p.correlation,
        data_points: p.data_points,
        window_days: options.windowDays,
        reason: pairReason(category, p, options.windowDays),
      });
    });
  }
  return out;
}

function pairReason(
  category: PairCategory,
  p: CorrelationPair & { correlation: number },
  window: number,
): string {
  const stats = `ρ = ${p.correlation.toFixed(2)} over ${window} d, ${p.data_points} returns`;
  const names = `${p.asset_1} and ${p.asset_2}`;
  switch (category) {
    case 'negative':
      return `${names} move in opposite directions (${stats}): one tends to gain when the other loses, a natural hedge`;
    case 'uncorrelated':
      return `${names} move independently (${stats}): holding both diversifies well`;
    case 'moderate':
      return `${names} partly move together (${stats}): some diversification, weaker in sell-offs`;
    case 'high':
      return `${names} move together (${stats}): little diversification; a candidate for pair trading, not hedging`;
  }
}

export interface RegimeChange {
  asset_1: string;
  asset_2: string;
  short_correlation: number;
  long_correlation: number;
  /** short − long. */
  change: number;
  direction: 'strengthening' | 'weakening';
}

/**
 * Pairs whose short-window correlation (e.g. 30 d) moved more than `threshold` away from their long-window
 * one (e.g. 90 d): the relationship is changing. Sorted by |change| descending.
 */
export function regimeChanges(
  short: readonly CorrelationPair[],
  long: readonly CorrelationPair[],
  threshold = 0.3,
): RegimeChange[] {
  const longBy = new Map<string, number>();
  for (const p of long)
    if (p.correlation !== null) longBy.set(`${p.asset_1}\u0000${p.asset_2}`, p.correlation);
  const out: RegimeChange[] = [];
  for (const p of short) {
    if (p.correlation === null) continue;
    const l = longBy.get(`${p.asset_1}\u0000${p.asset_2}`);
    if (l === undefined) continue;
    const change = p.correlation - l;
    if (Math.abs(change) <= threshold) continue;
    out.push({
      asset_1: p.asset_1,
      asset_2: p.asset_2,
      short_correlation: p.correlation,
      long_correlation: l,
      change,
      direction: Math.abs(p.correlation) > Math.abs(l) ? 'strengthening' : 'weakening',
    });
  }
  return out.sort((a, b) => Math.abs(b.change) - Math.abs(a.change));
}
