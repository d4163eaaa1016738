/**
 * Kraken WebSocket v2 `trade` channel (several trades per message, `BTC/USD` symbols, numeric price/qty).
 * Heartbeats fill silence about once a second, and we ping at the application level.
 * https://docs.kraken.com/api/docs/websocket-v2/trade
 */
import type { TradeSink, VenueProtocol } from './protocol.ts';

export const KRAKEN_DEFAULT_WS_URL = 'wss://ws.kraken.com/v2';

interface KrakenTrade {
  symbol?: string;
  price?: number;
  qty?: number;
  trade_id?: number;
  timestamp?: string;
}

export const krakenProtocol: VenueProtocol = {
  venue: 'kraken',
  url: (base) => base,
  subscribe: (symbols) => [
    JSON.stringify({ method: 'subscribe', params: { channel: 'trade', symbol: symbols, snapshot: false } }),
  ],
  unsubscribe: (symbols) => [
    JSON.stringify({ method: 'unsubscribe', params: { channel: 'trade', symbol: symbols } }),
  ],
  parse(text: string, sink: TradeSink): number {
    const m = JSON.parse(text) as { channel?: string; data?: KrakenTrade[] };
    if (m.channel === 'heartbeat') {
      sink.heartbeat(undefined, 0);
      return 0;
    }
    if (m.channel !== 'trade' || !Array.isArray(m.data)) return 0;
    let n = 0;
    for (const t of m.data) {
      if (typeof t.symbol !== 'string' || typeof t.price !== 'number' || !(t.price > 0)) continue;
      if (typeof t.trade_id !== 'number') continue;
      sink.trade(t.symbol, t.price, t.qty ?? 0, Date.parse(t.timestamp ?? ''), t.trade_id);
      n++;
    }
    return n;
  },
  ping: JSON.stringify({ method: 'ping' }),
  quote(venueSymbol) {
    return venueSymbol.slice(venueSymbol.lastIndexOf('/') + 1);
  },
  // Heartbeats fill any silence about once a second: 5 s without a message is a dead feed.
  staleMs: 5_000,
};
