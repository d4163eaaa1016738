import type { Scenario } from '../../core/scenario.ts';
import type { AssetClass } from '../../core/types.ts';
import { scenarioReturns } from '../../risk/scenarios.ts';
import type { MarketEvent } from './events.ts';
import type { ScenarioDefinition } from './scenarios.ts';

/**
 * Shape of a depeg in days, as deviations from the peg relative to the trough: USDC in March 2023 closed
 * about 0.97, 0.88, 0.97, 0.99, 1.00 on 10–14 March (trough 0.12 below peg; CoinGecko daily, see
 * /work/shared/data/stablecoin_depeg). A scenario's shocked price sets the depth; this sets the path.
 */
const USDC_2023_PROFILE: readonly number[] = [0.25, 1, 0.25, 1 / 12, 0];

/** Daily multipliers of a depeg to `trough` (fraction of peg, e.g. 0.88) following `profile`. */
function depegShape(trough: number, profile: readonly number[] = USDC_2023_PROFILE): number[] {
  const depth = 1 - trough;
  return profile.map((p) => 1 - depth * p);
}

export interface EventAsset {
  symbol: string;
  assetClass?: AssetClass | null;
  /** Peg price when the asset is pegged (stablecoins), else null. */
  peg?: number | null;
}

const DAY_MS = 86_400_000;

/**
 * A stored stress scenario (risk.stress_scenarios) as a market event at `at`: floating assets take their
 * return as a permanent level shock; pegged assets depeg to the scenario's shocked price along the USDC-2023
 * profile and recover.
 */
export function eventFromStoredScenario(
  s: Pick<Scenario, 'name' | 'assetImpacts' | 'btcImpact'>,
  assets: readonly EventAsset[],
  at: number,
): MarketEvent {
  const rets = scenarioReturns(
    s,
    assets.map((a) => a.symbol),
    assets.map((a) => a.peg ?? null),
  );
  const impacts: Record<string, number> = {};
  const shapes: Record<string, number[]> = {};
  assets.forEach((a, i) => {
    const r = rets[i] ?? Number.NaN;
    if (Number.isNaN(r)) return;
    if (a.peg !== null && a.peg !== undefined && a.peg > 0) shapes[a.symbol] = depegShape(1 + r);
    else impacts[a.symbol] = r;
  });
  return { name: s.name, at, impacts, shapes, shapeStepMs: DAY_MS };
}

/** A built-in scenario: impacts by symbol first, then by asset class; the depeg shape hits pegged assets. */
export function eventFromBuiltin(
  def: ScenarioDefinition,
  assets: readonly EventAsset[],
  at: number,
): MarketEvent {
  const impacts: Record<string, number> = {};
  const shapes: Record<string, readonly number[]> = {};
  for (const a of assets) {
    const pegged = (a.peg ?? null) !== null || a.assetClass === 'stablecoin';
    if (pegged && def.depeg !== undefined) {
      shapes[a.symbol] = def.depeg;
      continue;
    }
    const v = def.impacts[a.symbol] ?? (a.assetClass ? def.impacts[a.assetClass] : undefined);
    if (v !== undefined) impacts[a.symbol] = v;
  }
  return { name: def.name, at, impacts, shapes, shapeStepMs: DAY_MS };
}

/** A depeg shaped like an observed one: trough at the stored minimum price, USDC-2023 profile. */
export function eventFromDepeg(symbol: string, minPrice: number, peg: number, at: number): MarketEvent {
  return {
    name: `depeg:${symbol}`,
    at,
    shapes: { [symbol]: depegShape(minPrice / peg) },
    shapeStepMs: DAY_MS,
  };
}
