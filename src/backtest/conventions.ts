/**
 * The conventions a backtest's numbers depend on, stated with every result (CLI JSON, API, stored runs), so
 * a reader can compare them with another tool's (backtesting.py, for one, fills at the next open, charges
 * its commission on both sides of a trade and buys whole shares).
 */
import type { CostModel } from './costs.ts';
import type { EngineConfig } from './engine.ts';
import type { FillModel } from './types.ts';

export interface BacktestConventions {
  /** When an order decided on bar t fills: `next_open`, `next_close` or `same_close` (research only). */
  fill: FillModel;
  /** Proportional fee, basis points of the executed notional. */
  fee_bps: number;
  /** What the fee is charged on: the executed notional of every fill, buys and sells alike. */
  fee_on: 'notional_each_fill';
  /** Fixed fee per fill, account currency. */
  fee_fixed: number;
  /** Slippage against the trader, basis points of the quoted price. */
  slippage_bps: number;
  /** Quantities are not rounded to whole units. */
  fractional_shares: true;
  /** Sharpe and Sortino: mean / deviation of per-bar returns (risk-free 0) × √periods_per_year. */
  sharpe_annualisation: 'sqrt_periods_per_year';
  /** Bars per year used to annualise; inferred from the bars' timestamps ((n − 1) / elapsed years). */
  periods_per_year: number;
  periods_per_year_from: 'bar_timestamps' | 'given';
  initial_cash: number;
}

/** The conventions of one run of the engine with `config`, annualised with `periodsPerYear`. */
export function conventionsOf(
  config: EngineConfig,
  periodsPerYear: number,
  given = false,
): BacktestConventions {
  const costs: Partial<CostModel> = config.costs ?? {};
  return {
    fill: config.fill ?? 'next_open',
    fee_bps: costs.feeBps ?? 0,
    fee_on: 'notional_each_fill',
    fee_fixed: costs.feeFixed ?? 0,
    slippage_bps: costs.slippageBps ?? 0,
    fractional_shares: true,
    sharpe_annualisation: 'sqrt_periods_per_year',
    periods_per_year: periodsPerYear,
    periods_per_year_from: given ? 'given' : 'bar_timestamps',
    initial_cash: config.initialCash ?? 100_000,
  };
}
