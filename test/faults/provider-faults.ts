/**
 * A loopback proxy in front of a fake provider (test/pipeline/fake-providers.ts) that injects one kind of
 * fault into the answers: the wire format stays the provider's, only the fault is added.
 */
import { type Loopback, type Reply, startLoopback } from '../../src/sources/testing/loopback.ts';

export const PROVIDER_FAULTS = [
  '429 Retry-After',
  '5xx',
  'timeout',
  'malformed',
  'empty',
  'duplicate',
  'out-of-order',
] as const;
export type ProviderFault = (typeof PROVIDER_FAULTS)[number];

/** Transient faults hit the first request only (the client must retry); data faults hit every data answer. */
export function isTransient(fault: ProviderFault): boolean {
  return fault === '429 Retry-After' || fault === '5xx' || fault === 'timeout';
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Yahoo's one chart result (`chart.result[0]`), whose rows are columns. */
function yahooResult(body: unknown): Json | undefined {
  const chart = isObj(body) ? body.chart : undefined;
  const result = isObj(chart) ? arr(chart.result)[0] : undefined;
  return isObj(result) ? result : undefined;
}
/** The row arrays of the feeds: FRED `observations`, NewsAPI `articles`, Alpha Vantage NEWS_SENTIMENT `feed`. */
const FEED_ROWS = ['observations', 'articles', 'feed'] as const;
const QUOTE_COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;

/**
 * The row array of an answer, one entry per row whatever the wire shape: Polygon's `results`, Binance's
 * top-level array, OANDA's `candles`, CoinGecko's zipped `prices`/`market_caps`/`total_volumes`, Yahoo's
 * zipped `timestamp` + quote columns, and the feeds' arrays (FEED_ROWS).
 */
function rowsOf(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (!isObj(body)) return undefined;
  if (Array.isArray(body.results)) return body.results;
  if (Array.isArray(body.candles)) return body.candles;
  for (const k of FEED_ROWS) if (Array.isArray(body[k])) return body[k] as unknown[];
  if (Array.isArray(body.prices)) {
    const caps = arr(body.market_caps);
    const vols = arr(body.total_volumes);
    return body.prices.map((p, i) => [p, caps[i], vols[i]]);
  }
  const y = yahooResult(body);
  if (y) {
    const quote = arr(isObj(y.indicators) ? y.indicators.quote : undefined)[0];
    const q = isObj(quote) ? quote : {};
    return arr(y.timestamp).map((t, i) => [t, ...QUOTE_COLUMNS.map((c) => arr(q[c])[i])]);
  }
  return undefined;
}

function withRows(body: unknown, rows: unknown[]): unknown {
  if (Array.isArray(body)) return rows;
  const b = body as Json;
  if (Array.isArray(b.candles)) return { ...b, candles: rows };
  for (const k of FEED_ROWS) if (Array.isArray(b[k])) return { ...b, [k]: rows };
  if (Array.isArray(b.prices)) {
    const col = (k: number) => rows.map((r) => arr(r)[k]);
    return { ...b, prices: col(0), market_caps: col(1), total_volumes: col(2) };
  }
  const y = yahooResult(body);
  if (y) {
    const { timestamp: _t, ...rest } = y;
    // Yahoo leaves `timestamp` out and sends an empty quote for a range without sessions
    const quote =
      rows.length === 0
        ? {}
        : Object.fromEntries(QUOTE_COLUMNS.map((c, k) => [c, rows.map((r) => arr(r)[k + 1])]));
    const result = {
      ...rest,
      ...(rows.length > 0 ? { timestamp: rows.map((r) => arr(r)[0]) } : {}),
      indicators: { ...(isObj(y.indicators) ? y.indicators : {}), quote: [quote] },
    };
    return { chart: { ...(b.chart as Json), result: [result] } };
  }
  const { results: _dropped, ...rest } = b;
  // Polygon leaves `results` out of an empty answer
  return {
    ...rest,
    resultsCount: rows.length,
    queryCount: rows.length,
    ...(rows.length > 0 ? { results: rows } : {}),
  };
}

/**
 * Proxies to `upstream`, injecting `fault` while `active()` says so. `timeoutDelayMs` must exceed the
 * client's per-attempt timeout.
 */
export async function startFaultProxy(
  upstream: string,
  fault: ProviderFault,
  active: () => boolean,
  timeoutDelayMs: number,
): Promise<Loopback & { injected: () => number }> {
  let injected = 0;
  const server = await startLoopback(async (req, index): Promise<Reply> => {
    const res = await fetch(`${upstream}${req.url.pathname}${req.url.search}`);
    const body: unknown = await res.json();
    const on = active() && (!isTransient(fault) || index === 0);
    const rows = rowsOf(body);
    if (!on || (!isTransient(fault) && (!rows || rows.length === 0))) return { status: res.status, body };
    injected++;
    switch (fault) {
      case '429 Retry-After':
        return {
          status: 429,
          headers: { 'retry-after': '1' },
          body: { status: 'ERROR', error: 'rate limited' },
        };
      case '5xx':
        return { status: 503, body: { status: 'ERROR', error: 'upstream unavailable' } };
      case 'timeout':
        return { status: res.status, body, delayMs: timeoutDelayMs };
      case 'malformed':
        return {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: '{"results": [{"t": 1, "o": ',
        };
      case 'empty':
        return { status: 200, body: withRows(body, []) };
      case 'duplicate':
        return { status: 200, body: withRows(body, [...(rows ?? []), ...(rows ?? [])]) };
      case 'out-of-order':
        return { status: 200, body: withRows(body, [...(rows ?? [])].reverse()) };
    }
  });
  return Object.assign(server, { injected: () => injected });
}

/**
 * What became of a fault, for the table: retried within the run, absorbed by the run (it alone stored every
 * row), refused by the run (the re-run stored them), or an answer the run took as is (an empty one).
 */
export function faultNote(
  fault: ProviderFault,
  firstOk: boolean,
  afterFirst: number,
  expected: number,
): string {
  if (isTransient(fault)) return 'retried in the same run';
  if (!firstOk) return 'run refused it; re-run clean';
  if (afterFirst === expected) return 'absorbed in the run';
  return `run stored ${afterFirst}/${expected}; re-run complete`;
}
