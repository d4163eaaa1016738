/** `events` repository: earnings, dividends, splits, economic events. Upserts count changed rows only. */

import type { Dividend, Earnings, EconomicEvent, EventType, Split } from '../../core/events.ts';
import type { Queryable } from '../db.ts';

export interface UpsertCounts {
  stored: number;
  unchanged: number;
}

/** Rows whose symbol has no instrument are returned in `unknown` (not stored). */
export interface EventUpsert extends UpsertCounts {
  unknown: string[];
}

async function ids(db: Queryable, symbols: readonly string[]): Promise<Map<string, number>> {
  const res = await db.query<{ id: number; symbol: string }>(
    'SELECT id, symbol FROM market_data.instruments WHERE symbol = ANY($1::text[])',
    [[...new Set(symbols)]],
  );
  return new Map(res.rows.map((r) => [r.symbol, Number(r.id)]));
}

function dedupe<T>(rows: readonly T[], key: (r: T) => string): T[] {
  const m = new Map<string, T>();
  for (const r of rows) m.set(key(r), r);
  return [...m.values()];
}

/** One array per field, in order: the parameters of an `unnest($1::…[], $2::…[], …)` insert. */
function columns<T>(rows: readonly T[], fields: readonly (keyof T)[]): unknown[][] {
  return fields.map((f) => rows.map((r) => r[f]));
}

/**
 * Upserts the rows of known instruments with `sql`, whose parameters are the `fields` columns of those
 * rows (`id` being the instrument id); `sql` must update only changed rows so that rowCount counts them.
 */
async function upsertWith<T extends { symbol: string }>(
  db: Queryable,
  rows: readonly T[],
  key: (r: T) => string,
  sql: string,
  fields: readonly (keyof (T & { id: number }))[],
): Promise<EventUpsert> {
  const all = dedupe(rows, (r) => `${r.symbol}|${key(r)}`);
  const map = await ids(
    db,
    all.map((r) => r.symbol),
  );
  const known: Array<T & { id: number }> = [];
  const unknown = new Set<string>();
  for (const r of all) {
    const id = map.get(r.symbol);
    if (id === undefined) unknown.add(r.symbol);
    else known.push({ ...r, id });
  }
  const stored = known.length === 0 ? 0 : (await db.query(sql, columns(known, fields))).rowCount;
  return { stored, unchanged: known.length - stored, unknown: [...unknown] };
}

export function upsertDividends(db: Queryable, rows: readonly Dividend[]): Promise<EventUpsert> {
  return upsertWith(
    db,
    rows,
    (r) => r.exDate,
    `INSERT INTO events.dividends AS d (instrument_id, ex_date, record_date, pay_date, declaration_date, amount,
                                        currency, frequency, dividend_type, source)
     SELECT * FROM unnest($1::int[], $2::date[], $3::date[], $4::date[], $5::date[], $6::float8[], $7::text[],
                          $8::int[], $9::text[], $10::text[])
     ON CONFLICT (instrument_id, ex_date) DO UPDATE SET record_date = EXCLUDED.record_date,
       pay_date = EXCLUDED.pay_date, declaration_date = EXCLUDED.declaration_date, amount = EXCLUDED.amount,
       currency = EXCLUDED.currency, frequency = EXCLUDED.frequency, dividend_type = EXCLUDED.dividend_type,
       source = EXCLUDED.source, updated_at = now()
     WHERE (d.record_date, d.pay_date, d.declaration_date, d.amount, d.currency, d.frequency, d.dividend_type)
           IS DISTINCT FROM (EXCLUDED.record_date, EXCLUDED.pay_date, EXCLUDED.declaration_date, EXCLUDED.amount,
                             EXCLUDED.currency, EXCLUDED.frequency, EXCLUDED.dividend_type)`,
    [
      'id',
      'exDate',
      'recordDate',
      'payDate',
      'declarationDate',
      'amount',
      'currency',
      'frequency',
      'dividendType',
      'source',
    ],
  );
}

export function upsertSplits(db: Queryable, rows: readonly Split[]): Promise<EventUpsert> {
  return upsertWith(
    db,
    rows,
    (r) => r.exDate,
    `INSERT INTO events.splits AS s (instrument_id, ex_date, split_from, split_to, source)
     SELECT * FROM unnest($1::int[], $2::date[], $3::float8[], $4::float8[], $5::text[])
     ON CONFLICT (instrument_id, ex_date) DO UPDATE SET split_from = EXCLUDED.split_from,
       split_to = EXCLUDED.split_to, source = EXCLUDED.source, updated_at = now()
     WHERE (s.split_from, s.split_to) IS DISTINCT FROM (EXCLUDED.split_from, EXCLUDED.split_to)`,
    ['id', 'exDate', 'splitFrom', 'splitTo', 'source'],
  );
}

/** Earnings: a later load with the actual keeps an earlier estimate when the new row has none. */
export function upsertEarnings(db: Queryable, rows: readonly Earnings[]): Promise<EventUpsert> {
  return upsertWith(
    db,
    rows,
    (r) => r.reportDate,
    `INSERT INTO events.earnings AS e (instrument_id, report_date, fiscal_period, time_of_day, estimate, actual,
                                       surprise, currency, source)
     SELECT * FROM unnest($1::int[], $2::date[], $3::text[], $4::text[], $5::float8[], $6::float8[],
                          $7::float8[], $8::text[], $9::text[])
     ON CONFLICT (instrument_id, report_date) DO UPDATE SET
       fiscal_period = COALESCE(EXCLUDED.fiscal_period, e.fiscal_period),
       time_of_day = COALESCE(EXCLUDED.time_of_day, e.time_of_day),
       estimate = COALESCE(EXCLUDED.estimate, e.estimate), actual = COALESCE(EXCLUDED.actual, e.actual),
       surprise = COALESCE(EXCLUDED.surprise, e.surprise), currency = COALESCE(EXCLUDED.currency, e.currency),
       source = EXCLUDED.source, updated_at = now()
     WHERE (e.fiscal_period, e.time_of_day, e.estimate, e.actual, e.surprise, e.currency) IS DISTINCT FROM
           (COALESCE(EXCLUDED.fiscal_period, e.fiscal_period), COALESCE(EXCLUDED.time_of_day, e.time_of_day),
            COALESCE(EXCLUDED.estimate, e.estimate), COALESCE(EXCLUDED.actual, e.actual),
            COALESCE(EXCLUDED.surprise, e.surprise), COALESCE(EXCLUDED.currency, e.currency))`,
    ['id', 'reportDate', 'fiscalPeriod', 'timeOfDay', 'estimate', 'actual', 'surprise', 'currency', 'source'],
  );
}

export async function upsertEconomicEvents(
  db: Queryable,
  rows: readonly EconomicEvent[],
): Promise<UpsertCounts> {
  const k = dedupe(rows, (r) => `${r.seriesId}|${r.releaseDate}|${r.period}`);
  if (k.length === 0) return { stored: 0, unchanged: 0 };
  const res = await db.query(
    `INSERT INTO events.economic AS e (series_id, release_date, period, release_name, actual, forecast, previous, source)
     SELECT * FROM unnest($1::text[], $2::date[], $3::date[], $4::text[], $5::float8[], $6::float8[], $7::float8[], $8::text[])
     ON CONFLICT (series_id, release_date, period) DO UPDATE SET release_name = EXCLUDED.release_name,
       actual = EXCLUDED.actual, forecast = EXCLUDED.forecast, previous = EXCLUDED.previous,
       source = EXCLUDED.source, updated_at = now()
     WHERE (e.release_name, e.actual, e.forecast, e.previous) IS DISTINCT FROM
           (EXCLUDED.release_name, EXCLUDED.actual, EXCLUDED.forecast, EXCLUDED.previous)`,
    columns(k, [
      'seriesId',
      'releaseDate',
      'period',
      'releaseName',
      'actual',
      'forecast',
      'previous',
      'source',
    ]),
  );
  return { stored: res.rowCount, unchanged: k.length - res.rowCount };
}

/**
 * Economic events from stored vintages: for each of the latest `limit` periods of a monthly or lower
 * frequency series, its first publication (release date = first realtime_start after the period),
 * the value first published (actual) and the previous period's value as known that day. FRED has no
 * consensus forecasts, so `forecast` stays NULL unless a CSV import supplies it.
 */
export async function deriveEconomicEvents(db: Queryable, seriesId: string, limit = 24): Promise<number> {
  const res = await db.query(
    `INSERT INTO events.economic AS e (series_id, release_date, period, release_name, actual, forecast, previous, source)
     SELECT f.series_id, f.release_date, f.date, rl.name, f.value, NULL, p.value, f.source
       FROM (SELECT DISTINCT ON (o.date) o.series_id, o.date, o.realtime_start AS release_date, o.value, o.source
               FROM economic_data.observations o
              WHERE o.series_id = $1 ORDER BY o.date, o.realtime_start) f
       JOIN economic_data.series s ON s.id = f.series_id
            AND COALESCE(s.frequency, '') NOT ILIKE 'daily%' AND COALESCE(s.frequency, '') NOT ILIKE 'weekly%'
       LEFT JOIN LATERAL (SELECT o.value FROM economic_data.observations o
                           WHERE o.series_id = f.series_id AND o.date < f.date AND o.realtime_start <= f.release_date
                           ORDER BY o.date DESC, o.realtime_start DESC LIMIT 1) p ON true
       LEFT JOIN LATERAL (SELECT r.name FROM economic_data.releases r
                           WHERE r.series_id = f.series_id AND r.release_date = f.release_date LIMIT 1) rl ON true
      WHERE f.release_date > f.date
      ORDER BY f.date DESC LIMIT $2
     ON CONFLICT (series_id, release_date, period) DO UPDATE SET release_name = EXCLUDED.release_name,
       actual = EXCLUDED.actual, previous = EXCLUDED.previous, updated_at = now()
     WHERE (e.release_name, e.actual, e.previous) IS DISTINCT FROM (EXCLUDED.release_name, EXCLUDED.actual, EXCLUDED.previous)`,
    [seriesId, limit],
  );
  return res.rowCount;
}

export interface EventRow {
  type: EventType;
  symbol: string;
  date: string;
  [field: string]: unknown;
}

export interface EventQuery {
  symbol?: string;
  type?: EventType;
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
  /** @defaultValue 500 */
  limit?: number;
}

const D = (c: string) => `to_char(${c}, 'YYYY-MM-DD')`;

/** Events of every (or one) type, newest first. Economic events are matched by series id as the symbol. */
export async function readEvents(db: Queryable, q: EventQuery = {}): Promise<EventRow[]> {
  const params = [q.symbol ?? null, q.from ?? null, q.to ?? null, q.limit ?? 500];
  const range = (col: string) =>
    `($2::date IS NULL OR ${col} >= $2::date) AND ($3::date IS NULL OR ${col} <= $3::date)`;
  const sym = `($1::text IS NULL OR i.symbol = $1)`;
  const queries: Record<EventType, string> = {
    earnings: `SELECT 'earnings' AS type, i.symbol, ${D('e.report_date')} AS date, e.fiscal_period, e.time_of_day,
                      e.estimate, e.actual, e.surprise, e.currency, e.source
                 FROM events.earnings e JOIN market_data.instruments i ON i.id = e.instrument_id
                WHERE ${sym} AND ${range('e.report_date')} ORDER BY e.report_date DESC LIMIT $4`,
    dividend: `SELECT 'dividend' AS type, i.symbol, ${D('d.ex_date')} AS date, ${D('d.ex_date')} AS ex_date,
                      ${D('d.record_date')} AS record_date, ${D('d.pay_date')} AS pay_date,
                      ${D('d.declaration_date')} AS declaration_date, d.amount, d.currency, d.frequency, d.source
                 FROM events.dividends d JOIN market_data.instruments i ON i.id = d.instrument_id
                WHERE ${sym} AND ${range('d.ex_date')} ORDER BY d.ex_date DESC LIMIT $4`,
    split: `SELECT 'split' AS type, i.symbol, ${D('s.ex_date')} AS date, s.split_from, s.split_to,
                   s.split_to / s.split_from AS ratio, s.source
              FROM events.splits s JOIN market_data.instruments i ON i.id = s.instrument_id
             WHERE ${sym} AND ${range('s.ex_date')} ORDER BY s.ex_date DESC LIMIT $4`,
    economic: `SELECT 'economic' AS type, e.series_id AS symbol, ${D('e.release_date')} AS date,
                      ${D('e.period')} AS period, e.release_name, e.actual, e.forecast, e.previous, e.source
                 FROM events.economic e
                WHERE ($1::text IS NULL OR e.series_id = $1) AND ${range('e.release_date')}
                ORDER BY e.release_date DESC, e.period DESC LIMIT $4`,
  };
  const types = q.type ? [q.type] : (['earnings', 'dividend', 'split', 'economic'] as const);
  const out: EventRow[] = [];
  for (const t of types) {
    const res = await db.query<EventRow>(queries[t], params);
    for (const r of res.rows) out.push(numeric(r));
  }
  out.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
  return out.slice(0, q.limit ?? 500);
}

function numeric(r: EventRow): EventRow {
  const out: EventRow = { ...r };
  for (const k of [
    'estimate',
    'actual',
    'surprise',
    'amount',
    'split_from',
    'split_to',
    'ratio',
    'forecast',
    'previous',
    'frequency',
  ]) {
    const v = out[k];
    if (typeof v === 'string') out[k] = Number(v);
  }
  return out;
}

/** Splits and dividends of one instrument, ascending by ex-date (for price adjustment). */
export async function readCorporateActions(
  db: Queryable,
  symbol: string,
): Promise<{ splits: Split[]; dividends: Dividend[] }> {
  const s = await db.query<{ ex_date: string; split_from: number; split_to: number; source: string }>(
    `SELECT ${D('s.ex_date')} AS ex_date, s.split_from, s.split_to, s.source FROM events.splits s
       JOIN market_data.instruments i ON i.id = s.instrument_id WHERE i.symbol = $1 ORDER BY s.ex_date`,
    [symbol],
  );
  const d = await db.query<{ ex_date: string; amount: number; currency: string | null; source: string }>(
    `SELECT ${D('d.ex_date')} AS ex_date, d.amount, d.currency, d.source FROM events.dividends d
       JOIN market_data.instruments i ON i.id = d.instrument_id WHERE i.symbol = $1 ORDER BY d.ex_date`,
    [symbol],
  );
  return {
    splits: s.rows.map((r) => ({
      symbol,
      exDate: r.ex_date,
      splitFrom: Number(r.split_from),
      splitTo: Number(r.split_to),
      source: r.source,
    })),
    dividends: d.rows.map((r) => ({
      symbol,
      exDate: r.ex_date,
      recordDate: null,
      payDate: null,
      declarationDate: null,
      amount: Number(r.amount),
      currency: r.currency,
      frequency: null,
      dividendType: null,
      source: r.source,
    })),
  };
}
