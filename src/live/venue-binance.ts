/**
 * Binance spot trade streams over the combined endpoint (`/stream`, events wrapped as `{stream, data}`),
 * subscribed with batched `SUBSCRIBE` (5 client messages/s per connection, 1024 streams per connection).
 * https://github.com/binance/binance-spot-api-docs/blob/master/web-socket-streams.md
 */
import type { TradeSink, VenueProtocol } from './protocol.ts';

export const BINANCE_DEFAULT_WS_URL = 'wss://stream.binance.com:9443';
/** Streams per SUBSCRIBE message: far below the 1024-per-connection cap, one message per few symbols. */
const PARAMS_PER_MESSAGE = 200;

interface BinanceTrade {
  e?: string;
  s?: string;
  t?: number;
  p?: string;
  q?: string;
  T?: number;
}

let nextId = 1;

function batches(symbols: readonly string[], method: 'SUBSCRIBE' | 'UNSUBSCRIBE'): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i += PARAMS_PER_MESSAGE) {
    const params = symbols.slice(i, i + PARAMS_PER_MESSAGE).map((s) => `${s.toLowerCase()}@trade`);
    out.push(JSON.stringify({ method, params, id: nextId++ }));
  }
  return out;
}

export const binanceProtocol: VenueProtocol = {
  venue: 'binance',
  url: (base) => `${base.replace(/\/+$/, '')}/stream`,
  subscribe: (symbols) => batches(symbols, 'SUBSCRIBE'),
  unsubscribe: (symbols) => batches(symbols, 'UNSUBSCRIBE'),
  parse(text: string, sink: TradeSink): number {
    const msg = JSON.parse(text) as { data?: BinanceTrade; result?: unknown };
    const d = msg.data;
    if (d === undefined || d.e !== 'trade') return 0;
    const price = Number(d.p);
    if (typeof d.s !== 'string' || typeof d.T !== 'number' || typeof d.t !== 'number' || !(price > 0))
      return 0;
    sink.trade(d.s, price, Number(d.q), d.T, d.t);
    return 1;
  },
  quote(venueSymbol) {
    for (const q of ['USDT', 'USDC', 'FDUSD', 'BUSD', 'USD', 'EUR', 'BTC'])
      if (venueSymbol.endsWith(q)) return q;
    return 'USDT';
  },
  // Binance pings every 20 s (answered by `ws` itself); a connection silent for 30 s is stuck.
  staleMs: 30_000,
};
