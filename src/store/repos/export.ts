import type { Queryable } from '../db.ts';

/**
 * Tables users can download (`marketpipe export`, `GET /api/export/:dataset`), read in bounded memory:
 * keyset pages (`WHERE (key…) > (last key…) ORDER BY key… LIMIT n`) walk the primary-key index, so each
 * page costs the same however deep into the table it is — unlike OFFSET — and both drivers (PGlite has no
 * server-side cursors over the socket) read them the same way.
 */
export const EXPORT_DATASETS = [
  'bars',
  'prices',
  'economic',
  'news',
  'correlations',
  'depegs',
  'quarantine',
  'orders',
] as const;
export type ExportDataset = (typeof EXPORT_DATASETS)[number];

/**
 * How a column is written: `timestamp` (ms since the epoch, UTC), `date` (days since 1970-01-01), `float`
 * (float8), `int` (integer counts and ids), `symbol` (short repeated text: dictionary-encoded in Parquet),
 * `text`, `json` (text holding JSON).
 */
export type ExportColumnKind = 'timestamp' | 'date' | 'float' | 'int' | 'symbol' | 'text' | 'json';

export interface ExportColumn {
  name: string;
  kind: ExportColumnKind;
}

export interface ExportFilter {
  /** Only these instruments / series / assets (upper-case symbols as users say them). */
  symbols?: readonly string[];
  /** Inclusive lower bound on the dataset's time column, ms UTC. */
  from?: number;
  /** Exclusive upper bound on the dataset's time column, ms UTC. */
  to?: number;
  /** Bars only: this interval. */
  interval?: string;
}

/** One output value: a number, a string or null (timestamps as ms numbers, dates as day numbers). */
export type ExportValue = number | string | null;
export type ExportRow = ExportValue[];

interface DatasetSql {
  columns: ExportColumn[];
  /** SELECT list producing `columns` in order, each aliased by its name. */
  select: string;
  /** The table walked by key, with its alias (`market_data.bars b`). */
  from: string;
  /** Lookups joined to each page after it is cut (never before: a join would sort the whole table). */
  join?: string;
  /** Keyset: SQL expressions, unique together, in index order; read back as text to keep full precision. */
  key: { expr: string; cast: string }[];
  /** Filter on the base table for a `text[]` parameter of symbols (absent: the filter does not apply). */
  symbolWhere?: (param: string) => string;
  timeExpr?: string;
  intervalExpr?: string;
}

const ms = (expr: string) => `(extract(epoch from ${expr}) * 1000)::float8`;
const days = (expr: string) => `(${expr} - date '1970-01-01')`;

const DATASETS: Record<ExportDataset, DatasetSql> = {
  bars: {
    columns: [
      { name: 'symbol', kind: 'symbol' },
      { name: 'interval', kind: 'symbol' },
      { name: 'ts', kind: 'timestamp' },
      { name: 'open', kind: 'float' },
      { name: 'high', kind: 'float' },
      { name: 'low', kind: 'float' },
      { name: 'close', kind: 'float' },
      { name: 'volume', kind: 'float' },
      { name: 'source', kind: 'symbol' },
    ],
    select: `i.symbol AS symbol, b.interval AS interval, ${ms('b.ts')} AS ts, b.open, b.high, b.low, b.close, b.volume, b.source`,
    from: 'market_data.bars b',
    join: 'JOIN market_data.instruments i ON i.id = b.instrument_id',
    key: [
      { expr: 'b.instrument_id', cast: 'int4' },
      { expr: 'b.interval', cast: 'text' },
      { expr: 'b.ts', cast: 'timestamptz' },
    ],
    symbolWhere: (p) =>
      `b.instrument_id IN (SELECT id FROM market_data.instruments WHERE symbol = ANY(${p}::text[]))`,
    timeExpr: 'b.ts',
    intervalExpr: 'b.interval',
  },
  prices: {
    columns: [
      { name: 'symbol', kind: 'symbol' },
      { name: 'ts', kind: 'timestamp' },
      { name: 'price', kind: 'float' },
      { name: 'volume', kind: 'float' },
      { name: 'market_cap', kind: 'float' },
      { name: 'source', kind: 'symbol' },
    ],
    select: `i.symbol AS symbol, ${ms('p.ts')} AS ts, p.price, p.volume, p.market_cap, p.source`,
    from: 'market_data.prices p',
    join: 'JOIN market_data.instruments i ON i.id = p.instrument_id',
    key: [
      { expr: 'p.instrument_id', cast: 'int4' },
      { expr: 'p.ts', cast: 'timestamptz' },
    ],
    symbolWhere: (p) =>
      `p.instrument_id IN (SELECT id FROM market_data.instruments WHERE symbol = ANY(${p}::text[]))`,
    timeExpr: 'p.ts',
  },
  economic: {
    columns: [
      { name: 'series_id', kind: 'symbol' },
      { name: 'date', kind: 'date' },
      { name: 'realtime_start', kind: 'date' },
      { name: 'realtime_end', kind: 'date' },
      { name: 'value', kind: 'float' },
      { name: 'source', kind: 'symbol' },
    ],
    select: `o.series_id AS series_id, ${days('o.date')} AS date, ${days('o.realtime_start')} AS realtime_start, ${days('o.realtime_end')} AS realtime_end, o.value, o.source`,
    from: 'economic_data.observations o',
    key: [
      { expr: 'o.series_id', cast: 'text' },
      { expr: 'o.date', cast: 'date' },
      { expr: 'o.realtime_start', cast: 'date' },
    ],
    symbolWhere: (p) => `o.series_id = ANY(${p}::text[])`,
    timeExpr: 'o.date',
  },
  news: {
    columns: [
      { name: 'id', kind: 'int' },
      { name: 'published_at', kind: 'timestamp' },
      { name: 'source', kind: 'symbol' },
      { name: 'provider', kind: 'symbol' },
      { name: 'title', kind: 'text' },
      { name: 'url', kind: 'text' },
      { name: 'description', kind: 'text' },
      { name: 'author', kind: 'text' },
      { name: 'language', kind: 'symbol' },
    ],
    select: `a.id, ${ms('a.published_at')} AS published_at, a.source, a.provider, a.title, a.url, a.description, a.author, a.language`,
    from: 'news.articles a',
    key: [{ expr: 'a.id', cast: 'int8' }],
    timeExpr: 'a.published_at',
  },
  correlations: {
    columns: [
      { name: 'asset_1', kind: 'symbol' },
      { name: 'asset_2', kind: 'symbol' },
      { name: 'window_days', kind: 'int' },
      { name: 'correlation', kind: 'float' },
      { name: 'data_points', kind: 'int' },
      { name: 'risk_level', kind: 'symbol' },
      { name: 'as_of', kind: 'timestamp' },
    ],
    select: `c.asset_1::text AS asset_1, c.asset_2::text AS asset_2, c.window_days, c.correlation, c.data_points, c.risk_level, ${ms('c.as_of')} AS as_of`,
    from: 'derived.asset_correlations c',
    key: [
      { expr: 'c.asset_1', cast: 'text' },
      { expr: 'c.asset_2', cast: 'text' },
      { expr: 'c.window_days', cast: 'int4' },
    ],
    symbolWhere: (p) => `(c.asset_1 = ANY(${p}::text[]) OR c.asset_2 = ANY(${p}::text[]))`,
    timeExpr: 'c.as_of',
  },
  depegs: {
    columns: [
      { name: 'id', kind: 'int' },
      { name: 'asset', kind: 'symbol' },
      { name: 'start_time', kind: 'timestamp' },
      { name: 'end_time', kind: 'timestamp' },
      { name: 'min_price', kind: 'float' },
      { name: 'min_price_at', kind: 'timestamp' },
      { name: 'duration_seconds', kind: 'float' },
      { name: 'recovery_time_seconds', kind: 'float' },
      { name: 'severity_score', kind: 'float' },
      { name: 'peg', kind: 'float' },
      { name: 'threshold', kind: 'float' },
      { name: 'source', kind: 'symbol' },
    ],
    select: `d.id, d.asset, ${ms('d.start_time')} AS start_time, ${ms('d.end_time')} AS end_time, d.min_price, ${ms('d.min_price_at')} AS min_price_at, d.duration_seconds, d.recovery_time_seconds, d.severity_score, d.peg, d.threshold, d.source`,
    from: 'derived.depeg_events d',
    key: [{ expr: 'd.id', cast: 'int8' }],
    symbolWhere: (p) => `d.asset = ANY(${p}::text[])`,
    timeExpr: 'd.start_time',
  },
  quarantine: {
    columns: [
      { name: 'id', kind: 'int' },
      { name: 'created_at', kind: 'timestamp' },
      { name: 'symbol', kind: 'symbol' },
      { name: 'interval', kind: 'symbol' },
      { name: 'source', kind: 'symbol' },
      { name: 'rule', kind: 'symbol' },
      { name: 'reason', kind: 'text' },
      { name: 'ts', kind: 'timestamp' },
      { name: 'released_at', kind: 'timestamp' },
      { name: 'raw', kind: 'json' },
    ],
    select: `q.id, ${ms('q.created_at')} AS created_at, q.symbol, q.interval, q.source, q.rule, q.reason, ${ms('q.ts')} AS ts, ${ms('q.released_at')} AS released_at, q.raw::text AS raw`,
    from: 'ops.quarantine q',
    key: [{ expr: 'q.id', cast: 'int8' }],
    symbolWhere: (p) => `q.symbol = ANY(${p}::text[])`,
    timeExpr: 'q.created_at',
    intervalExpr: 'q.interval',
  },
  orders: {
    columns: [
      { name: 'id', kind: 'int' },
      { name: 'client_order_id', kind: 'text' },
      { name: 'broker', kind: 'symbol' },
      { name: 'strategy', kind: 'symbol' },
      { name: 'symbol', kind: 'symbol' },
      { name: 'side', kind: 'symbol' },
      { name: 'type', kind: 'symbol' },
      { name: 'qty', kind: 'float' },
      { name: 'limit_price', kind: 'float' },
      { name: 'status', kind: 'symbol' },
      { name: 'filled_qty', kind: 'float' },
      { name: 'avg_price', kind: 'float' },
      { name: 'reason', kind: 'text' },
      { name: 'created_at', kind: 'timestamp' },
      { name: 'updated_at', kind: 'timestamp' },
    ],
    select: `o.id, o.client_order_id, o.broker, o.strategy, o.symbol, o.side, o.type, o.qty, o.limit_price, o.status, o.filled_qty, o.avg_price, o.reason, ${ms('o.created_at')} AS created_at, ${ms('o.updated_at')} AS updated_at`,
    from: 'execution.orders o',
    key: [{ expr: 'o.id', cast: 'int8' }],
    symbolWhere: (p) => `o.symbol = ANY(${p}::text[])`,
    timeExpr: 'o.created_at',
  },
};

export function exportColumns(dataset: ExportDataset): readonly ExportColumn[] {
  return DATASETS[dataset].columns;
}

/** Rows per keyset page. @defaultValue 5000 */
const EXPORT_PAGE_ROWS = 5_000;

/**
 * Reads `dataset` page by page in key order, filtered; yields arrays of rows (values in `exportColumns`
 * order). At most one page is held at a time.
 */
export async function* readExportPages(
  db: Queryable,
  dataset: ExportDataset,
  filter: ExportFilter = {},
  pageRows = EXPORT_PAGE_ROWS,
): AsyncGenerator<ExportRow[]> {
  const d = DATASETS[dataset];
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (filter.symbols?.length && d.symbolWhere) where.push(d.symbolWhere(param(filter.symbols)));
  if (filter.from !== undefined && d.timeExpr) where.push(`${d.timeExpr} >= ${param(new Date(filter.from))}`);
  if (filter.to !== undefined && d.timeExpr) where.push(`${d.timeExpr} < ${param(new Date(filter.to))}`);
  if (filter.interval && d.intervalExpr) where.push(`${d.intervalExpr} = ${param(filter.interval)}`);
  const fixed = params.length;
  const keyList = d.key.map((k) => k.expr).join(', ');
  const keyText = d.key.map((k, i) => `${k.expr}::text AS _k${i}`).join(', ');
  const alias = d.from.split(' ').at(-1) ?? '';
  const names = d.columns.map((c) => c.name);
  let after: string[] | null = null;
  for (;;) {
    params.length = fixed;
    const conds = [...where];
    if (after) {
      const placeholders = after.map((v, i) => `${param(v)}::${d.key[i]?.cast ?? 'text'}`);
      conds.push(`(${keyList}) > (${placeholders.join(', ')})`);
    }
    const limit = Math.max(1, Math.floor(pageRows));
    const page = `SELECT * FROM ${d.from}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''} ORDER BY ${keyList} LIMIT ${limit}`;
    const sql = `SELECT ${d.select}, ${keyText} FROM (${page}) ${alias} ${d.join ?? ''} ORDER BY ${keyList}`;
    const res = await db.query<Record<string, unknown>>(sql, params);
    if (res.rows.length === 0) return;
    const rows: ExportRow[] = new Array(res.rows.length);
    for (let r = 0; r < res.rows.length; r++) {
      const row = res.rows[r] as Record<string, unknown>;
      const out: ExportValue[] = new Array(names.length);
      for (let c = 0; c < names.length; c++) out[c] = toValue(row[names[c] as string]);
      rows[r] = out;
    }
    yield rows;
    if (res.rows.length < pageRows) return;
    const last = res.rows[res.rows.length - 1] as Record<string, unknown>;
    after = d.key.map((_, i) => String(last[`_k${i}`]));
  }
}

function toValue(v: unknown): ExportValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  return JSON.stringify(v);
}
