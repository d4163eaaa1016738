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

/** The row array of an answer: Polygon's `results`, Binance's top-level array. */
function rowsOf(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object' && Array.isArray((body as { results?: unknown }).results))
    return (body as { results: unknown[] }).results;
  return undefined;
}

function withRows(body: unknown, rows: unknown[]): unknown {
  if (Array.isArray(body)) return rows;
  const { results: _dropped, ...rest } = body as Record<string, unknown>;
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
