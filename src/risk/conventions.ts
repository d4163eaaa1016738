import type { VarConventions } from './montecarlo.ts';

const round = (x: number): string => String(Math.round(x * 10) / 10);

/**
 * One line saying how a VaR was made, for the CLI and the report: method, horizon in calendar days with each
 * asset's bars in it, and the √t scaling. Null (a report stored before VaR stated its conventions) says so.
 */
export function describeVarConventions(c: VarConventions | null | undefined): string {
  if (c === null || c === undefined) return 'method, horizon and scaling not recorded with this result';
  const bars = Object.entries(c.horizon_bars)
    .map(([asset, b]) => `${asset} ${round(b)} bars at ${c.periods_per_year[asset] ?? '?'}/yr`)
    .join(', ');
  return `method: Monte Carlo (correlated normal returns + stress scenarios + historical depegs); horizon ${c.horizon_days} calendar days (${bars}); scaling σ_daily × √bars (√t)`;
}
