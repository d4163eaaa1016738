import type { FastifyPluginAsync } from 'fastify';
import { ADJUST_MODES, type AdjustMode } from '../../analytics/adjust.ts';
import { readAdjustedBars } from '../../analytics/adjusted-bars-reader.ts';
import { computeIndicators, parseIndicatorSpec } from '../../analytics/service.ts';
import { CACHE_TTL_SECONDS, type Cache, cacheKeys } from '../../cache/index.ts';
import { NotFoundError } from '../../core/errors.ts';
import { DAY_MS, NAMED_RANGES, type NamedRange, toIso } from '../../core/time.ts';
import type { Bar, Interval } from '../../core/types.ts';
import type { CachedPrice } from '../../pipeline/latest.ts';
import type { Queryable } from '../../store/db.ts';
import { latestBars, readBars, resolveRange } from '../../store/repos/bars.ts';
import { getInstrument } from '../../store/repos/instruments.ts';
import { useApiKeys } from '../api-keys.ts';
import { assetRoutes as contract } from '../contract/asset.ts';
import type { RouteOptions } from '../deps.ts';
import { sendJsonText } from '../json-text.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';
import { cacheAside } from './common.ts';

/** A bar as the API sends it (ISO time). */
interface BarJson {
  ts: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

interface InstrumentJson {
  symbol: string;
  name: string;
  asset_class: string;
  currency: string;
}

/** Daily-bar answers are cached briefly: a named range moves with the clock, not with each request. */
const RANGE_TTL_SECONDS = 60;
const INSTRUMENT_TTL_SECONDS = 300;
const rangeKey = (symbol: string, range: string) => `bars:${symbol}:1d:${range}`;
const instrumentKey = (symbol: string) => `instrument:${symbol}`;
const syntheticKey = (symbol: string) => `synthetic:${symbol}`;

/**
 * Whether any stored bar of `symbol` was generated (`source = 'synthetic'`, the demo's generator): the
 * dashboard marks such a series as demo data. Cached like the instrument's metadata.
 */
async function isSynthetic(db: Queryable, cache: Cache, symbol: string): Promise<boolean> {
  const { value } = await cacheAside(cache, syntheticKey(symbol), INSTRUMENT_TTL_SECONDS, async () => {
    const res = await db.query<{ synthetic: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id
                       WHERE i.symbol = $1 AND b.source = 'synthetic') AS synthetic`,
      [symbol],
    );
    return { synthetic: res.rows[0]?.synthetic === true };
  });
  return value.synthetic;
}

/** The indicator columns the dashboard draws beyond the defaults: SMA 50 beside SMA 20 (the "SMA 20/50" overlay). */
const CHART_EXTRA = 'sma:50';

/** `extra` plus the chart's own columns, each once. */
function withChartIndicators(extra: string | undefined): string {
  const names = new Set(parseIndicatorSpec(extra).map((i) => i.name));
  const wanted = parseIndicatorSpec(CHART_EXTRA).filter((i) => !names.has(i.name));
  return [extra ?? '', ...wanted.map((i) => `${i.kind}:${i.period}`)]
    .filter((s) => s.trim() !== '')
    .join(',');
}

/**
 * Every key the asset routes may have cached for `symbol`: its metadata, its 1D hourly bars and each named
 * range in each adjustment mode (`bars:{symbol}:1d:{range}` raw, `…:{range}:{adjust}` otherwise).
 */
export function assetCacheKeys(symbol: string): string[] {
  const keys = [instrumentKey(symbol), syntheticKey(symbol), cacheKeys.hourlyData(symbol)];
  for (const range of NAMED_RANGES) {
    for (const adjust of ADJUST_MODES) {
      keys.push(adjust === 'raw' ? rangeKey(symbol, range) : `${rangeKey(symbol, range)}:${adjust}`);
    }
  }
  return keys;
}

const toJson = (b: Bar): BarJson => ({
  ts: toIso(b.ts),
  open: b.open,
  high: b.high,
  low: b.low,
  close: b.close,
  volume: b.volume,
});

/** Instrument metadata through the cache; NotFoundError for an unknown symbol. */
export async function instrumentOf(db: Queryable, cache: Cache, symbol: string): Promise<InstrumentJson> {
  const { value } = await cacheAside(cache, instrumentKey(symbol), INSTRUMENT_TTL_SECONDS, async () => {
    const i = await getInstrument(db, symbol);
    return i ? { symbol: i.symbol, name: i.name, asset_class: i.assetClass, currency: i.currency } : null;
  });
  if (!value) throw new NotFoundError(`unknown instrument "${symbol}"`);
  return value;
}

/**
 * The last day of hourly bars: `[now − 1 day, now)`, or, when the series stopped earlier (a closed market,
 * a stale feed), the day before its newest bar, so the chart is never empty while hourly data exists.
 */
async function lastHourlyDay(db: Queryable, symbol: string, now: number): Promise<BarJson[]> {
  const recent = await readBars(db, symbol, '1h', { from: now - DAY_MS, to: now + 1 });
  if (recent.length > 0) return recent.map(toJson);
  const [newest] = await latestBars(db, { interval: '1h', symbols: [symbol] });
  if (!newest) return [];
  return (await readBars(db, symbol, '1h', { from: newest.ts - DAY_MS + 1, to: newest.ts + 1 })).map(toJson);
}

/**
 * A price series ready to send: the bars pre-serialised once per cache fill (a year of daily bars is ~40 KB
 * of JSON; serialising it on every request would cost more than everything else the route does), plus the
 * first and last bar for the summary fields.
 */
interface Series {
  interval: Interval;
  first: BarJson | null;
  last: BarJson | null;
  bars_json: string;
}

function toSeries(interval: Interval, bars: BarJson[]): Series {
  return {
    interval,
    first: bars[0] ?? null,
    last: bars[bars.length - 1] ?? null,
    bars_json: JSON.stringify(bars),
  };
}

/** Daily bars of a named range; an instrument with no daily bars falls back to its hourly bars. */
async function rangeSeries(
  db: Queryable,
  symbol: string,
  range: NamedRange,
  now: number,
  adjust: AdjustMode = 'raw',
): Promise<Series> {
  const r = resolveRange(range, now);
  const daily = await readAdjustedBars(db, symbol, '1d', { from: r.from, to: r.to + 1 }, adjust);
  if (daily.length > 0) return toSeries('1d', daily.map(toJson));
  const hourly = await readAdjustedBars(db, symbol, '1h', { from: r.from, to: r.to + 1 }, adjust);
  return toSeries('1h', hourly.map(toJson));
}

/** `GET /api/asset/:symbol` (chart data) and `GET /api/asset/:symbol/indicators`. */
export const assetRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const cache = deps.cache;
  const reader = readerOf(deps);

  app.get('/api/asset/:symbol', { schema: contract.get }, async (req, reply) => {
    const { symbol } = req.params;
    const range = req.query.range;
    const inst = await instrumentOf(reader, cache, symbol);
    const synthetic = await isSynthetic(reader, cache, symbol);
    const now = Date.now();
    let series: Series;
    let hit: boolean;
    if (range === '1D') {
      // `hourly_data:{symbol}:1D` holds plain bars (a DESIGN.md contract other programs read)
      const res = await cacheAside(cache, cacheKeys.hourlyData(symbol), CACHE_TTL_SECONDS.hourlyData, () =>
        lastHourlyDay(reader, symbol, now),
      );
      series = toSeries('1h', res.value);
      hit = res.cached;
    } else {
      const res = await cacheAside(
        cache,
        req.query.adjust === 'raw'
          ? rangeKey(symbol, range)
          : `${rangeKey(symbol, range)}:${req.query.adjust}`,
        RANGE_TTL_SECONDS,
        () => rangeSeries(reader, symbol, range, now, req.query.adjust),
        (v) => v.first === null,
      );
      series = res.value;
      hit = res.cached;
    }
    const { first, last, interval } = series;
    const fresh = await cache.get<CachedPrice>(cacheKeys.latestPrice(symbol));
    const latest = fresh
      ? { price: fresh.price, ts: fresh.ts, source: fresh.source }
      : last
        ? { price: last.close, ts: last.ts, source: `${interval} bar` }
        : null;
    const head = JSON.stringify({
      ...inst,
      range,
      interval,
      from: first?.ts ?? null,
      to: last?.ts ?? null,
      cached: hit,
      synthetic,
      latest,
      change_pct:
        first && last && first.close !== 0 ? ((last.close - first.close) / first.close) * 100 : null,
    });
    // The document of the response schema, with the pre-serialised bars spliced in as its last field.
    return sendJsonText(reply, `${head.slice(0, -1)},"bars":${series.bars_json}}`);
  });

  app.get('/api/asset/:symbol/indicators', { schema: contract.indicators }, async (req) => {
    const { symbol } = req.params;
    await instrumentOf(reader, cache, symbol);
    parseIndicatorSpec(req.query.indicators); // 400 on a bad spec before any work
    const range = req.query.range;
    const r = resolveRange(range, Date.now());
    const res = await computeIndicators(reader, symbol, {
      interval: req.query.interval,
      from: r.from,
      extra: withChartIndicators(req.query.indicators),
      dryRun: true,
    });
    return { symbol: res.symbol, interval: res.interval, range, rows: res.rows };
  });
};
