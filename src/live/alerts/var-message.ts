/**
 * What the live VaR worker (var-worker.ts) is sent and answers. The numeric inputs travel as typed arrays
 * whose buffers are transferred (moved, not copied): the correlation matrix, volatilities, calendars and
 * position exposures. Names, scenarios and depeg events are small and structured-cloned.
 */
import type { Portfolio, PositionKind } from '../../core/portfolio.ts';
import type { MarketModel, MonteCarloOptions, VarResult } from '../../risk/montecarlo.ts';

export interface VarRequest {
  id: number;
  portfolio: { name: string; capital: number; assets: string[]; kinds: PositionKind[] };
  /** Exposure of each position, in the order of `portfolio.assets`. */
  exposures: Float64Array;
  model: { assets: string[]; pegs: (number | null)[] };
  dailyVol: Float64Array;
  periodsPerYear: Float64Array | null;
  /** Row-major n × n. */
  correlation: Float64Array;
  monteCarlo: Omit<MonteCarloOptions, 'distribution'>;
}

export type VarReply = { id: number; result: VarResult } | { id: number; error: string };

/** Packs the inputs of `monteCarloVar` into a request and the list of buffers to transfer with it. */
export function packVarRequest(
  id: number,
  portfolio: Portfolio,
  model: MarketModel,
  monteCarlo: MonteCarloOptions,
): { request: VarRequest; transfer: ArrayBuffer[] } {
  const { distribution: _ignored, ...mc } = monteCarlo;
  const request: VarRequest = {
    id,
    portfolio: {
      name: portfolio.name,
      capital: portfolio.capital,
      assets: portfolio.positions.map((p) => p.asset),
      kinds: portfolio.positions.map((p) => p.kind),
    },
    exposures: Float64Array.from(portfolio.positions, (p) => p.exposure),
    model: { assets: [...model.assets], pegs: [...model.pegs] },
    // copies: the caller's arrays stay usable after their buffers are transferred
    dailyVol: Float64Array.from(model.dailyVol),
    periodsPerYear: model.periodsPerYear ? Float64Array.from(model.periodsPerYear) : null,
    correlation: Float64Array.from(model.correlation),
    monteCarlo: mc,
  };
  const transfer = [request.exposures, request.dailyVol, request.correlation, request.periodsPerYear]
    .filter((a): a is Float64Array => a !== null)
    .map((a) => a.buffer as ArrayBuffer);
  return { request, transfer };
}

/** The arguments of `monteCarloVar` back from a request. */
export function unpackVarRequest(r: VarRequest): [Portfolio, MarketModel, MonteCarloOptions] {
  const portfolio: Portfolio = {
    name: r.portfolio.name,
    capital: r.portfolio.capital,
    positions: r.portfolio.assets.map((asset, i) => ({
      asset,
      exposure: r.exposures[i] ?? Number.NaN,
      kind: r.portfolio.kinds[i] ?? 'coverage',
    })),
  };
  const model: MarketModel = {
    assets: r.model.assets,
    pegs: r.model.pegs,
    dailyVol: r.dailyVol,
    correlation: r.correlation,
    ...(r.periodsPerYear ? { periodsPerYear: r.periodsPerYear } : {}),
  };
  return [portfolio, model, r.monteCarlo];
}
