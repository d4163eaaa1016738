/**
 * Deterministic stress tests: the portfolio's loss if each enabled scenario happened today, with no
 * diffusion on top. Scenarios that say nothing about an asset leave it unchanged.
 */
import type { Portfolio } from '../core/portfolio.ts';
import type { Scenario } from '../core/scenario.ts';
import { portfolioAssets, positionLoss } from './portfolio.ts';
import { KNOWN_PEGS, scenarioReturns } from './scenarios.ts';

export interface StressOptions {
  /** Share of capital above which a scenario is flagged. @defaultValue 0.1 */
  threshold?: number;
  /** Peg of an asset, null when it floats. @defaultValue known USD stablecoins → 1 */
  pegOf?: (asset: string) => number | null;
}

interface StressResult {
  scenario: string;
  type: string;
  severity_level: number;
  probability_annual: number;
  loss: number;
  loss_pct_capital: number;
  asset_losses: Record<string, number>;
}

export interface StressSummary {
  capital: number;
  threshold: number;
  results: StressResult[];
  worst: StressResult | null;
  average_loss: number;
  /** Names of scenarios whose loss exceeds threshold × capital, worst first. */
  above_threshold: string[];
}

export function defaultPegOf(asset: string): number | null {
  return KNOWN_PEGS[asset] ?? null;
}

export function stressTest(
  portfolio: Portfolio,
  scenarios: readonly Scenario[],
  options: StressOptions = {},
): StressSummary {
  const threshold = options.threshold ?? 0.1;
  const pegOf = options.pegOf ?? defaultPegOf;
  const assets = portfolioAssets(portfolio);
  const pegs = assets.map(pegOf);
  const results: StressResult[] = [];
  for (const s of scenarios) {
    if (!s.enabled) continue;
    const ret = scenarioReturns(s, assets, pegs);
    const assetLosses: Record<string, number> = {};
    let loss = 0;
    for (const p of portfolio.positions) {
      const r = ret[assets.indexOf(p.asset)] ?? Number.NaN;
      const l = Number.isNaN(r) ? 0 : positionLoss(p.kind, p.exposure, r);
      assetLosses[p.asset] = (assetLosses[p.asset] ?? 0) + l;
      loss += l;
    }
    results.push({
      scenario: s.name,
      type: s.type,
      severity_level: s.severityLevel,
      probability_annual: s.probabilityAnnual,
      loss,
      loss_pct_capital: loss / portfolio.capital,
      asset_losses: assetLosses,
    });
  }
  results.sort((a, b) => b.loss - a.loss);
  const total = results.reduce((s, r) => s + r.loss, 0);
  return {
    capital: portfolio.capital,
    threshold,
    results,
    worst: results[0] ?? null,
    average_loss: results.length === 0 ? 0 : total / results.length,
    above_threshold: results.filter((r) => r.loss > threshold * portfolio.capital).map((r) => r.scenario),
  };
}
