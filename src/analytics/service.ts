/**
 * Analytics wiring: read stored bars/prices as typed arrays, run the pure functions of src/analytics, write
 * the results to schema `derived` (idempotent upserts) unless `dryRun`. Partial success is explicit: each
 * function returns what it computed plus `errors` for the instruments it could not do.
 */

import { at } from '../core/assert.ts';
import { describeError, ValidationError } from '../core/errors.ts';
import { DAY_MS, startOfUtcDay, toIso } from '../core/time.ts';
import { INTERVALS, type Interval } from '../core/types.ts';
import type { Db, Queryable } from '../store/db.ts';
import { readBarColumns, readBarsHlcMany } from '../store/repos/bars.ts';
import {
  type DepegEventRow,
  readLatestCorrelations,
  replaceBestPairs,
  type StoredBestPair,
  type StoredCorrelation,
  upsertCorrelations,
  upsertDepegEvents,
  upsertVolatilityBatch,
  VOL_COLUMNS,
  type VolatilityColumns,
  volatilityResumeMany,
} from '../store/repos/derived.ts';
import { type InstrumentRow, listInstruments, requireInstrument } from '../store/repos/instruments.ts';
import { readPrices } from '../store/repos/prices.ts';
import type { AdjustMode } from './adjust.ts';
import { readAdjustedBarColumns } from './adjusted-bars-reader.ts';
import {
  correlationMatrix,
  matrixPairs,
  type PriceSeries,
  validateCorrelationMatrix,
} from './correlation.ts';
import { type DepegEvent, depegStatistics, detectDepegs } from './depeg.ts';
import { atr, bollinger, ema, historicalVolatility, macd, rsi, sma } from './indicators/index.ts';
import { annualizationFactor } from './indicators/volatility.ts';
import { bestPairs, contagionSummary, type RegimeChange, regimeChanges, riskLevel } from './pairs.ts';

export interface AnalyticsError {
  symbol: string;
  step: string;
  error: string;
}

const ALL_TIME = { from: -8.64e15, to: 8.64e15 };
const nn = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

async function instruments(db: Queryable, symbols?: readonly string[]): Promise<InstrumentRow[]> {
  if (symbols && symbols.length > 0) return Promise.all(symbols.map((s) => requireInstrument(db, s)));
  return (await listInstruments(db, { active: true })).filter((i) => i.assetClass !== 'economic');
}

function lowerBound(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(ts, mid, 'ts') < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---- volatility metrics ------------------------------------------------------------------------------------
export interface VolatilityResult {
  interval: Interval;
  instruments: Array<{
    symbol: string;
    bars: number;
    written: number;
    latest: Record<string, number | string | null>;
  }>;
  errors: AnalyticsError[];
}

/** Instruments per batch: one read and one write per batch keeps a large universe's memory bounded. */
const VOLATILITY_BATCH = 64;

/**
 * HV 20/50, SMA 15/30/50, Bollinger(20, 2), ATR(14) for every bar of each instrument. Instruments go in
 * batches: one query reads their bars, one finds where each rewrite resumes, one upserts the new rows
 * (on the embedded store a statement per instrument cost more than the computing).
 */
export async function computeVolatility(
  db: Queryable,
  opts: {
    symbols?: readonly string[];
    interval?: Interval;
    dryRun?: boolean;
    full?: boolean;
    /** Rows before this time (epoch ms) are not written; warm-up still uses every bar. @defaultValue all */
    since?: number;
  } = {},
): Promise<VolatilityResult> {
  const interval = opts.interval ?? '1d';
  const out: VolatilityResult = { interval, instruments: [], errors: [] };
  const list = await instruments(db, opts.symbols);
  for (let at = 0; at < list.length; at += VOLATILITY_BATCH) {
    const batch = list.slice(at, at + VOLATILITY_BATCH);
    try {
      out.instruments.push(...(await volatilityBatch(db, batch, interval, opts, out.errors)));
    } catch (err) {
      for (const inst of batch) {
        out.errors.push({ symbol: inst.symbol, step: 'volatility', error: describeError(err) });
      }
    }
  }
  return out;
}

async function volatilityBatch(
  db: Queryable,
  batch: readonly InstrumentRow[],
  interval: Interval,
  opts: { dryRun?: boolean; full?: boolean; since?: number },
  errors: AnalyticsError[],
): Promise<VolatilityResult['instruments']> {
  const ids = batch.map((i) => i.id);
  const bars = await readBarsHlcMany(db, ids, interval);
  // Rows before the newest stored one are unchanged unless their bars changed (see volatilityResumeFrom).
  const resume =
    opts.dryRun || opts.full ? new Map<number, number>() : await volatilityResumeMany(db, ids, interval);
  const done: Array<VolatilityResult['instruments'][number] & { start: number }> = [];
  const rows: { ids: number[]; cols: Record<keyof VolatilityColumns, number[]> } = {
    ids: [],
    cols: Object.fromEntries(VOLATILITY_KEYS.map((k) => [k, []])) as unknown as Record<
      keyof VolatilityColumns,
      number[]
    >,
  };
  for (const inst of batch) {
    const b = bars.get(inst.id);
    if (!b || b.ts.length === 0) continue;
    try {
      const factor = annualizationFactor(inst.assetClass, interval);
      const bands = bollinger(b.close, 20, 2);
      const cols: Record<keyof VolatilityColumns, Float64Array> = {
        ts: b.ts,
        hv_20: historicalVolatility(b.close, 20, factor),
        hv_50: historicalVolatility(b.close, 50, factor),
        sma_15: sma(b.close, 15),
        sma_30: sma(b.close, 30),
        sma_50: sma(b.close, 50),
        bb_upper: bands.upper,
        bb_middle: bands.middle,
        bb_lower: bands.lower,
        atr_14: atr(b.high, b.low, b.close, 14),
      };
      const from = resume.get(inst.id);
      const start = Math.max(
        from === undefined ? 0 : lowerBound(b.ts, from),
        opts.since === undefined ? 0 : lowerBound(b.ts, opts.since),
      );
      if (!opts.dryRun) {
        for (let i = start; i < b.ts.length; i++) rows.ids.push(inst.id);
        for (const k of VOLATILITY_KEYS) {
          const target = rows.cols[k];
          const v = cols[k];
          for (const x of v.subarray(start)) target.push(x);
        }
      }
      const last = b.ts.length - 1;
      const latest: Record<string, number | string | null> = { ts: toIso(at(b.ts, last, 'ts')) };
      for (const [k, v] of Object.entries(cols)) if (k !== 'ts') latest[k] = nn(v[last]);
      done.push({ symbol: inst.symbol, bars: b.ts.length, written: b.ts.length - start, latest, start });
    } catch (err) {
      errors.push({ symbol: inst.symbol, step: 'volatility', error: describeError(err) });
    }
  }
  if (opts.dryRun) return done.map(({ start: _, ...r }) => ({ ...r, written: 0 }));
  await upsertVolatilityBatch(db, interval, { ids: rows.ids, ...rows.cols });
  return done.map(({ start: _, ...r }) => r);
}

const VOLATILITY_KEYS = ['ts', ...VOL_COLUMNS] as const satisfies ReadonlyArray<keyof VolatilityColumns>;

// ---- indicators for one symbol --------------------------------------------------------------------------------
export interface IndicatorsResult {
  symbol: string;
  interval: Interval;
  rows: Array<Record<string, number | string | null>>;
}

const EXTRA = /^(sma|ema|rsi|hv|atr):(\d+)$/;

/** Parses `sma:50,ema:12` (also rsi, hv, atr) into column names and periods. */
export function parseIndicatorSpec(
  spec: string | undefined,
): Array<{ kind: string; period: number; name: string }> {
  if (!spec) return [];
  return spec
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .map((s) => {
      const m = EXTRA.exec(s);
      if (!m || Number(m[2]) < 1) {
        throw new ValidationError(`unknown indicator "${s}" (use sma:N, ema:N, rsi:N, hv:N or atr:N)`);
      }
      return { kind: m[1] as string, period: Number(m[2]), name: `${m[1]}_${m[2]}` };
    });
}

/**
 * Default columns per bar (DESIGN.md): close, sma_20, ema_20, rsi_14, macd, macd_signal, macd_hist, bb_*,
 * atr_14, hv_20, plus `extra`. Warm-up is computed from all stored bars before `from`, so values inside the
 * range do not depend on where it starts. Also stores the volatility metrics of the symbol unless dryRun.
 */
export async function computeIndicators(
  db: Queryable,
  symbol: string,
  opts: {
    interval?: Interval;
    from?: number;
    to?: number;
    extra?: string;
    dryRun?: boolean;
    /** Split/dividend adjustment of the bars before the indicators (analytics/adjust.ts). @defaultValue 'raw' */
    adjust?: AdjustMode;
  } = {},
): Promise<IndicatorsResult> {
  const interval = opts.interval ?? '1d';
  const extra = parseIndicatorSpec(opts.extra);
  const inst = await requireInstrument(db, symbol);
  const b = await readAdjustedBarColumns(
    db,
    symbol,
    interval,
    { from: ALL_TIME.from, to: opts.to ?? ALL_TIME.to },
    opts.adjust ?? 'raw',
  );
  const factor = annualizationFactor(inst.assetClass, interval);
  const m = macd(b.close);
  const bands = bollinger(b.close, 20, 2);
  const cols: Record<string, Float64Array> = {
    sma_20: sma(b.close, 20),
    ema_20: ema(b.close, 20),
    rsi_14: rsi(b.close, 14),
    macd: m.macd,
    macd_signal: m.signal,
    macd_hist: m.hist,
    bb_upper: bands.upper,
    bb_middle: bands.middle,
    bb_lower: bands.lower,
    atr_14: atr(b.high, b.low, b.close, 14),
    hv_20: historicalVolatility(b.close, 20, factor),
  };
  for (const e of extra) {
    cols[e.name] =
      e.kind === 'sma'
        ? sma(b.close, e.period)
        : e.kind === 'ema'
          ? ema(b.close, e.period)
          : e.kind === 'rsi'
            ? rsi(b.close, e.period)
            : e.kind === 'atr'
              ? atr(b.high, b.low, b.close, e.period)
              : historicalVolatility(b.close, Math.max(e.period, 2), factor);
  }
  const rows: IndicatorsResult['rows'] = [];
  const from = opts.from ?? ALL_TIME.from;
  for (const [i, t] of b.ts.entries()) {
    if (t < from) continue;
    const row: Record<string, number | string | null> = { ts: toIso(t), close: at(b.close, i, 'close') };
    for (const [k, v] of Object.entries(cols)) row[k] = nn(v[i]);
    rows.push(row);
  }
  if (!opts.dryRun) await computeVolatility(db, { symbols: [symbol], interval });
  return { symbol, interval, rows };
}

// ---- correlations ---------------------------------------------------------------------------------------------
/** One close per UTC day stamped at 00:00Z: `1d` bars, else the last point price, else the last hourly close. */
async function dailySeries(
  db: Queryable,
  symbol: string,
  from: number,
  to: number,
): Promise<PriceSeries | null> {
  const range = { from, to };
  const bars = await readBarColumns(db, symbol, '1d', range);
  if (bars.ts.length >= 2) return { symbol, ts: bars.ts.map(startOfUtcDay), prices: bars.close };
  const points = await readPrices(db, symbol, range);
  let ts: number[] = points.map((p) => p.ts);
  let px: number[] = points.map((p) => p.price);
  if (ts.length < 2) {
    const hourly = await readBarColumns(db, symbol, '1h', range);
    ts = Array.from(hourly.ts);
    px = Array.from(hourly.close);
  }
  const days: number[] = [];
  const closes: number[] = [];
  ts.forEach((t, i) => {
    const d = startOfUtcDay(t);
    const close = at(px, i, 'prices');
    if (days.length > 0 && days[days.length - 1] === d) closes[closes.length - 1] = close;
    else {
      days.push(d);
      closes.push(close);
    }
  });
  return days.length >= 2 ? { symbol, ts: Float64Array.from(days), prices: Float64Array.from(closes) } : null;
}

interface CorrelationWindowResult {
  window_days: number;
  as_of: string;
  pairs: Array<StoredCorrelation>;
  contagion: ReturnType<typeof contagionSummary>;
  validation_errors: string[];
  written: number;
}

export interface CorrelationsResult {
  windows: CorrelationWindowResult[];
  regime_changes: RegimeChange[];
  errors: AnalyticsError[];
}

export async function computeCorrelations(
  db: Queryable,
  opts: {
    windows?: readonly number[];
    asOf?: number;
    assets?: readonly string[];
    forwardFill?: boolean;
    regimeThreshold?: number;
    dryRun?: boolean;
  } = {},
): Promise<CorrelationsResult> {
  const windows = opts.windows ?? [30, 90, 365];
  const asOf = opts.asOf ?? Date.now();
  const longest = Math.max(...windows);
  const errors: AnalyticsError[] = [];
  const series: PriceSeries[] = [];
  const list = await instruments(db, opts.assets);
  const from = asOf - (longest + 1) * DAY_MS;
  // daily bars of every instrument in one read; the few without them go the slower way (dailySeries)
  const daily = await readBarsHlcMany(
    db,
    list.map((i) => i.id),
    '1d',
    { from, to: asOf + 1 },
  );
  for (const inst of list) {
    const d = daily.get(inst.id);
    if (d && d.ts.length >= 2) {
      series.push({ symbol: inst.symbol, ts: d.ts.map(startOfUtcDay), prices: d.close });
      continue;
    }
    try {
      const s = await dailySeries(db, inst.symbol, from, asOf + 1);
      if (s) series.push(s);
    } catch (err) {
      errors.push({ symbol: inst.symbol, step: 'correlations', error: describeError(err) });
    }
  }
  series.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  const results: CorrelationWindowResult[] = [];
  for (const windowDays of windows) {
    const m = correlationMatrix(series, { windowDays, asOf, forwardFill: opts.forwardFill });
    const pairs = matrixPairs(m).map((p) => ({
      ...p,
      risk_level: p.correlation === null ? null : riskLevel(p.correlation),
    }));
    const validation = validateCorrelationMatrix(m);
    const written =
      opts.dryRun || validation.length > 0 ? 0 : await upsertCorrelations(db, windowDays, asOf, pairs);
    results.push({
      window_days: windowDays,
      as_of: toIso(asOf),
      pairs,
      contagion: contagionSummary(pairs),
      validation_errors: validation,
      written,
    });
  }
  const short = results.find((r) => r.window_days === 30);
  const long = results.find((r) => r.window_days === 90);
  const regimes = short && long ? regimeChanges(short.pairs, long.pairs, opts.regimeThreshold ?? 0.3) : [];
  return { windows: results, regime_changes: regimes, errors };
}

// ---- best pairs ----------------------------------------------------------------------------------------------
export async function computeBestPairs(
  db: Db,
  opts: { windowDays?: number; limit?: number; asOf?: number; dryRun?: boolean } = {},
): Promise<{ window_days: number; as_of: string | null; pairs: StoredBestPair[]; written: number }> {
  const windowDays = opts.windowDays ?? 90;
  let stored = await readLatestCorrelations(db, windowDays);
  if (stored.length === 0 || opts.asOf !== undefined) {
    const fresh = await computeCorrelations(db, {
      windows: [windowDays],
      asOf: opts.asOf,
      dryRun: opts.dryRun,
    });
    const w = fresh.windows[0];
    stored = (w?.pairs ?? []).map((p) => ({ ...p, as_of: opts.asOf ?? Date.now() }));
  }
  const asOf = stored[0]?.as_of ?? null;
  const pairs = bestPairs(stored, { windowDays, limit: opts.limit });
  const written =
    opts.dryRun || asOf === null
      ? 0
      : await db.transaction((tx) => replaceBestPairs(tx, windowDays, asOf, pairs));
  return { window_days: windowDays, as_of: asOf === null ? null : toIso(asOf), pairs, written };
}

// ---- depegs --------------------------------------------------------------------------------------------------
export interface DepegOptionsIn {
  asset?: string;
  since?: number;
  threshold?: number;
  mergeGapMs?: number;
  dryRun?: boolean;
}

/**
 * Every stored observation of a pegged asset as one series: its point prices and the LOWS of its finest
 * stored bars, merged by time (the lower value where both have the same instant). A dip seen by either source
 * counts; `source` names what was used, e.g. `prices+bars:1h`.
 */
async function pegSeries(
  db: Queryable,
  symbol: string,
): Promise<{ ts: Float64Array; px: Float64Array; source: string }> {
  const points = await readPrices(db, symbol, ALL_TIME);
  let bars: { ts: Float64Array; low: Float64Array; interval: Interval } | null = null;
  for (const interval of INTERVALS) {
    const b = await readBarColumns(db, symbol, interval, ALL_TIME);
    if (b.ts.length > 0) {
      bars = { ts: b.ts, low: b.low, interval };
      break;
    }
  }
  const sources = [points.length > 0 ? 'prices' : '', bars ? `bars:${bars.interval}` : ''].filter(Boolean);
  const n = points.length + (bars?.ts.length ?? 0);
  const ts = new Float64Array(n);
  const px = new Float64Array(n);
  let i = 0;
  let j = 0;
  let k = 0;
  const bt = bars?.ts ?? new Float64Array(0);
  const bl = bars?.low ?? new Float64Array(0);
  while (i < points.length || j < bt.length) {
    const p = points[i];
    const bj = bt[j];
    let t: number;
    let v: number;
    if (p !== undefined && (bj === undefined || p.ts <= bj)) {
      t = p.ts;
      v = p.price;
      i++;
    } else {
      t = at(bt, j, 'bar times');
      v = at(bl, j, 'bar lows');
      j++;
    }
    if (k > 0 && ts[k - 1] === t) px[k - 1] = Math.min(px[k - 1] ?? v, v);
    else {
      ts[k] = t;
      px[k] = v;
      k++;
    }
  }
  return { ts: ts.subarray(0, k), px: px.subarray(0, k), source: sources.join('+') || 'none' };
}

export async function detectDepegEvents(
  db: Queryable,
  opts: DepegOptionsIn = {},
): Promise<{
  events: DepegEventRow[];
  statistics: Array<{ asset: string } & ReturnType<typeof depegStatistics>>;
  written: number;
  errors: AnalyticsError[];
}> {
  const threshold = opts.threshold ?? 0.01;
  const list = opts.asset ? [await requireInstrument(db, opts.asset)] : await listInstruments(db);
  const pegged = list.filter((i) => i.pegTarget !== null && i.pegTarget !== undefined);
  const events: DepegEventRow[] = [];
  const statistics: Array<{ asset: string } & ReturnType<typeof depegStatistics>> = [];
  const errors: AnalyticsError[] = [];
  let written = 0;
  for (const inst of pegged) {
    try {
      const peg = inst.pegTarget as number;
      const s = await pegSeries(db, inst.symbol);
      const found: DepegEvent[] = detectDepegs(s.ts, s.px, { peg, threshold, mergeGapMs: opts.mergeGapMs });
      const kept = found.filter(
        (e) => opts.since === undefined || (e.end ?? Number.POSITIVE_INFINITY) >= opts.since,
      );
      if (!opts.dryRun) {
        written += await upsertDepegEvents(
          db,
          found.map((e) => ({ ...e, asset: inst.symbol, peg, threshold, source: s.source })),
        );
      }
      statistics.push({ asset: inst.symbol, ...depegStatistics(kept) });
      for (const e of kept) {
        events.push({
          asset: inst.symbol,
          start: toIso(e.start),
          end: e.end === null ? null : toIso(e.end),
          min_price: e.minPrice,
          min_price_at: toIso(e.minPriceAt),
          duration_seconds: e.durationSeconds,
          recovery_time_seconds: e.recoveryTimeSeconds,
          severity_score: e.severityScore,
          source: s.source,
        });
      }
    } catch (err) {
      errors.push({ symbol: inst.symbol, step: 'depegs', error: describeError(err) });
    }
  }
  events.sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : a.asset.localeCompare(b.asset)));
  return { events, statistics, written, errors };
}

// ---- everything ----------------------------------------------------------------------------------------------
export interface AnalyticsSummary {
  volatility: { instruments: number; rows: number };
  correlations: Array<{ window_days: number; pairs: number; with_value: number; overall: string | null }>;
  regime_changes: number;
  best_pairs: number;
  depegs: { events: DepegEventRow[] };
  errors: AnalyticsError[];
  duration_ms: number;
}

/**
 * Days of per-bar volatility rows runAllAnalytics writes. What reads them is the newest row per instrument
 * (dashboard, API, reports); writing every bar of all history was most of the demo's analytics time (64k
 * rows through PGlite for 148 newest ones). `analytics volatility` still writes the whole history.
 */
export const VOLATILITY_ROWS_DAYS = 90;

/** Runs every analytics step over the store (the demo's and the scheduler's entry point). */
export async function runAllAnalytics(
  db: Db,
  opts: { asOf?: number; interval?: Interval; dryRun?: boolean } = {},
): Promise<AnalyticsSummary> {
  const started = Date.now();
  const vol = await computeVolatility(db, {
    interval: opts.interval,
    dryRun: opts.dryRun,
    since: (opts.asOf ?? Date.now()) - VOLATILITY_ROWS_DAYS * DAY_MS,
  });
  const corr = await computeCorrelations(db, { asOf: opts.asOf, dryRun: opts.dryRun });
  const pairs = await computeBestPairs(db, {
    dryRun: opts.dryRun,
    asOf: opts.dryRun ? opts.asOf : undefined,
  });
  const depegs = await detectDepegEvents(db, { dryRun: opts.dryRun });
  return {
    volatility: {
      instruments: vol.instruments.length,
      rows: vol.instruments.reduce((a, i) => a + i.bars, 0),
    },
    correlations: corr.windows.map((w) => ({
      window_days: w.window_days,
      pairs: w.pairs.length,
      with_value: w.pairs.filter((p) => p.correlation !== null).length,
      overall: w.contagion.overall,
    })),
    regime_changes: corr.regime_changes.length,
    best_pairs: pairs.pairs.length,
    depegs: { events: depegs.events },
    errors: [...vol.errors, ...corr.errors, ...depegs.errors],
    duration_ms: Date.now() - started,
  };
}
