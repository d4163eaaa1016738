/** Loss rules of a risk portfolio (types and parsing in core/portfolio.ts). */
import type { Portfolio, PositionKind } from '../core/portfolio.ts';

/** Loss (USD, positive = money lost) of one position when its asset returns `r` (−0.12 = price −12 %). */
export function positionLoss(kind: PositionKind, exposure: number, r: number): number {
  if (kind === 'coverage') return r < 0 ? exposure * Math.min(1, -r) : 0;
  return -exposure * Math.max(r, -1);
}

/** Distinct assets of the portfolio in first-seen order. */
export function portfolioAssets(p: Portfolio): string[] {
  return [...new Set(p.positions.map((x) => x.asset))];
}

export function totalExposure(p: Portfolio, kind?: PositionKind): number {
  let s = 0;
  for (const x of p.positions) if (kind === undefined || x.kind === kind) s += x.exposure;
  return s;
}
