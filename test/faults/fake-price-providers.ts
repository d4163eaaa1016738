/**
 * Loopback stand-ins for CoinGecko, OANDA and Yahoo that serve deterministic synthetic daily history in each
 * provider's documented wire format (the shapes of src/sources/<name>/fixtures): CoinGecko
 * `/api/v3/coins/{id}/market_chart/range` (one `[ms, price]` point a day at 00:00 UTC, as past 90 days), OANDA
 * v20 `/v3/instruments/{name}/candles` (RFC3339 nanosecond times, string prices, paged by `from` + `count`),
 * Yahoo `/v8/finance/chart/{symbol}` (columnar `timestamp` + `indicators.quote`, stamped at the session open).
 */
import { newYorkWallToUtc } from '../../src/core/calendar.ts';
import type { Bar, Instrument } from '../../src/core/types.ts';
import { syntheticBars } from '../../src/sources/synthetic/generator.ts';
import { type Loopback, type Reply, startLoopback } from '../../src/sources/testing/loopback.ts';

export interface FakePriceOptions {
  /** Instruments the fake knows, by provider symbol. */
  instruments: Record<string, Instrument>;
  /** The provider's "now": no bar at or after it is served (OANDA asks by `from` and `count` only). */
  now: number;
}

const DAY = 86_400_000;
/** Bars starting in [from, to): whether the last one is complete is the provider's (and our client's) call. */
const bars = (inst: Instrument, from: number, to: number): Bar[] => syntheticBars(inst, '1d', { from, to });

/** CoinGecko market_chart/range: daily points at 00:00 UTC; the point at D closes D−1 (see coingeckoBars). */
export async function startFakeCoinGecko(o: FakePriceOptions): Promise<Loopback> {
  return startLoopback((req): Reply => {
    const m = /^\/api\/v3\/coins\/([^/]+)\/market_chart\/range$/.exec(req.url.pathname);
    if (!m) return { status: 404, body: { error: 'Not Found' } };
    const inst = o.instruments[decodeURIComponent(m[1] ?? '')];
    if (!inst) return { status: 404, body: { error: 'coin not found' } };
    const from = Number(req.url.searchParams.get('from')) * 1000;
    const to = Math.min(Number(req.url.searchParams.get('to')) * 1000, o.now);
    // each bar of D gives the opening point at D and the closing point at D+1 00:00 (its close)
    const series = bars(inst, from - DAY, to);
    const points: Array<[number, number, number]> = [];
    for (const b of series) {
      if (b.ts >= from && b.ts <= to) points.push([b.ts, b.open, b.volume]);
    }
    const last = series[series.length - 1];
    if (last && last.ts + DAY <= to) points.push([last.ts + DAY, last.close, last.volume]);
    return {
      body: {
        prices: points.map(([t, p]) => [t, p]),
        market_caps: points.map(([t, p]) => [t, p * 1e7]),
        total_volumes: points.map(([t, , v]) => [t, v]),
      },
    };
  });
}

const nanos = (t: number): string => new Date(t).toISOString().replace('Z', '000000Z');

/** OANDA v20 candles, daily aligned at 00:00 UTC (the client asks `dailyAlignment=0&alignmentTimezone=UTC`). */
export async function startFakeOanda(o: FakePriceOptions): Promise<Loopback> {
  return startLoopback((req): Reply => {
    const m = /^\/v3\/instruments\/([^/]+)\/candles$/.exec(req.url.pathname);
    if (!m) return { status: 404, body: { errorMessage: 'Invalid path' } };
    const name = decodeURIComponent(m[1] ?? '');
    const inst = o.instruments[name];
    if (!inst) return { status: 400, body: { errorMessage: `Invalid value specified for 'instrument'` } };
    if (req.url.searchParams.get('granularity') !== 'D')
      return { status: 400, body: { errorMessage: 'fake serves daily candles only' } };
    const from = Date.parse(req.url.searchParams.get('from') ?? '');
    const count = Number(req.url.searchParams.get('count') ?? 500);
    const page = bars(inst, from, o.now).slice(0, count);
    return {
      body: {
        instrument: name,
        granularity: 'D',
        candles: page.map((b) => ({
          // a day still running is sent as v20 does, `complete: false` (the client skips it)
          complete: b.ts + DAY <= o.now,
          volume: Math.round(b.volume),
          time: nanos(b.ts),
          mid: { o: b.open.toFixed(5), h: b.high.toFixed(5), l: b.low.toFixed(5), c: b.close.toFixed(5) },
        })),
      },
    };
  });
}

/** Yahoo v8 chart, daily: `timestamp` is the 09:30 New York open of each session, in seconds. */
export async function startFakeYahoo(o: FakePriceOptions): Promise<Loopback> {
  return startLoopback((req): Reply => {
    const m = /^\/v8\/finance\/chart\/([^/]+)$/.exec(req.url.pathname);
    if (!m) return { status: 404, body: { chart: { result: null, error: { code: 'Not Found' } } } };
    const symbol = decodeURIComponent(m[1] ?? '');
    const inst = o.instruments[symbol];
    if (!inst)
      return {
        status: 404,
        body: {
          chart: {
            result: null,
            error: { code: 'Not Found', description: 'No data found, symbol may be delisted' },
          },
        },
      };
    const from = Number(req.url.searchParams.get('period1')) * 1000;
    const to = Math.min(Number(req.url.searchParams.get('period2')) * 1000, o.now);
    const page = bars(inst, from, to);
    return {
      body: {
        chart: {
          result: [
            {
              meta: {
                symbol,
                currency: 'USD',
                exchangeTimezoneName: 'America/New_York',
                dataGranularity: '1d',
              },
              ...(page.length === 0
                ? {}
                : { timestamp: page.map((b) => newYorkWallToUtc(b.ts, 570) / 1000) }),
              indicators: {
                quote: [
                  page.length === 0
                    ? {}
                    : {
                        open: page.map((b) => b.open),
                        high: page.map((b) => b.high),
                        low: page.map((b) => b.low),
                        close: page.map((b) => b.close),
                        volume: page.map((b) => Math.round(b.volume)),
                      },
                ],
              },
            },
          ],
          error: null,
        },
      },
    };
  });
}
