/**
 * Market inputs of the risk engine, read from the store with documented fallbacks so risk works before
 * analytics has run:
 *
 * - daily volatility: standard deviation of daily log returns of the last 90 days of `1d` bars (at least 20
 *   returns), else hourly bars of the last 30 days scaled by √24, else DEFAULT_DAILY_VOL by asset kind;
 * - correlation: the latest 90-day value in `derived.asset_correlations`, else computed from the same daily
 *   bars (analytics `correlationMatrix`, at least 20 aligned returns), else DEFAULT_CORRELATION by pair kind;
 * - pegs: `market_data.instruments.peg_target`, else KNOWN_PEGS;
 * - calendar: daily bars a year from the instrument's asset class (252 exchange-traded, 365 crypto and
 *   stablecoins, 260 FX — analytics periodsPerYear), else 365 (a pegged or unknown asset trades every day);
 * - depeg history: `derived.depeg_events` of the last `years` years, else none.
 */
import { correlationMatrix, type PriceSeries } from '../analytics/correlation.ts';
import { periodsPerYear } from '../analytics/indicators/volatility.ts';
import { NotFoundError } from '../core/errors.ts';
import { DAY_MS } from '../core/time.ts';
import type { Interval } from '../core/types.ts';
import type { Queryable } from '../store/db.ts';
import { readBarColumns } from '../store/repos/bars.ts';
import { getInstrument } from '../store/repos/instruments.ts';
import { pegTargets, storedCorrelations, storedDepegEvents } from '../store/repos/risk.ts';
import type { DepegHistory, MarketModel } from './montecarlo.ts';
import { KNOWN_PEGS } from './scenarios.ts';

/**
 * Fallback daily volatilities. Stablecoins: ~0.2 % a day (USDC/USDT daily close deviations outside crises);
 * BTC ~3.5 % and ETH ~4.5 % a day (≈ 67 % and 86 % annualised, their 2019–2024 realised range); others 2 %.
 */
const DEFAULT_DAILY_VOL = Object.freeze({ pegged: 0.002, BTC: 0.035, ETH: 0.045, other: 0.02 });
/** Fallback correlations: two pegged coins 0.5 (shared banking/market plumbing), pegged vs floating 0.1, two floating 0.6. */
const DEFAULT_CORRELATION = Object.freeze({ peggedPegged: 0.5, mixed: 0.1, floatingFloating: 0.6 });

export interface MarketInputs {
  model: MarketModel;
  /** Where each number came from, for the report. */
  sources: {
    volatility: Record<string, string>;
    correlation: Record<string, number>;
    /** Asset class each asset's calendar came from, or `default`. */
    calendar: Record<string, string>;
  };
  /** 30-day and 90-day correlations from bars, for regime-change detection (null where unknown). */
  bars: Map<string, { ts: Float64Array; close: Float64Array }>;
}

async function closes(db: Queryable, symbol: string, interval: Interval, from: number, to: number) {
  try {
    const c = await readBarColumns(db, symbol, interval, { from, to });
    return { ts: c.ts, close: c.close };
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

function logReturnStd(close: Float64Array, fromIndex: number): { std: number; n: number } {
  const r: number[] = [];
  for (let i = Math.max(1, fromIndex); i < close.length; i++) {
    const a = close[i - 1] ?? 0;
    const b = close[i] ?? 0;
    if (a > 0 && b > 0) r.push(Math.log(b / a));
  }
  if (r.length < 2) return { std: Number.NaN, n: r.length };
  const mean = r.reduce((s, x) => s + x, 0) / r.length;
  const v = r.reduce((s, x) => s + (x - mean) ** 2, 0) / (r.length - 1);
  return { std: Math.sqrt(v), n: r.length };
}

function firstIndexAtOrAfter(ts: Float64Array, t: number): number {
  let i = 0;
  while (i < ts.length && (ts[i] ?? 0) < t) i++;
  return i;
}

export async function loadMarketInputs(
  db: Queryable,
  assets: readonly string[],
  asOf: number,
): Promise<MarketInputs> {
  const n = assets.length;
  const storedPegs = await pegTargets(db, assets);
  const pegs = assets.map((a) => storedPegs.get(a) ?? KNOWN_PEGS[a] ?? null);
  const vol = new Float64Array(n);
  const ppy = new Float64Array(n);
  const barsPerDay = new Float64Array(n);
  const calendar: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const a = assets[i] ?? '';
    const cls = (await getInstrument(db, a))?.assetClass;
    ppy[i] = cls === undefined ? 365 : periodsPerYear(cls, '1d');
    // Hourly bars per daily bar: 24 for 24 h markets, 6.5 for an exchange session.
    barsPerDay[i] = cls === undefined ? 24 : periodsPerYear(cls, '1h') / periodsPerYear(cls, '1d');
    calendar[a] = cls ?? 'default';
  }
  const volSource: Record<string, string> = {};
  const bars = new Map<string, { ts: Float64Array; close: Float64Array }>();
  for (let i = 0; i < n; i++) {
    const a = assets[i] ?? '';
    const daily = await closes(db, a, '1d', asOf - 365 * DAY_MS, asOf + 1);
    if (daily && daily.close.length > 0) bars.set(a, daily);
    const d = daily
      ? logReturnStd(daily.close, firstIndexAtOrAfter(daily.ts, asOf - 90 * DAY_MS))
      : { std: Number.NaN, n: 0 };
    if (d.n >= 20 && Number.isFinite(d.std)) {
      vol[i] = d.std;
      volSource[a] = `1d bars (${d.n} returns)`;
      continue;
    }
    const hourly = await closes(db, a, '1h', asOf - 30 * DAY_MS, asOf + 1);
    const h = hourly ? logReturnStd(hourly.close, 0) : { std: Number.NaN, n: 0 };
    if (h.n >= 48 && Number.isFinite(h.std)) {
      vol[i] = h.std * Math.sqrt(barsPerDay[i] ?? 24);
      volSource[a] = `1h bars × √${barsPerDay[i] ?? 24} (${h.n} returns)`;
      continue;
    }
    const fallback =
      pegs[i] !== null
        ? DEFAULT_DAILY_VOL.pegged
        : a === 'BTC'
          ? DEFAULT_DAILY_VOL.BTC
          : a === 'ETH'
            ? DEFAULT_DAILY_VOL.ETH
            : DEFAULT_DAILY_VOL.other;
    vol[i] = fallback;
    volSource[a] = 'default';
  }

  const stored = (await storedCorrelations(db, assets, 90)) ?? new Map<string, number>();
  const series: PriceSeries[] = [...bars.entries()].map(([symbol, b]) => ({
    symbol,
    ts: b.ts,
    prices: b.close,
  }));
  const computed = series.length >= 2 ? correlationMatrix(series, { windowDays: 90, asOf }) : null;
  const corr = new Float64Array(n * n);
  const counts: Record<string, number> = { stored: 0, bars: 0, default: 0 };
  for (let i = 0; i < n; i++) {
    corr[i * n + i] = 1;
    for (let j = 0; j < i; j++) {
      const a = assets[i] ?? '';
      const b = assets[j] ?? '';
      const key = a < b ? `${a}|${b}` : `${b}|${a}`;
      let c = stored.get(key);
      let src = 'stored';
      if (c === undefined && computed) {
        const ci = computed.symbols.indexOf(a);
        const cj = computed.symbols.indexOf(b);
        const v =
          ci >= 0 && cj >= 0
            ? (computed.values[ci * computed.symbols.length + cj] ?? Number.NaN)
            : Number.NaN;
        if (Number.isFinite(v)) {
          c = v;
          src = 'bars';
        }
      }
      if (c === undefined) {
        const pi = pegs[i] !== null;
        const pj = pegs[j] !== null;
        c =
          pi && pj
            ? DEFAULT_CORRELATION.peggedPegged
            : pi || pj
              ? DEFAULT_CORRELATION.mixed
              : DEFAULT_CORRELATION.floatingFloating;
        src = 'default';
      }
      counts[src] = (counts[src] ?? 0) + 1;
      corr[i * n + j] = c;
      corr[j * n + i] = c;
    }
  }
  return {
    model: { assets: [...assets], dailyVol: vol, correlation: corr, pegs, periodsPerYear: ppy },
    sources: { volatility: volSource, correlation: counts, calendar },
    bars,
  };
}

/**
 * Pairs whose 30-day correlation differs from the 90-day one by more than `threshold`, from
 * `derived.asset_correlations` when it holds both windows, else from the bars.
 */
export async function correlationRegimeChanges(
  db: Queryable,
  assets: readonly string[],
  bars: Map<string, { ts: Float64Array; close: Float64Array }>,
  asOf: number,
  threshold = 0.3,
): Promise<{ asset_1: string; asset_2: string; corr_30d: number; corr_90d: number; change: number }[]> {
  const c30 = await storedCorrelations(db, assets, 30);
  const c90 = await storedCorrelations(db, assets, 90);
  if (c30 && c90 && c30.size > 0 && c90.size > 0) {
    const out = [];
    for (const [key, a] of c30) {
      const b = c90.get(key);
      if (b === undefined || Math.abs(a - b) <= threshold) continue;
      const [x = '', y = ''] = key.split('|');
      out.push({ asset_1: x, asset_2: y, corr_30d: a, corr_90d: b, change: a - b });
    }
    return out;
  }
  return barRegimeChanges(bars, asOf, threshold);
}

function barRegimeChanges(
  bars: Map<string, { ts: Float64Array; close: Float64Array }>,
  asOf: number,
  threshold = 0.3,
): { asset_1: string; asset_2: string; corr_30d: number; corr_90d: number; change: number }[] {
  const series: PriceSeries[] = [...bars.entries()].map(([symbol, b]) => ({
    symbol,
    ts: b.ts,
    prices: b.close,
  }));
  if (series.length < 2) return [];
  const m30 = correlationMatrix(series, { windowDays: 30, asOf, minPoints: 15 });
  const m90 = correlationMatrix(series, { windowDays: 90, asOf });
  const k = m30.symbols.length;
  const out = [];
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const a = m30.values[i * k + j] ?? Number.NaN;
      const b = m90.values[i * k + j] ?? Number.NaN;
      if (Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) > threshold) {
        out.push({
          asset_1: m30.symbols[i] ?? '',
          asset_2: m30.symbols[j] ?? '',
          corr_30d: a,
          corr_90d: b,
          change: a - b,
        });
      }
    }
  }
  return out;
}

/** Depeg events of the last `years` years as Monte Carlo history (observed window = years × 365 days). */
export async function loadDepegHistory(
  db: Queryable,
  assets: readonly string[],
  asOf: number,
  years: number,
): Promise<{
  history: DepegHistory | null;
  recent7d: { asset: string; start: string; min_price: number }[];
}> {
  const events = await storedDepegEvents(db, assets);
  if (events === null) return { history: null, recent7d: [] };
  const from = asOf - years * 365 * DAY_MS;
  const inWindow = events.filter((e) => e.start >= from && e.start <= asOf);
  return {
    history: {
      events: inWindow.map((e) => ({ asset: e.asset, minPrice: e.minPrice })),
      observedDays: years * 365,
    },
    recent7d: inWindow
      .filter((e) => e.start >= asOf - 7 * DAY_MS)
      .map((e) => ({ asset: e.asset, start: new Date(e.start).toISOString(), min_price: e.minPrice })),
  };
}
