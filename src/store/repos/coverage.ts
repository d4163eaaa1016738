import { NotFoundError } from '../../core/errors.ts';
import { toIso } from '../../core/time.ts';
import { type AssetClass, INTERVAL_MS, INTERVALS, type Interval, type TimeRange } from '../../core/types.ts';
import type { Queryable } from '../db.ts';
import { expectedBarCount, expectedBarTimes } from './expected-grid.ts';
import { rangeParams } from './lookup.ts';

/**
 * What is stored for one instrument and interval (`price` = point prices). `gaps` counts expected bars
 * missing between `first` and `last` (see expected-grid.ts for what is expected; point prices have no grid,
 * so 0). `freshness_seconds` is the age of `last` at `now`. An instrument with nothing stored appears once
 * with `count` 0 and nulls.
 */
export interface CoverageRow {
  symbol: string;
  interval: Interval | 'price';
  first: string | null;
  last: string | null;
  count: number;
  gaps: number;
  freshness_seconds: number | null;
}

interface SpanRow {
  symbol: string;
  asset_class: AssetClass;
  interval: Interval | 'price' | null;
  first: number | null;
  last: number | null;
  n: number;
}

const ORDER: ReadonlyArray<Interval | 'price'> = [...INTERVALS, 'price'];

/**
 * Coverage per instrument and interval, ordered by symbol then interval. With `interval`, only that
 * interval's rows (an instrument without such bars gets a zero row); without, every interval stored plus
 * `price`. Counting is one grouped scan; gaps are computed from first/last/count, so a bar lying off the
 * expected grid (e.g. on a holiday) offsets one missing bar — `findGaps` lists them exactly.
 */
export async function coverage(
  db: Queryable,
  opts: { symbols?: readonly string[]; interval?: Interval; now?: number } = {},
): Promise<CoverageRow[]> {
  const now = opts.now ?? Date.now();
  const params: unknown[] = [];
  const filters: string[] = [];
  if (opts.symbols !== undefined) {
    params.push([...opts.symbols]);
    filters.push(`i.symbol = ANY($${params.length}::text[])`);
  }
  let barFilter = '';
  if (opts.interval !== undefined) {
    params.push(opts.interval);
    barFilter = `AND b.interval = $${params.length}`;
  }
  const where = filters.length > 0 ? `WHERE ${filters.join(' AND ')}` : '';
  const prices =
    opts.interval === undefined
      ? `UNION ALL
         SELECT p.instrument_id, 'price', min(p.ts), max(p.ts), count(*) FROM market_data.prices p GROUP BY 1`
      : '';
  const res = await db.query<SpanRow>(
    `WITH spans AS (
       SELECT b.instrument_id, b.interval, min(b.ts) AS first, max(b.ts) AS last, count(*) AS n
         FROM market_data.bars b WHERE true ${barFilter} GROUP BY 1, 2
       ${prices})
     SELECT i.symbol, i.asset_class, s.interval,
            (extract(epoch FROM s.first) * 1000)::float8 AS first,
            (extract(epoch FROM s.last) * 1000)::float8 AS last, COALESCE(s.n, 0)::float8 AS n
       FROM market_data.instruments i LEFT JOIN spans s ON s.instrument_id = i.id
       ${where}
      ORDER BY i.symbol`,
    params,
  );
  const rows: CoverageRow[] = res.rows.map((r) => {
    const interval = r.interval ?? opts.interval ?? '1d';
    if (r.first === null || r.last === null) {
      return {
        symbol: r.symbol,
        interval,
        first: null,
        last: null,
        count: 0,
        gaps: 0,
        freshness_seconds: null,
      };
    }
    const first = Number(r.first);
    const last = Number(r.last);
    const count = Number(r.n);
    const gaps =
      interval === 'price'
        ? 0
        : Math.max(
            0,
            expectedBarCount(r.asset_class, interval, { from: first, to: last + INTERVAL_MS[interval] }) -
              count,
          );
    return {
      symbol: r.symbol,
      interval,
      first: toIso(first),
      last: toIso(last),
      count,
      gaps,
      freshness_seconds: Math.round((now - last) / 1000),
    };
  });
  rows.sort((a, b) =>
    a.symbol === b.symbol
      ? ORDER.indexOf(a.interval) - ORDER.indexOf(b.interval)
      : a.symbol < b.symbol
        ? -1
        : 1,
  );
  return rows;
}

/**
 * Runs of expected bars missing from a series, inside the stored span (`range`, when given, narrows it;
 * missing history before the first or after the last stored bar is the watermark's business, not a gap).
 * Each run is [from, to): `from` is the first missing bar's open time, `to` the end of the last missing bar.
 */
export async function findGaps(
  db: Queryable,
  symbol: string,
  interval: Interval,
  range?: TimeRange,
): Promise<Array<{ from: string; to: string; missing: number }>> {
  const inst = await db.query<{ id: number; asset_class: AssetClass }>(
    'SELECT id, asset_class FROM market_data.instruments WHERE symbol = $1',
    [symbol],
  );
  const row = inst.rows[0];
  if (!row) throw new NotFoundError(`unknown instrument "${symbol}" (see marketpipe instruments list)`);
  const id = Number(row.id);
  const assetClass = row.asset_class;
  const bounds = rangeParams(range ?? { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY });
  const res = await db.query<{ ts: number }>(
    `SELECT (extract(epoch FROM ts) * 1000)::float8 AS ts FROM market_data.bars
      WHERE instrument_id = $1 AND interval = $2 AND ts >= $3::timestamptz AND ts < $4::timestamptz ORDER BY ts`,
    [id, interval, ...bounds],
  );
  const first = res.rows[0];
  const last = res.rows.at(-1);
  if (!first || !last) return [];
  const step = INTERVAL_MS[interval];
  const have = new Set(res.rows.map((r) => Number(r.ts)));
  const expected = expectedBarTimes(assetClass, interval, {
    from: Number(first.ts),
    to: Number(last.ts) + step,
  });
  const gaps: Array<{ from: string; to: string; missing: number }> = [];
  let runStart = -1;
  let runLast = -1;
  let missing = 0;
  const flush = (): void => {
    if (missing > 0) gaps.push({ from: toIso(runStart), to: toIso(runLast + step), missing });
    missing = 0;
  };
  for (const t of expected) {
    if (have.has(t)) {
      flush();
      continue;
    }
    if (missing === 0) runStart = t;
    runLast = t;
    missing++;
  }
  flush();
  return gaps;
}
