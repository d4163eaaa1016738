/**
 * Assembles the daily risk report from already computed numbers (pure: the service gathers the inputs).
 */

import type { Portfolio } from '../../core/portfolio.ts';
import type { VarResult } from '../montecarlo.ts';
import { totalExposure } from '../portfolio.ts';
import type { StressSummary } from '../stress.ts';
import {
  type Alert,
  computeAlerts,
  computeRecommendations,
  diversificationScore,
  type Recommendation,
} from './alerts.ts';

interface CorrelationChange {
  asset_1: string;
  asset_2: string;
  corr_30d: number;
  corr_90d: number;
  change: number;
}

export interface ReportInputs {
  date: string;
  generatedAt: string;
  portfolio: Portfolio;
  var: VarResult;
  /** Earlier VaR 95 values (one per day, ascending), not including today's. */
  varHistory: readonly { date: string; var_95: number }[];
  stress: StressSummary;
  correlationChanges: readonly CorrelationChange[];
  newDepegs7d: readonly { asset: string; start: string; min_price: number }[];
  /** Coverage of the report ~30 days earlier, when one exists. */
  coverage30dAgo: number | null;
  reserveMultiplier: number;
  dataSources: Record<string, unknown>;
}

export interface RiskReport {
  date: string;
  generated_at: string;
  portfolio: string;
  summary: {
    capital: number;
    coverage: number;
    holdings: number;
    active_policies: number;
    ltv: number;
    utilization: number;
    diversification_score: number;
    composition: { asset: string; kind: string; exposure: number; share: number }[];
  };
  var: VarResult & {
    trend: { date: string; var_95: number }[];
    avg_30d: number | null;
    trend_pct: number | null;
    reserves_for_var_95: number;
  };
  stress: StressSummary;
  historical: {
    var_vs_30d_avg: number | null;
    correlation_regime_changes: CorrelationChange[];
    new_depeg_events_7d: { asset: string; start: string; min_price: number }[];
    portfolio_growth: number | null;
  };
  alerts: Alert[];
  recommendations: Recommendation[];
  data_sources: Record<string, unknown>;
  /** Active predictive models' forecasts (models/service.ts), with the version that made them. */
  models?: ReportModels;
}

/** The models section: each model with an active version, and why others are absent. */
export interface ReportModels {
  models: {
    name: string;
    version: number;
    predictions: { asset: string; ts: string; probability: number }[];
  }[];
  /** Models without an active version (none trained, or none beat its baseline). */
  inactive: string[];
  note: string | null;
}

export function buildRiskReport(x: ReportInputs): RiskReport {
  const p = x.portfolio;
  const coverage = totalExposure(p, 'coverage');
  const holdings = totalExposure(p, 'holding');
  const gross = coverage + holdings;
  const byAsset = new Map<string, { asset: string; kind: string; exposure: number }>();
  for (const pos of p.positions) {
    const key = `${pos.asset}|${pos.kind}`;
    const cur = byAsset.get(key) ?? { asset: pos.asset, kind: pos.kind, exposure: 0 };
    cur.exposure += pos.exposure;
    byAsset.set(key, cur);
  }
  const composition = [...byAsset.values()]
    .map((c) => ({ ...c, share: gross > 0 ? c.exposure / gross : 0 }))
    .sort((a, b) => b.exposure - a.exposure);
  const ltv = coverage / p.capital;
  const utilization = coverage / (p.capacity ?? p.capital);
  const diversification = diversificationScore(composition.map((c) => c.exposure));

  const recent = x.varHistory.slice(-30);
  const avg = recent.length > 0 ? recent.reduce((s, h) => s + h.var_95, 0) / recent.length : null;
  const trendPct = avg !== null && avg > 0 ? (x.var.var_95 - avg) / avg : null;
  const trend = [...recent, { date: x.date, var_95: x.var.var_95 }];

  const worst = x.stress.worst;
  let worstAsset: { asset: string; lossPerDollar: number } | null = null;
  if (worst) {
    for (const [asset, loss] of Object.entries(worst.asset_losses)) {
      const exp = p.positions.filter((q) => q.asset === asset).reduce((s, q) => s + q.exposure, 0);
      const perDollar = exp > 0 ? loss / exp : 0;
      if (loss > 0 && (worstAsset === null || loss > (worst.asset_losses[worstAsset.asset] ?? 0))) {
        worstAsset = { asset, lossPerDollar: perDollar };
      }
    }
  }
  const top = composition[0];
  const alertInputs = {
    ltv,
    capital: p.capital,
    worstStress: worst ? { scenario: worst.scenario, loss: worst.loss } : null,
    varTrend: trendPct,
    diversification,
    var95: x.var.var_95,
    newDepegs7d: x.newDepegs7d.length,
  };
  return {
    date: x.date,
    generated_at: x.generatedAt,
    portfolio: p.name,
    summary: {
      capital: p.capital,
      coverage,
      holdings,
      active_policies: p.activePolicies ?? p.positions.filter((q) => q.kind === 'coverage').length,
      ltv,
      utilization,
      diversification_score: diversification,
      composition,
    },
    var: {
      ...x.var,
      trend,
      avg_30d: avg,
      trend_pct: trendPct,
      reserves_for_var_95: x.var.var_95 * x.reserveMultiplier,
    },
    stress: x.stress,
    historical: {
      var_vs_30d_avg: trendPct,
      correlation_regime_changes: [...x.correlationChanges],
      new_depeg_events_7d: [...x.newDepegs7d],
      portfolio_growth: x.coverage30dAgo && x.coverage30dAgo > 0 ? coverage / x.coverage30dAgo - 1 : null,
    },
    alerts: computeAlerts(alertInputs),
    recommendations: computeRecommendations({
      ...alertInputs,
      coverage,
      reserveMultiplier: x.reserveMultiplier,
      largest: top ? { asset: top.asset, share: top.share } : null,
      worstAsset,
    }),
    data_sources: x.dataSources,
  };
}
