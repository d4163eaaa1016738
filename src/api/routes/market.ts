import type { FastifyPluginAsync } from 'fastify';
import { toIso } from '../../core/time.ts';
import type { Queryable } from '../../store/db.ts';
import { useApiKeys } from '../api-keys.ts';
import { marketRoutes as contract, type MarketOverview, type MarketRow } from '../contract/market.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';
import { cacheAside } from './common.ts';

/** The cache key of the market overview (dropped on every `data_ready`, see cache-invalidation.ts). */
export const OVERVIEW_KEY = 'market_overview';
const OVERVIEW_TTL_SECONDS = 60;
const MOVERS = 5;

/** The newest two daily closes of every active instrument (economic series excluded), one query. */
async function lastTwoCloses(db: Queryable): Promise<MarketRow[]> {
  const res = await db.query<{
    symbol: string;
    name: string;
    asset_class: string;
    ts: number | null;
    close: number | null;
    prev: number | null;
    source: string | null;
  }>(
    `SELECT i.symbol, i.name, i.asset_class, b.ts, b.close, b.prev, b.source
       FROM market_data.instruments i
       LEFT JOIN LATERAL (
         SELECT (extract(epoch FROM max(x.ts)) * 1000)::float8 AS ts,
                (array_agg(x.close ORDER BY x.ts DESC))[1] AS close,
                (array_agg(x.close ORDER BY x.ts DESC))[2] AS prev,
                (array_agg(x.source ORDER BY x.ts DESC))[1] AS source
           FROM (SELECT ts, close, source FROM market_data.bars
                  WHERE instrument_id = i.id AND interval = '1d' ORDER BY ts DESC LIMIT 2) x) b ON true
      WHERE i.active AND i.asset_class <> 'economic'
      ORDER BY i.asset_class, i.symbol`,
  );
  return res.rows.map((r) => {
    const price = r.close === null ? null : Number(r.close);
    const prev = r.prev === null ? null : Number(r.prev);
    return {
      symbol: r.symbol,
      name: r.name,
      asset_class: r.asset_class,
      price,
      previous_close: prev,
      change_pct: price !== null && prev !== null && prev !== 0 ? ((price - prev) / prev) * 100 : null,
      ts: r.ts === null ? null : toIso(Number(r.ts)),
      source: r.source ?? null,
    };
  });
}

/** Overview by asset class (average daily change) and the day's top movers both ways. */
async function marketOverview(db: Queryable, now = Date.now()): Promise<MarketOverview> {
  const rows = await lastTwoCloses(db);
  const classes = new Map<string, MarketRow[]>();
  for (const r of rows) classes.set(r.asset_class, [...(classes.get(r.asset_class) ?? []), r]);
  const withChange = rows.filter((r) => r.change_pct !== null);
  const byChange = [...withChange].sort((a, b) => (b.change_pct ?? 0) - (a.change_pct ?? 0));
  return {
    as_of: toIso(now),
    synthetic: rows.filter((r) => r.source === 'synthetic').length,
    asset_classes: [...classes].map(([asset_class, list]) => {
      const changes = list.map((r) => r.change_pct).filter((c): c is number => c !== null);
      return {
        asset_class,
        count: list.length,
        avg_change_pct: changes.length ? changes.reduce((s, c) => s + c, 0) / changes.length : null,
        instruments: list,
      };
    }),
    movers: {
      gainers: byChange.filter((r) => (r.change_pct ?? 0) > 0).slice(0, MOVERS),
      losers: byChange
        .filter((r) => (r.change_pct ?? 0) < 0)
        .reverse()
        .slice(0, MOVERS),
    },
  };
}

/** `GET /api/market`: the market overview. */
export const marketRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const cache = deps.cache;
  app.get(
    '/api/market',
    {
      schema: {
        ...contract.overview,
        description: `Change = last daily close vs the one before. Cached ${OVERVIEW_TTL_SECONDS} s.`,
      },
    },
    async () =>
      (
        await cacheAside(
          cache,
          OVERVIEW_KEY,
          OVERVIEW_TTL_SECONDS,
          () => marketOverview(readerOf(deps)),
          (v) => v.asset_classes.length === 0,
        )
      ).value,
  );
};
