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

/** A column and the SQL expression (on the dataset's aliases) that reads it, unconverted. */
interface SqlColumn extends ExportColumn {
  expr: string;
}

interface DatasetSql {
  columns: SqlColumn[];
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
  /** The symbols a filter may name (one column): any other is an error, not an empty file. */
  knownSymbols?: string;
}

const ms = (expr: string) => `(extract(epoch from ${expr}) * 1000)::float8`;
const days = (expr: string) => `(${expr} - date '1970-01-01')`;

/** The value as the page reader wants it: timestamps as ms numbers, dates as day numbers. */
function valueSql(c: SqlColumn): string {
  if (c.kind === 'timestamp') return ms(c.expr);
  if (c.kind === 'date') return days(c.expr);
  return c.expr;
}

/** The value as CSV text, formatted by the server: ISO-8601 UTC with milliseconds, `YYYY-MM-DD` dates. */
function csvSql(c: SqlColumn): string {
  if (c.kind === 'timestamp') return `to_char(${c.expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  if (c.kind === 'date') return `to_char(${c.expr}, 'YYYY-MM-DD')`;
  return c.expr;
}

const DATASETS: Record<ExportDataset, DatasetSql> = {
  bars: {
    columns: [
      { name: 'symbol', kind: 'symbol', expr: 'i.symbol' },
      { name: 'interval', kind: 'symbol', expr: 'b.interval' },
      { name: 'ts', kind: 'timestamp', expr: 'b.ts' },
      { name: 'open', kind: 'float', expr: 'b.open' },
      { name: 'high', kind: 'float', expr: 'b.high' },
      { name: 'low', kind: 'float', expr: 'b.low' },
      { name: 'close', kind: 'float', expr: 'b.close' },
      { name: 'volume', kind: 'float', expr: 'b.volume' },
      { name: 'source', kind: 'symbol', expr: 'b.source' },
    ],
    knownSymbols: 'SELECT symbol FROM market_data.instruments',
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
      { name: 'symbol', kind: 'symbol', expr: 'i.symbol' },
      { name: 'ts', kind: 'timestamp', expr: 'p.ts' },
      { name: 'price', kind: 'float', expr: 'p.price' },
      { name: 'volume', kind: 'float', expr: 'p.volume' },
      { name: 'market_cap', kind: 'float', expr: 'p.market_cap' },
      { name: 'source', kind: 'symbol', expr: 'p.source' },
    ],
    knownSymbols: 'SELECT symbol FROM market_data.instruments',
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
      { name: 'series_id', kind: 'symbol', expr: 'o.series_id' },
      { name: 'date', kind: 'date', expr: 'o.date' },
      { name: 'realtime_start', kind: 'date', expr: 'o.realtime_start' },
      { name: 'realtime_end', kind: 'date', expr: 'o.realtime_end' },
      { name: 'value', kind: 'float', expr: 'o.value' },
      { name: 'source', kind: 'symbol', expr: 'o.source' },
    ],
    knownSymbols:
      'SELECT id FROM economic_data.series UNION SELECT series_id FROM economic_data.observations',
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
      { name: 'id', kind: 'int', expr: 'a.id' },
      { name: 'published_at', kind: 'timestamp', expr: 'a.published_at' },
      { name: 'source', kind: 'symbol', expr: 'a.source' },
      { name: 'provider', kind: 'symbol', expr: 'a.provider' },
      { name: 'title', kind: 'text', expr: 'a.title' },
      { name: 'url', kind: 'text', expr: 'a.url' },
      { name: 'description', kind: 'text', expr: 'a.description' },
      { name: 'author', kind: 'text', expr: 'a.author' },
      { name: 'language', kind: 'symbol', expr: 'a.language' },
    ],
    from: 'news.articles a',
    key: [{ expr: 'a.id', cast: 'int8' }],
    timeExpr: 'a.published_at',
  },
  correlations: {
    columns: [
      { name: 'asset_1', kind: 'symbol', expr: 'c.asset_1::text' },
      { name: 'asset_2', kind: 'symbol', expr: 'c.asset_2::text' },
      { name: 'window_days', kind: 'int', expr: 'c.window_days' },
      { name: 'correlation', kind: 'float', expr: 'c.correlation' },
      { name: 'data_points', kind: 'int', expr: 'c.data_points' },
      { name: 'risk_level', kind: 'symbol', expr: 'c.risk_level' },
      { name: 'as_of', kind: 'timestamp', expr: 'c.as_of' },
    ],
    knownSymbols: 'SELECT symbol FROM market_data.instruments',
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
      { name: 'id', kind: 'int', expr: 'd.id' },
      { name: 'asset', kind: 'symbol', expr: 'd.asset' },
      { name: 'start_time', kind: 'timestamp', expr: 'd.start_time' },
      { name: 'end_time', kind: 'timestamp', expr: 'd.end_time' },
      { name: 'min_price', kind: 'float', expr: 'd.min_price' },
      { name: 'min_price_at', kind: 'timestamp', expr: 'd.min_price_at' },
      { name: 'duration_seconds', kind: 'float', expr: 'd.duration_seconds' },
      { name: 'recovery_time_seconds', kind: 'float', expr: 'd.recovery_time_seconds' },
      { name: 'severity_score', kind: 'float', expr: 'd.severity_score' },
      { name: 'peg', kind: 'float', expr: 'd.peg' },
      { name: 'threshold', kind: 'float', expr: 'd.threshold' },
      { name: 'source', kind: 'symbol', expr: 'd.source' },
    ],
    knownSymbols: 'SELECT symbol FROM market_data.instruments UNION SELECT asset FROM derived.depeg_events',
    from: 'derived.depeg_events d',
    key: [{ expr: 'd.id', cast: 'int8' }],
    symbolWhere: (p) => `d.asset = ANY(${p}::text[])`,
    timeExpr: 'd.start_time',
  },
  quarantine: {
    columns: [
      { name: 'id', kind: 'int', expr: 'q.id' },
      { name: 'created_at', kind: 'timestamp', expr: 'q.created_at' },
      { name: 'symbol', kind: 'symbol', expr: 'q.symbol' },
      { name: 'interval', kind: 'symbol', expr: 'q.interval' },
      { name: 'source', kind: 'symbol', expr: 'q.source' },
      { name: 'rule', kind: 'symbol', expr: 'q.rule' },
      { name: 'reason', kind: 'text', expr: 'q.reason' },
      { name: 'ts', kind: 'timestamp', expr: 'q.ts' },
      { name: 'released_at', kind: 'timestamp', expr: 'q.released_at' },
      { name: 'raw', kind: 'json', expr: 'q.raw::text' },
    ],
    knownSymbols: 'SELECT symbol FROM market_data.instruments UNION SELECT symbol FROM ops.quarantine',
    from: 'ops.quarantine q',
    key: [{ expr: 'q.id', cast: 'int8' }],
    symbolWhere: (p) => `q.symbol = ANY(${p}::text[])`,
    timeExpr: 'q.created_at',
    intervalExpr: 'q.interval',
  },
  orders: {
    columns: [
      { name: 'id', kind: 'int', expr: 'o.id' },
      { name: 'client_order_id', kind: 'text', expr: 'o.client_order_id' },
      { name: 'broker', kind: 'symbol', expr: 'o.broker' },
      { name: 'strategy', kind: 'symbol', expr: 'o.strategy' },
      { name: 'symbol', kind: 'symbol', expr: 'o.symbol' },
      { name: 'side', kind: 'symbol', expr: 'o.side' },
      { name: 'type', kind: 'symbol', expr: 'o.type' },
      { name: 'qty', kind: 'float', expr: 'o.qty' },
      { name: 'limit_price', kind: 'float', expr: 'o.limit_price' },
      { name: 'status', kind: 'symbol', expr: 'o.status' },
      { name: 'filled_qty', kind: 'float', expr: 'o.filled_qty' },
      { name: 'avg_price', kind: 'float', expr: 'o.avg_price' },
      { name: 'reason', kind: 'text', expr: 'o.reason' },
      { name: 'created_at', kind: 'timestamp', expr: 'o.created_at' },
      { name: 'updated_at', kind: 'timestamp', expr: 'o.updated_at' },
    ],
    knownSymbols: 'SELECT symbol FROM market_data.instruments UNION SELECT symbol FROM execution.orders',
    from: 'execution.orders o',
    key: [{ expr: 'o.id', cast: 'int8' }],
    symbolWhere: (p) => `o.symbol = ANY(${p}::text[])`,
    timeExpr: 'o.created_at',
  },
};

/**
 * The filter's symbols this store has never heard of (not an instrument, FRED series, or a symbol of the
 * dataset's own rows), in the order given. A known symbol with no rows in range is not among them: its
 * export is simply empty.
 */
export async function unknownExportSymbols(
  db: Queryable,
  dataset: ExportDataset,
  symbols: readonly string[],
): Promise<string[]> {
  const known = DATASETS[dataset].knownSymbols;
  if (!known || symbols.length === 0) return [];
  const res = await db.query<{ s: string }>(
    `SELECT s FROM unnest($1::text[]) WITH ORDINALITY AS u(s, n)
      WHERE NOT EXISTS (SELECT 1 FROM (${known}) k(v) WHERE k.v = u.s) ORDER BY n`,
    [symbols],
  );
  return res.rows.map((r) => r.s);
}

export function exportColumns(dataset: ExportDataset): readonly ExportColumn[] {
  return DATASETS[dataset].columns.map(({ name, kind }) => ({ name, kind }));
}

/** The filter as WHERE conditions on the base table, with `param` turning each value into SQL. */
function filterConds(d: DatasetSql, filter: ExportFilter, param: (v: unknown) => string): string[] {
  const where: string[] = [];
  if (filter.symbols?.length && d.symbolWhere) where.push(d.symbolWhere(param(filter.symbols)));
  if (filter.from !== undefined && d.timeExpr) where.push(`${d.timeExpr} >= ${param(new Date(filter.from))}`);
  if (filter.to !== undefined && d.timeExpr) where.push(`${d.timeExpr} < ${param(new Date(filter.to))}`);
  if (filter.interval && d.intervalExpr) where.push(`${d.intervalExpr} = ${param(filter.interval)}`);
  return where;
}

/** A string as an SQL literal whatever `standard_conforming_strings` is (`E'…'`, quotes and backslashes doubled). */
function literal(text: string): string {
  return `E'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** A filter value inlined as SQL (COPY takes no bind parameters): text, `text[]` or an ISO timestamptz. */
function inline(v: unknown): string {
  if (v instanceof Date) return `${literal(v.toISOString())}::timestamptz`;
  if (Array.isArray(v)) return `ARRAY[${v.map((x) => literal(String(x))).join(', ')}]::text[]`;
  return literal(String(v));
}

/**
 * `COPY (SELECT … ORDER BY key) TO STDOUT (FORMAT csv, HEADER)` for `dataset`: the whole filtered table as
 * CSV formatted by the server (the same columns, order and text as the page reader's CSV, timestamps
 * ISO-8601 UTC), for drivers that stream COPY output. Filter values are inlined as escaped literals.
 */
export function exportCopySql(dataset: ExportDataset, filter: ExportFilter = {}): string {
  const d = DATASETS[dataset];
  const where = filterConds(d, filter, inline);
  const select = d.columns.map((c) => `${csvSql(c)} AS ${c.name}`).join(', ');
  const keyList = d.key.map((k) => k.expr).join(', ');
  return `COPY (SELECT ${select} FROM ${d.from} ${d.join ?? ''}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${keyList}) TO STDOUT (FORMAT csv, HEADER)`;
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
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = filterConds(d, filter, param);
  const select = d.columns.map((c) => `${valueSql(c)} AS ${c.name}`).join(', ');
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
    const sql = `SELECT ${select}, ${keyText} FROM (${page}) ${alias} ${d.join ?? ''} ORDER BY ${keyList}`;
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
