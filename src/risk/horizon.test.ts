import { describe, expect, it } from 'vitest';
import type { Portfolio } from '../core/portfolio.ts';
import { describeVarConventions } from './conventions.ts';
import { type MarketModel, monteCarloVar, portfolioVolatility } from './montecarlo.ts';

// Standard normal quantile (scipy.stats.norm.ppf(0.95)).
const Z95 = 1.6448536269514722;

/**
 * Closed form: parametric normal VaR with √t scaling on each instrument's calendar. A horizon of h calendar
 * days holds h·252/365 trading days of SPY and h days of BTC, so σ_h = σ_daily·√(h·ppy/365) and
 * VaR_95 = z_95 · √(Σᵢⱼ Eᵢ Eⱼ σᵢ,h σⱼ,h ρᵢⱼ) for holdings E.
 */
function normalVar95(exposure: number[], dailyVol: number[], ppy: number[], corr: number[], h: number) {
  const n = exposure.length;
  const sd = exposure.map((e, i) => e * (dailyVol[i] ?? 0) * Math.sqrt((h * (ppy[i] ?? 0)) / 365));
  let v = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) v += (sd[i] ?? 0) * (sd[j] ?? 0) * (corr[i * n + j] ?? 0);
  return Z95 * Math.sqrt(v);
}

const book = (positions: [string, number][]): Portfolio => ({
  name: 't',
  capital: 1e7,
  positions: positions.map(([asset, exposure]) => ({ asset, exposure, kind: 'holding' as const })),
});

describe('VaR horizon in calendar days on each instrument’s calendar (closed form)', () => {
  it('SPY (252/yr): 30 calendar days are 20.7 trading days, not 30', () => {
    const model: MarketModel = {
      assets: ['SPY'],
      dailyVol: [0.012],
      correlation: [1],
      pegs: [null],
      periodsPerYear: [252],
    };
    const r = monteCarloVar(book([['SPY', 1e6]]), model, { simulations: 200_000, seed: 3, horizonDays: 30 });
    const expected = normalVar95([1e6], [0.012], [252], [1], 30); // 1.6449 · 0.012 · √20.712 · 1e6 = 89,835
    expect(expected).toBeCloseTo(89_834, -1);
    // Quantile standard error ≈ 0.5 % at 200,000 sims; 1.5 % is 3 of them. √30 would be 20 % higher.
    expect(Math.abs(r.var_95 / expected - 1)).toBeLessThan(0.015);
    expect(r.conventions).toMatchObject({
      method: 'monte_carlo',
      horizon_days: 30,
      horizon_unit: 'calendar_days',
      scaling: 'sqrt_time',
      periods_per_year: { SPY: 252 },
    });
    expect(r.conventions.horizon_bars.SPY).toBeCloseTo((30 * 252) / 365, 12);
    // Annualised on its own calendar: σ·√252, not σ·√365.
    expect(r.portfolio_volatility).toBeCloseTo(0.012 * Math.sqrt(252), 12);
  });

  it('SPY + BTC + EUR_USD, correlated: each asset scaled on its calendar (252, 365, 260)', () => {
    const corr = [1, 0.3, 0.1, 0.3, 1, 0.05, 0.1, 0.05, 1];
    const vol = [0.012, 0.035, 0.005];
    const ppy = [252, 365, 260];
    const exposure = [2e6, 1e6, 3e6];
    const model: MarketModel = {
      assets: ['SPY', 'BTC', 'EUR_USD'],
      dailyVol: vol,
      correlation: corr,
      pegs: [null, null, null],
      periodsPerYear: ppy,
    };
    const positions: [string, number][] = [
      ['SPY', 2e6],
      ['BTC', 1e6],
      ['EUR_USD', 3e6],
    ];
    const r = monteCarloVar(book(positions), model, { simulations: 200_000, seed: 7, horizonDays: 10 });
    expect(Math.abs(r.var_95 / normalVar95(exposure, vol, ppy, corr, 10) - 1)).toBeLessThan(0.015);
    expect(r.conventions.horizon_bars).toEqual({
      SPY: (10 * 252) / 365,
      BTC: 10,
      EUR_USD: (10 * 260) / 365,
    });
    // Portfolio volatility: √(wᵀΣw) of annual vols σᵢ√ppyᵢ with w = exposure share.
    const w = exposure.map((e) => e / 6e6);
    const annual = vol.map((v, i) => v * Math.sqrt(ppy[i] ?? 0));
    let v = 0;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        v += (w[i] ?? 0) * (w[j] ?? 0) * (annual[i] ?? 0) * (annual[j] ?? 0) * (corr[i * 3 + j] ?? 0);
    expect(portfolioVolatility(w, vol, corr, ppy)).toBeCloseTo(Math.sqrt(v), 12);
    expect(r.portfolio_volatility).toBeCloseTo(Math.sqrt(v), 12);
    expect(describeVarConventions(r.conventions)).toMatch(
      /horizon 10 calendar days \(SPY 6\.9 bars at 252\/yr, BTC 10 bars at 365\/yr, EUR_USD 7\.1 bars at 260\/yr\); scaling σ_daily × √bars/,
    );
  });

  it('crypto without a stated calendar trades every day: 30 days are 30 bars', () => {
    const model: MarketModel = { assets: ['BTC'], dailyVol: [0.02], correlation: [1], pegs: [null] };
    const r = monteCarloVar(book([['BTC', 1e6]]), model, { simulations: 100_000, seed: 1, horizonDays: 30 });
    expect(r.conventions.horizon_bars).toEqual({ BTC: 30 });
    expect(r.portfolio_volatility).toBeCloseTo(0.02 * Math.sqrt(365), 12);
  });
});
