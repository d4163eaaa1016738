import { ValidationError } from '../../core/errors.ts';
import { toIso } from '../../core/time.ts';
import type { PricePoint, TimeRange } from '../../core/types.ts';
import type { Db, Queryable } from '../db.ts';
import { type BulkSpec, bulkUpsert, type UpsertOptions, type UpsertResult } from './bulk.ts';
import { instrumentId, rangeParams } from './lookup.ts';

function finiteOrNull(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'number' && Number.isFinite(value));
}

/** The latest time a JavaScript Date can hold (year 275760), in epoch ms. */
const MAX_TS = 8.64e15;

const PRICE_SPEC: BulkSpec<PricePoint> = {
  stageColumns: `ord bigint, instrument_id int, ts bigint, price float8, volume float8, market_cap float8,
    source text, quality_score real, is_outlier boolean`,
  copyColumns: [
    'ord',
    'instrument_id',
    'ts',
    'price',
    'volume',
    'market_cap',
    'source',
    'quality_score',
    'is_outlier',
  ],
  check(p) {
    if (!Number.isInteger(p.ts) || Math.abs(p.ts) > MAX_TS)
      throw new ValidationError(`price of ${p.symbol}: bad time ${String(p.ts)}`);
    if (typeof p.price !== 'number' || !Number.isFinite(p.price)) {
      throw new ValidationError(`price of ${p.symbol} at ${toIso(p.ts)}: price must be a number`);
    }
    if (!finiteOrNull(p.volume) || !finiteOrNull(p.marketCap)) {
      throw new ValidationError(`price of ${p.symbol} at ${toIso(p.ts)}: volume/market cap must be numbers`);
    }
    if (typeof p.source !== 'string' || p.source === '') {
      throw new ValidationError(`price of ${p.symbol} at ${toIso(p.ts)}: source is required`);
    }
    return p.symbol;
  },
  toRow(p, ord, ids) {
    return [
      ord,
      ids.get(p.symbol),
      p.ts,
      p.price,
      p.volume ?? null,
      p.marketCap ?? null,
      p.source,
      p.qualityScore ?? 1,
      p.isOutlier ?? false,
    ];
  },
  direct: {
    table: 'market_data.prices',
    columns: [
      'instrument_id',
      'ts',
      'price',
      'volume',
      'market_cap',
      'source',
      'quality_score',
      'is_outlier',
    ],
    toRow(p, ids) {
      return [
        ids.get(p.symbol),
        new Date(p.ts),
        p.price,
        p.volume ?? null,
        p.marketCap ?? null,
        p.source,
        p.qualityScore ?? 1,
        p.isOutlier ?? false,
      ];
    },
    overlapQuery(rows, ids) {
      const spans = new Map<string, { id: number; lo: number; hi: number }>();
      for (const p of rows) {
        const span = spans.get(p.symbol);
        if (span) {
          if (p.ts < span.lo) span.lo = p.ts;
          if (p.ts > span.hi) span.hi = p.ts;
        } else spans.set(p.symbol, { id: ids.get(p.symbol), lo: p.ts, hi: p.ts });
      }
      const list = [...spans.values()];
      return {
        sql: `SELECT EXISTS (
                SELECT 1 FROM unnest($1::int[], $2::float8[], $3::float8[]) AS r(id, lo, hi)
                 WHERE EXISTS (SELECT 1 FROM market_data.prices p
                                WHERE p.instrument_id = r.id
                                  AND p.ts BETWEEN to_timestamp(r.lo / 1000) AND to_timestamp(r.hi / 1000))
              ) AS overlaps`,
        params: [list.map((x) => x.id), list.map((x) => x.lo), list.map((x) => x.hi)],
      };
    },
  },
  repeatTracker() {
    const last = new Map<string, number>();
    return (p) => {
      const prev = last.get(p.symbol);
      last.set(p.symbol, p.ts);
      return prev !== undefined && p.ts <= prev;
    };
  },
  mergeSql(stage, dedupe) {
    return `INSERT INTO market_data.prices AS p
             (instrument_id, ts, price, volume, market_cap, source, quality_score, is_outlier)
      SELECT ${dedupe ? 'DISTINCT ON (s.instrument_id, s.ts)' : ''}
             s.instrument_id, to_timestamp(s.ts::float8 / 1000), s.price, s.volume, s.market_cap, s.source,
             s.quality_score, s.is_outlier
        FROM ${stage} s
       ${dedupe ? 'ORDER BY s.instrument_id, s.ts, s.ord DESC' : ''}
      ON CONFLICT (instrument_id, ts) DO UPDATE SET
             price = EXCLUDED.price, volume = EXCLUDED.volume, market_cap = EXCLUDED.market_cap,
             source = EXCLUDED.source, quality_score = EXCLUDED.quality_score, is_outlier = EXCLUDED.is_outlier,
             ingested_at = now()
       WHERE (p.price, p.volume, p.market_cap) IS DISTINCT FROM (EXCLUDED.price, EXCLUDED.volume, EXCLUDED.market_cap)`;
  },
};

/** Idempotent bulk upsert of point prices; same contract as `upsertBars` (key: symbol + ts). */
export function upsertPrices(
  db: Db,
  rows: Iterable<PricePoint> | AsyncIterable<PricePoint>,
  opts: UpsertOptions = {},
): Promise<UpsertResult> {
  return bulkUpsert(db, rows, PRICE_SPEC, opts);
}

interface PriceDbRow {
  symbol: string;
  ts: number;
  price: number;
  volume: number | null;
  market_cap: number | null;
  source: string;
  quality_score: number;
  is_outlier: boolean;
}

function toPoint(r: PriceDbRow): PricePoint {
  return {
    symbol: r.symbol,
    ts: Number(r.ts),
    price: Number(r.price),
    source: r.source,
    volume: r.volume === null ? null : Number(r.volume),
    marketCap: r.market_cap === null ? null : Number(r.market_cap),
    qualityScore: Number(r.quality_score),
    isOutlier: r.is_outlier,
  };
}

const COLUMNS = `(extract(epoch FROM p.ts) * 1000)::float8 AS ts, p.price, p.volume, p.market_cap, p.source,
  p.quality_score, p.is_outlier`;

/** Point prices of one instrument with `range.from <= ts < range.to`, ascending. */
export async function readPrices(db: Queryable, symbol: string, range: TimeRange): Promise<PricePoint[]> {
  const id = await instrumentId(db, symbol);
  const res = await db.query<PriceDbRow>(
    `SELECT $1::text AS symbol, ${COLUMNS} FROM market_data.prices p
      WHERE p.instrument_id = $2 AND p.ts >= $3::timestamptz AND p.ts < $4::timestamptz ORDER BY p.ts`,
    [symbol, id, ...rangeParams(range)],
  );
  return res.rows.map(toPoint);
}

/** The newest point per instrument (instruments without prices are left out), ordered by symbol. */
export async function latestPrices(db: Queryable, symbols?: readonly string[]): Promise<PricePoint[]> {
  const params: unknown[] = [];
  let where = '';
  if (symbols !== undefined) {
    params.push([...symbols]);
    where = 'WHERE i.symbol = ANY($1::text[])';
  }
  const res = await db.query<PriceDbRow>(
    `SELECT i.symbol, ${COLUMNS}
       FROM market_data.instruments i
       CROSS JOIN LATERAL (
         SELECT * FROM market_data.prices x WHERE x.instrument_id = i.id ORDER BY x.ts DESC LIMIT 1) p
       ${where}
      ORDER BY i.symbol`,
    params,
  );
  return res.rows.map(toPoint);
}

/** Number of stored price points. */
export async function countPrices(db: Queryable): Promise<number> {
  const res = await db.query<{ n: number }>('SELECT count(*)::float8 AS n FROM market_data.prices');
  return Number(res.rows[0]?.n ?? 0);
}
