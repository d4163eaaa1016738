import { describe, expect, it } from 'vitest';
import type { Portfolio } from '../core/portfolio.ts';
import { adaptiveSimulationCount, type MarketModel, monteCarloVar } from './montecarlo.ts';
import { scenario } from './testing.ts';

// Standard normal quantiles and density (Abramowitz & Stegun 26.2; scipy.stats.norm.ppf / pdf):
const Z95 = 1.6448536269514722;
const Z99 = 2.3263478740408408;
const PHI_Z95 = 0.10313564037537128; // φ(Z95)

describe('monteCarloVar: one asset, normal shocks (closed form)', () => {
  const model: MarketModel = { assets: ['BTC'], dailyVol: [0.02], correlation: [1], pegs: [null] };
  const book: Portfolio = {
    name: 't',
    capital: 5e6,
    positions: [{ asset: 'BTC', exposure: 1e6, kind: 'holding' }],
  };

  it('VaR = z·σ·√h·exposure and CVaR = σ·√h·exposure·φ(z)/(1−α), within 1.5 % at 200,000 sims', () => {
    const r = monteCarloVar(book, model, { simulations: 200_000, seed: 11, horizonDays: 30 });
    const sd = 0.02 * Math.sqrt(30) * 1e6; // 109,544.5
    // Quantile standard error ≈ sqrt(α(1−α)/n)/φ(z) ≈ 0.005σ, so 1.5 % of VaR is > 5 standard errors.
    expect(r.var_95 / (Z95 * sd)).toBeCloseTo(1, 1);
    expect(Math.abs(r.var_95 / (Z95 * sd) - 1)).toBeLessThan(0.015);
    expect(Math.abs(r.var_99 / (Z99 * sd) - 1)).toBeLessThan(0.015);
    expect(Math.abs(r.cvar_95 / ((sd * PHI_Z95) / 0.05) - 1)).toBeLessThan(0.015);
    expect(Math.abs(r.expected_loss)).toBeLessThan(0.01 * sd);
    expect(r.best_case).toBeLessThan(0);
    expect(r.worst_case).toBeGreaterThan(r.var_99);
    expect(r.simulations).toBe(200_000);
    expect(r.scenarios_used).toBe(0);
  });

  it('streaming histogram (exact buffer 10,000) agrees with the closed form on 400,000 sims', () => {
    const r = monteCarloVar(book, model, {
      simulations: 400_000,
      seed: 5,
      distribution: { exactCapacity: 10_000, bins: 8192 },
    });
    const sd = 0.02 * Math.sqrt(30) * 1e6;
    expect(Math.abs(r.var_95 / (Z95 * sd) - 1)).toBeLessThan(0.015);
    expect(Math.abs(r.var_99 / (Z99 * sd) - 1)).toBeLessThan(0.015);
  });

  it('is deterministic by seed', () => {
    const strip = ({ simulation_time_ms: _t, ...rest }: ReturnType<typeof monteCarloVar>) => rest;
    const a = monteCarloVar(book, model, { simulations: 5000, seed: 99 });
    const b = monteCarloVar(book, model, { simulations: 5000, seed: 99 });
    const c = monteCarloVar(book, model, { simulations: 5000, seed: 100 });
    expect(strip(a)).toEqual(strip(b));
    expect(c.var_95).not.toBe(a.var_95);
  });
});

describe('monteCarloVar: scenarios only (hand computation)', () => {
  // Zero volatility: the only losses are scenarios. Over a 365-day horizon the chance of scenario s is
  // 1 − exp(−p·w), so p·w = −ln(1 − q) gives q(A) = 3 % and q(B) = 4 %.
  const model: MarketModel = {
    assets: ['USDC', 'USDT'],
    dailyVol: [0, 0],
    correlation: [1, 0.5, 0.5, 1],
    pegs: [1, 1],
  };
  const book: Portfolio = {
    name: 'cover',
    capital: 50e6,
    positions: [
      { asset: 'USDC', exposure: 10e6, kind: 'coverage' },
      { asset: 'USDT', exposure: 5e6, kind: 'coverage' },
    ],
  };
  // A: USDC to 0.90 → 10M × 0.10 = 1.00M. B: USDC 0.80, USDT 0.95 → 2.00M + 0.25M = 2.25M.
  const a = scenario({
    name: 'A',
    assetImpacts: { USDC: 0.9 },
    probabilityAnnual: -Math.log(0.97),
    weight: 1,
  });
  const b = scenario({
    name: 'B',
    assetImpacts: { USDC: 0.8, USDT: 0.95 },
    probabilityAnnual: -Math.log(0.96) / 2,
    weight: 2,
  });
  const off = scenario({ name: 'off', assetImpacts: { USDC: 0 }, enabled: false });

  it('VaR95 = loss(A), VaR99 = loss(B), CVaR95 ≈ (4 %·2.25M + 1 %·1M)/5 % = 2.0M, E[L] ≈ 0.12M', () => {
    const r = monteCarloVar(book, model, {
      simulations: 100_000,
      seed: 2024,
      horizonDays: 365,
      scenarios: [a, b, off],
    });
    // Sorted losses: ~93 % zeros, ~3 % 1.00M, ~4 % 2.25M; rank 95,000 falls in A, rank 99,000 in B.
    expect(r.var_95).toBeCloseTo(1e6, 6);
    expect(r.var_99).toBeCloseTo(2.25e6, 6);
    expect(Math.abs(r.cvar_95 / 2.0e6 - 1)).toBeLessThan(0.02);
    expect(Math.abs(r.expected_loss / 0.12e6 - 1)).toBeLessThan(0.03);
    expect(r.worst_case).toBeCloseTo(2.25e6, 6);
    expect(r.best_case).toBe(0);
    expect(r.scenarios_used).toBe(2);
    expect(Math.abs((r.scenario_hits.A ?? 0) / 100_000 - 0.03)).toBeLessThan(0.003);
    expect(Math.abs((r.scenario_hits.B ?? 0) / 100_000 - 0.04)).toBeLessThan(0.003);
  });

  it('historical depeg sampling: one event to 0.90 per year → P = 1 − e⁻¹ over a year', () => {
    const r = monteCarloVar(book, model, {
      simulations: 50_000,
      seed: 8,
      horizonDays: 365,
      depegs: { events: [{ asset: 'USDC', minPrice: 0.9 }], observedDays: 365 },
    });
    // 63.2 % of paths lose 10M × 0.10 = 1M: VaR95 = 1M, E[L] = 0.632M.
    expect(r.var_95).toBeCloseTo(1e6, 6);
    expect(Math.abs(r.expected_loss / (1e6 * (1 - Math.exp(-1))) - 1)).toBeLessThan(0.02);
    expect(Math.abs(r.depeg_hits / 50_000 - (1 - Math.exp(-1)))).toBeLessThan(0.01);
  });
});

describe('adaptiveSimulationCount', () => {
  it('scales the base by annual volatility bands', () => {
    expect([0.01, 0.02, 0.049, 0.05, 0.099, 0.1, 0.5].map((v) => adaptiveSimulationCount(10_000, v))).toEqual(
      [10_000, 15_000, 15_000, 20_000, 20_000, 30_000, 30_000],
    );
  });

  it('picks 3× for a volatile BTC holding when no count is given', () => {
    const r = monteCarloVar(
      { name: 'b', capital: 1, positions: [{ asset: 'BTC', exposure: 1, kind: 'holding' }] },
      { assets: ['BTC'], dailyVol: [0.03], correlation: [1], pegs: [null] },
      { baseSimulations: 1000 },
    );
    expect(r.simulations).toBe(3000);
  });
});

describe('monteCarloVar: input errors', () => {
  it('names an asset missing from the market model', () => {
    expect(() =>
      monteCarloVar(
        { name: 'x', capital: 1, positions: [{ asset: 'ETH', exposure: 1, kind: 'holding' }] },
        { assets: ['BTC'], dailyVol: [0.03], correlation: [1], pegs: [null] },
      ),
    ).toThrow(/asset ETH/);
  });
});
