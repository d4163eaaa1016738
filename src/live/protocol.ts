/**
 * What a venue's WebSocket adapter provides to the stream: where to connect, how to (un)subscribe, and a
 * parser that turns one text frame into trades and liveness signals. Adapters are pure (no I/O, no timers).
 */
export const VENUES = ['binance', 'coinbase', 'kraken'] as const;
export type Venue = (typeof VENUES)[number];

export function isVenue(value: string): value is Venue {
  return (VENUES as readonly string[]).includes(value);
}

/** Receives what a frame carried, in the venue's symbols; the parser calls it synchronously. */
export interface TradeSink {
  /**
   * One trade. `ts` epoch ms of the venue's trade time; `tradeId` the venue's per-symbol sequential trade id
   * (a jump means trades were missed).
   */
  trade(venueSymbol: string, price: number, qty: number, ts: number, tradeId: number): void;
  /** The venue says the symbol is alive; `lastTradeId` > 0 when it tells the last trade id (Coinbase). */
  heartbeat(venueSymbol: string | undefined, lastTradeId: number): void;
}

export interface VenueProtocol {
  readonly venue: Venue;
  /** The URL to open; `base` is the configured endpoint (e.g. `wss://stream.binance.com:9443`). */
  url(base: string): string;
  /** Messages that subscribe `symbols` (batched as the venue allows). */
  subscribe(symbols: readonly string[]): string[];
  unsubscribe(symbols: readonly string[]): string[];
  /** Parses one text frame into `sink`; returns the number of trades it held. Throws on malformed JSON. */
  parse(text: string, sink: TradeSink): number;
  /** An application-level ping to send every `pingEveryMs` (Kraken); undefined when the venue pings us. */
  readonly ping?: string;
  /** Quote currency of a venue symbol (`BTCUSDT` → `USDT`, `BTC-USD` → `USD`). */
  quote(venueSymbol: string): string;
  /** Silence (no message at all for the connection) after which it is treated as dead, ms. */
  readonly staleMs: number;
}
