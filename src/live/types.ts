/**
 * The live layer's hand-off between venue streams (which compute a composite price per instrument) and what
 * reacts to it (depeg alerts, live risk). Shared by src/live/ modules; nothing here does I/O.
 */

/** One composite price of an instrument: the median of the venues' latest trade prices. */
export interface CompositeTick {
  /** marketpipe symbol as users say it, e.g. `USDC`, `BTC`. */
  symbol: string;
  price: number;
  /** Epoch milliseconds (UTC) of the trade that produced this composite. */
  ts: number;
  /** Venues whose latest price entered the median, e.g. `['binance', 'kraken']`. */
  venues: string[];
}

/** Reacts to composite ticks. Called on the stream's hot path: must return fast and defer heavy work. */
export interface CompositeListener {
  onComposite(tick: CompositeTick): void;
  /** Flushes pending work (alerts being sent, risk being recomputed) when the stream stops. */
  close?(): Promise<void>;
}
