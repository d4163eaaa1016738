/**
 * Loopback stand-ins for Polygon and Binance that serve deterministic synthetic history in the providers'
 * documented wire formats (Polygon v2 aggregates with `next_url`; Binance `/api/v3/klines` arrays), with
 * knobs for faults: a per-page delay, failing pages, bad rows, unknown symbols.
 */
import { newYorkWallToUtc } from '../../src/core/calendar.ts';
import type { Bar, Instrument } from '../../src/core/types.ts';
import { syntheticBars } from '../../src/sources/synthetic/generator.ts';
import { type Loopback, type Reply, startLoopback } from '../../src/sources/testing/loopback.ts';

export interface FakeOptions {
  /** Instruments the fake knows, by provider symbol. */
  instruments: Record<string, Instrument>;
  /** Polygon results per page (Binance pages by the client's `limit`). @defaultValue 50 */
  pageSize?: number;
  /** Real delay before each answer, ms. @defaultValue 0 */
  delayMs?: number;
  /** Answer 500 to these request indexes (0-based). */
  failRequests?: ReadonlySet<number>;
  /** Turn these bar times of every series into a bad row (negative close). */
  badTs?: ReadonlySet<number>;
}

function bars(inst: Instrument, from: number, to: number, badTs?: ReadonlySet<number>): Bar[] {
  return syntheticBars(inst, '1d', { from, to }).map((b) =>
    badTs?.has(b.ts) ? { ...b, close: -b.close } : b,
  );
}

/**
 * Hourly bars on Polygon's boundaries: windows start on the hour (the synthetic session bars start at :30,
 * as Yahoo's do, so they are moved back half an hour).
 */
function hourBars(inst: Instrument, from: number, to: number): Bar[] {
  return syntheticBars(inst, '1h', { from, to }).map((b) => ({ ...b, ts: b.ts - (b.ts % 3_600_000) }));
}

/**
 * Polygon aggregates, daily (`t` is midnight New York of the trading date, as Polygon sends it) and hourly
 * (`t` the start of the hour, UTC).
 */
export async function startFakePolygon(o: FakeOptions): Promise<Loopback> {
  const size = o.pageSize ?? 50;
  return startLoopback((req, index): Reply => {
    const delay = o.delayMs ? { delayMs: o.delayMs } : {};
    if (o.failRequests?.has(index))
      return { status: 500, body: { status: 'ERROR', error: 'boom' }, ...delay };
    const m =
      /^\/v2\/aggs\/ticker\/([^/]+)\/range\/1\/(day|hour)\/(\d{4}-\d{2}-\d{2}|\d{13})\/(\d{4}-\d{2}-\d{2}|\d{13})$/.exec(
        req.url.pathname,
      );
    if (!m) return { status: 404, body: { status: 'NOT_FOUND' } };
    const [, ticker = '', timespan = '', fromDay = '', toDay = ''] = m;
    const inst = o.instruments[ticker];
    const offset = Number(req.url.searchParams.get('cursor') ?? 0);
    // dates (whole days, `to` included) or epoch ms (intraday requests, `to` included)
    const from = /^\d{13}$/.test(fromDay) ? Number(fromDay) : Date.parse(fromDay);
    const to = /^\d{13}$/.test(toDay) ? Number(toDay) + 1 : Date.parse(toDay) + 86_400_000;
    const all = !inst ? [] : timespan === 'day' ? bars(inst, from, to, o.badTs) : hourBars(inst, from, to);
    const page = all.slice(offset, offset + size);
    const next = offset + size < all.length ? offset + size : null;
    return {
      ...delay,
      body: {
        ticker,
        status: 'OK',
        adjusted: true,
        queryCount: page.length,
        resultsCount: page.length,
        request_id: `r${index}`,
        ...(page.length
          ? {
              results: page.map((b) => ({
                t: timespan === 'day' ? newYorkWallToUtc(b.ts, 0) : b.ts,
                o: b.open,
                h: b.high,
                l: b.low,
                c: b.close,
                v: b.volume,
                n: 1,
              })),
            }
          : {}),
        ...(next !== null
          ? {
              next_url: `https://api.polygon.io${req.url.pathname}?cursor=${next}&adjusted=true&sort=asc&limit=50000`,
            }
          : {}),
      },
    };
  });
}

/** Binance klines paginated by startTime; an unknown symbol answers 400 `{code: -1121}` as Binance does. */
export async function startFakeBinance(o: FakeOptions): Promise<Loopback> {
  return startLoopback((req, index): Reply => {
    const delay = o.delayMs ? { delayMs: o.delayMs } : {};
    if (o.failRequests?.has(index)) return { status: 500, body: { code: -1000, msg: 'boom' }, ...delay };
    if (req.url.pathname === '/api/v3/ping') return { body: {} };
    if (req.url.pathname !== '/api/v3/klines') return { status: 404, body: { code: -1, msg: 'no route' } };
    const symbol = req.url.searchParams.get('symbol') ?? '';
    const inst = o.instruments[symbol];
    if (!inst) return { status: 400, body: { code: -1121, msg: 'Invalid symbol.' } };
    const limit = Number(req.url.searchParams.get('limit') ?? 500);
    const start = Number(req.url.searchParams.get('startTime') ?? 0);
    const end = Number(req.url.searchParams.get('endTime') ?? Date.now());
    const page = bars(inst, start, end + 1, o.badTs).slice(0, limit);
    return {
      ...delay,
      body: page.map((b) => [
        b.ts,
        String(b.open),
        String(b.high),
        String(b.low),
        String(b.close),
        String(b.volume),
        b.ts + 86_399_999,
        '0',
        1,
        '0',
        '0',
        '0',
      ]),
    };
  });
}
