/**
 * `marketpipe validate`: every rule over what is stored, one series (instrument × interval, or the
 * instrument's point prices) at a time, reading each series in keyset-paginated chunks so memory stays
 * bounded whatever the store's size. Value rules run as one SQL aggregate per series; the outlier and gap
 * rules stream `(ts, price)` through JS. The report has the seed's shape plus per-series detail.
 */
import type { AssetClass, Interval } from '../core/types.ts';
import { INTERVALS } from '../core/types.ts';
import type { Queryable } from '../store/db.ts';
import { listInstruments } from '../store/repos/instruments.ts';
import { checkFreshness } from './rules/freshness.ts';
import { findGaps, type GapSpan } from './rules/gaps.ts';
import { detectSpikes } from './rules/outliers.ts';
import { RULES } from './rules/rule.ts';
import { DEFAULT_THRESHOLDS, fmtPrice, type QualityThresholds } from './thresholds.ts';
import { validateDerived } from './validate-derived.ts';

interface CheckError {
  check_name: string;
  error_message: string;
}

/** One stored series: bars of an interval, or point prices (`series: 'point'`). */
interface SeriesDetail {
  symbol: string;
  asset_class: AssetClass;
  series: Interval | 'point';
  rows: number;
  first: string | null;
  last: string | null;
  checks: number;
  failed: number;
  /** Reverting spikes the outlier rule finds now. */
  outliers: number;
  /** Rows stored with `is_outlier = true`. */
  flagged_outliers: number;
  /** Missing bars against the calendar; `spans` lists the first 20 of `span_count`. */
  gaps: { missing: number; span_count: number; spans: Array<{ from: string; to: string; count: number }> };
  errors: CheckError[];
}

/** The seed's report shape (`total_checks … overall_valid`) plus warnings and per-series detail. */
export interface ValidationReport {
  total_checks: number;
  passed: number;
  failed: number;
  errors: CheckError[];
  overall_valid: boolean;
  /** Findings that do not fail validation: outliers (stored flagged, by design) and calendar gaps. */
  warnings: CheckError[];
  instruments: SeriesDetail[];
  rows_checked: number;
  duration_ms: number;
  created_at: string;
}

export interface ValidateOptions {
  /** Only these symbols (default: every instrument). */
  symbols?: readonly string[];
  /** UTC ms. @defaultValue Date.now() */
  now?: number;
  thresholds?: QualityThresholds;
  /** Rows read per round trip. @defaultValue 100000 */
  chunkSize?: number;
  /** Include the freshness rule (off for historical stores such as benchmarks). @defaultValue true */
  freshness?: boolean;
  /** Called after each series. */
  onSeries?: (detail: SeriesDetail) => void;
}

const MAX_SPANS = 20;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const FINITE_POS = (c: string): string => `(${c} > 0 AND ${c} < 'Infinity'::float8)`;

interface Aggregate {
  n: number;
  first: number | null;
  last: number | null;
  bad_value: number;
  bad_value_ts: number | null;
  bad_ohlc: number;
  bad_ohlc_ts: number | null;
  bad_volume: number;
  bad_volume_ts: number | null;
  out_of_bounds: number;
  out_of_bounds_ts: number | null;
  out_of_bounds_price: number | null;
  future: number;
  future_ts: number | null;
  flagged: number;
}

function aggregateSql(table: 'bars' | 'prices'): string {
  const bar = table === 'bars';
  const price = bar ? 'close' : 'price';
  const values = bar ? ['open', 'high', 'low', 'close'].map(FINITE_POS).join(' AND ') : FINITE_POS('price');
  const ohlc = bar ? 'low <= high AND open BETWEEN low AND high AND close BETWEEN low AND high' : 'true';
  const volume = bar
    ? "volume >= 0 AND volume < 'Infinity'::float8"
    : "(volume IS NULL OR (volume >= 0 AND volume < 'Infinity'::float8))";
  const ms = (e: string): string => `(extract(epoch FROM ${e}) * 1000)::float8`;
  const bounds = `(${price} < $3 OR ${price} > $4)`;
  return `SELECT count(*)::int AS n, ${ms('min(ts)')} AS first, ${ms('max(ts)')} AS last,
    count(*) FILTER (WHERE NOT (${values}))::int AS bad_value, ${ms(`min(ts) FILTER (WHERE NOT (${values}))`)} AS bad_value_ts,
    count(*) FILTER (WHERE NOT (${ohlc}))::int AS bad_ohlc, ${ms(`min(ts) FILTER (WHERE NOT (${ohlc}))`)} AS bad_ohlc_ts,
    count(*) FILTER (WHERE NOT (${volume}))::int AS bad_volume, ${ms(`min(ts) FILTER (WHERE NOT (${volume}))`)} AS bad_volume_ts,
    count(*) FILTER (WHERE ${bounds})::int AS out_of_bounds, ${ms(`min(ts) FILTER (WHERE ${bounds})`)} AS out_of_bounds_ts,
    (array_agg(${price} ORDER BY ts) FILTER (WHERE ${bounds}))[1] AS out_of_bounds_price,
    count(*) FILTER (WHERE ts > $5::timestamptz)::int AS future, ${ms('min(ts) FILTER (WHERE ts > $5::timestamptz)')} AS future_ts,
    count(*) FILTER (WHERE is_outlier)::int AS flagged
    FROM market_data.${table} WHERE instrument_id = $1 AND ${bar ? 'interval = $2' : '$2::text IS NOT NULL'}`;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Runs every stored-data rule and returns the report (see {@link saveValidationReport} to keep it). */
export async function validateStore(db: Queryable, opts: ValidateOptions = {}): Promise<ValidationReport> {
  const started = performance.now();
  const now = opts.now ?? Date.now();
  const t = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const chunkSize = opts.chunkSize ?? 100_000;
  const instruments = await listInstruments(db, opts.symbols ? { symbols: opts.symbols } : {});
  const report: ValidationReport = {
    total_checks: 0,
    passed: 0,
    failed: 0,
    errors: [],
    overall_valid: true,
    warnings: [],
    instruments: [],
    rows_checked: 0,
    duration_ms: 0,
    created_at: new Date(now).toISOString(),
  };
  if (opts.symbols) {
    const found = new Set(instruments.map((i) => i.symbol));
    for (const s of opts.symbols) {
      if (!found.has(s)) addCheck(report, `instrument[${s}]`, `Unknown instrument ${s}`);
    }
  }

  for (const inst of instruments) {
    const seriesList = await db.query<{ interval: string }>(
      `SELECT iv.interval FROM (VALUES ${INTERVALS.map((i) => `('${i}')`).join(', ')}) AS iv (interval)
        WHERE EXISTS (SELECT 1 FROM market_data.bars b WHERE b.instrument_id = $1 AND b.interval = iv.interval)
       UNION ALL SELECT 'point' WHERE EXISTS (SELECT 1 FROM market_data.prices p WHERE p.instrument_id = $1)`,
      [inst.id],
    );
    const series = seriesList.rows.map((r) => r.interval as Interval | 'point');
    if (series.length === 0 && opts.freshness !== false && inst.active !== false) {
      const v = checkFreshness({ symbol: inst.symbol, assetClass: inst.assetClass, latestTs: null, now }, t);
      if (v) addCheck(report, `${v.rule}[${inst.symbol}]`, v.reason);
    }
    for (const s of series) {
      const detail = await validateSeries(db, inst, s, now, t, chunkSize, opts.freshness !== false);
      report.instruments.push(detail);
      report.rows_checked += detail.rows;
      for (const e of detail.errors) report.errors.push(e);
      report.total_checks += detail.checks;
      report.failed += detail.failed;
      if (detail.outliers > 0) {
        report.warnings.push({
          check_name: `${RULES.outlier}[${inst.symbol} ${s}]`,
          error_message: `${detail.outliers} reverting spike(s) found; ${detail.flagged_outliers} row(s) stored flagged is_outlier`,
        });
      }
      if (detail.gaps.missing > 0) {
        report.warnings.push({
          check_name: `${RULES.gaps}[${inst.symbol} ${s}]`,
          error_message: `${detail.gaps.missing} expected bar(s) missing in ${detail.gaps.span_count} span(s), first from ${detail.gaps.spans[0]?.from}`,
        });
      }
      opts.onSeries?.(detail);
    }
  }
  for (const d of await validateDerived(db, t, opts.symbols)) addCheck(report, d.check_name, d.failure);
  report.passed = report.total_checks - report.failed;
  report.overall_valid = report.failed === 0;
  report.duration_ms = Math.round(performance.now() - started);
  return report;
}

/** Counts one check on a report or a series; `failure` null means it passed. */
function addCheck(
  target: { checks?: number; total_checks?: number; failed: number; errors: CheckError[] },
  name: string,
  failure: string | null,
): void {
  if (target.checks !== undefined) target.checks++;
  if (target.total_checks !== undefined) target.total_checks++;
  if (failure === null) return;
  target.failed++;
  target.errors.push({ check_name: name, error_message: failure });
}

interface InstrumentLike {
  id: number;
  symbol: string;
  assetClass: AssetClass;
  pegTarget?: number | null;
  active?: boolean;
}

async function validateSeries(
  db: Queryable,
  inst: InstrumentLike,
  series: Interval | 'point',
  now: number,
  t: QualityThresholds,
  chunkSize: number,
  freshness: boolean,
): Promise<SeriesDetail> {
  const isBar = series !== 'point';
  const bounds = t.bounds[inst.assetClass];
  const scale = inst.assetClass === 'stablecoin' && inst.pegTarget && inst.pegTarget > 0 ? inst.pegTarget : 1;
  const [min, max] = bounds ? [bounds.min * scale, bounds.max * scale] : [-Infinity, Infinity];
  const agg = (
    await db.query<Aggregate>(aggregateSql(isBar ? 'bars' : 'prices'), [
      inst.id,
      series,
      min === -Infinity ? '-Infinity' : min,
      max === Infinity ? 'Infinity' : max,
      new Date(now + t.futureSkewMs).toISOString(),
    ])
  ).rows[0];
  const n = Number(agg?.n ?? 0);
  const detail: SeriesDetail = {
    symbol: inst.symbol,
    asset_class: inst.assetClass,
    series,
    rows: n,
    first: iso(num(agg?.first)),
    last: iso(num(agg?.last)),
    checks: 0,
    failed: 0,
    outliers: 0,
    flagged_outliers: Number(agg?.flagged ?? 0),
    gaps: { missing: 0, span_count: 0, spans: [] },
    errors: [],
  };
  const tag = `${inst.symbol} ${series}`;
  const at = (ts: unknown): string => iso(num(ts)) ?? '?';
  const rowsCheck = (rule: string, count: unknown, ts: unknown, what: string): void => {
    const c = Number(count ?? 0);
    addCheck(detail, `${rule}[${tag}]`, c > 0 ? `${c} row(s) ${what}, first at ${at(ts)}` : null);
  };
  rowsCheck(RULES.finite, agg?.bad_value, agg?.bad_value_ts, 'with a non-positive or non-finite price');
  if (isBar) {
    rowsCheck(RULES.ohlc, agg?.bad_ohlc, agg?.bad_ohlc_ts, 'with inconsistent OHLC');
  }
  rowsCheck(RULES.volume, agg?.bad_volume, agg?.bad_volume_ts, 'with negative or non-finite volume');
  if (bounds) {
    const c = Number(agg?.out_of_bounds ?? 0);
    addCheck(
      detail,
      `${RULES.bounds}[${tag}]`,
      c > 0
        ? `${c} row(s) outside ${inst.assetClass} bounds [${fmtPrice(min)}, ${fmtPrice(max)}], first: Price ${fmtPrice(Number(agg?.out_of_bounds_price))} at ${at(agg?.out_of_bounds_ts)}`
        : null,
    );
  }
  rowsCheck(RULES.future, agg?.future, agg?.future_ts, 'in the future');
  if (freshness && inst.active !== false) {
    const v = checkFreshness(
      {
        symbol: inst.symbol,
        assetClass: inst.assetClass,
        interval: isBar ? series : undefined,
        latestTs: num(agg?.last),
        now,
      },
      t,
    );
    addCheck(detail, `${RULES.freshness}[${tag}]`, v ? v.reason : null);
  }

  // Streamed pass: outliers and gaps, chunk by chunk with a little overlap for the rolling window.
  const overlap = t.outlierWindow + 2;
  let prefixTs: number[] = [];
  let prefixPx: number[] = [];
  let cursor = -Infinity;
  const spans: GapSpan[] = [];
  const sql = isBar
    ? `SELECT (extract(epoch FROM ts) * 1000)::float8 AS t, close AS p FROM market_data.bars
        WHERE instrument_id = $1 AND interval = $2 AND ts > $3::timestamptz ORDER BY ts LIMIT $4`
    : `SELECT (extract(epoch FROM ts) * 1000)::float8 AS t, price AS p FROM market_data.prices
        WHERE instrument_id = $1 AND $2::text IS NOT NULL AND ts > $3::timestamptz ORDER BY ts LIMIT $4`;
  for (;;) {
    const res = await db.query<{ t: number; p: number }>(sql, [
      inst.id,
      series,
      cursor === -Infinity ? '-infinity' : new Date(cursor).toISOString(),
      chunkSize,
    ]);
    const rows = res.rows;
    if (rows.length === 0) break;
    const m = prefixTs.length + rows.length;
    const ts = new Float64Array(m);
    const px = new Float64Array(m);
    ts.set(prefixTs);
    px.set(prefixPx);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as { t: number; p: number };
      ts[prefixTs.length + i] = Number(r.t);
      px[prefixTs.length + i] = Number(r.p);
    }
    // Points before the prefix's last were judged in the previous chunk (the last one was the edge).
    const judgeFrom = Math.max(0, prefixTs.length - 1);
    const spikes = detectSpikes(px, t);
    for (let i = judgeFrom; i < m - 1; i++) if (spikes.isOutlier[i]) detail.outliers++;
    if (isBar) {
      const g = findGaps(ts.subarray(judgeFrom), inst.assetClass, series);
      for (const s of g.spans) if (spans.length < MAX_SPANS) spans.push(s);
      detail.gaps.missing += g.missing;
      detail.gaps.span_count += g.spans.length;
    }
    const keep = Math.min(overlap, m);
    prefixTs = Array.from(ts.subarray(m - keep));
    prefixPx = Array.from(px.subarray(m - keep));
    cursor = ts[m - 1] ?? cursor;
    if (rows.length < chunkSize) break;
  }
  addCheck(detail, `${RULES.outlier}[${tag}]`, null);
  if (isBar) addCheck(detail, `${RULES.gaps}[${tag}]`, null);
  detail.gaps.spans = spans.map((s) => ({ from: iso(s.from) ?? '', to: iso(s.to) ?? '', count: s.count }));
  return detail;
}

/** Stores the report in `ops.validation_reports`; returns its id. */
export async function saveValidationReport(db: Queryable, report: ValidationReport): Promise<number> {
  const res = await db.query<{ id: number }>(
    `INSERT INTO ops.validation_reports (total_checks, passed, failed, overall_valid, report)
     VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id::int AS id`,
    [report.total_checks, report.passed, report.failed, report.overall_valid, JSON.stringify(report)],
  );
  return Number(res.rows[0]?.id);
}
