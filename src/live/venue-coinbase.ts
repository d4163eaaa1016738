/**
 * Coinbase Exchange `matches` + `heartbeat` channels. The subscribe message must arrive within 5 s of
 * connecting; `side` is the maker's; the heartbeat's `last_trade_id` (when non-zero) reveals dropped matches.
 * https://docs.cdp.coinbase.com/exchange/websocket-feed/channels
 */
import type { TradeSink, VenueProtocol } from './protocol.ts';

export const COINBASE_DEFAULT_WS_URL = 'wss://ws-feed.exchange.coinbase.com';

interface CoinbaseMessage {
  type?: string;
  product_id?: string;
  trade_id?: number;
  last_trade_id?: number;
  price?: string;
  size?: string;
  time?: string;
}

export const coinbaseProtocol: VenueProtocol = {
  venue: 'coinbase',
  url: (base) => base,
  subscribe: (symbols) => [
    JSON.stringify({ type: 'subscribe', product_ids: symbols, channels: ['matches', 'heartbeat'] }),
  ],
  unsubscribe: (symbols) => [
    JSON.stringify({ type: 'unsubscribe', product_ids: symbols, channels: ['matches', 'heartbeat'] }),
  ],
  parse(text: string, sink: TradeSink): number {
    const m = JSON.parse(text) as CoinbaseMessage;
    if (m.type === 'match' || m.type === 'last_match') {
      const price = Number(m.price);
      if (typeof m.product_id !== 'string' || typeof m.trade_id !== 'number' || !(price > 0)) return 0;
      sink.trade(m.product_id, price, Number(m.size), Date.parse(m.time ?? ''), m.trade_id);
      return 1;
    }
    if (m.type === 'heartbeat') sink.heartbeat(m.product_id, m.last_trade_id ?? 0);
    return 0;
  },
  quote(venueSymbol) {
    return venueSymbol.slice(venueSymbol.lastIndexOf('-') + 1);
  },
  // Heartbeats arrive every second per product: 10 s of silence means the feed is stuck.
  staleMs: 10_000,
};
