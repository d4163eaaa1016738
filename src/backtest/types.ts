/**
 * Backtest domain types. Prices are columnar (one Float64Array per field per instrument) so the engine loop
 * touches typed arrays only. Times are UTC epoch ms, taken from the data: an instrument trades only on the
 * bars it has (equities on exchange days, crypto every day), so no calendar is needed here.
 */

import type { AdjustMode } from '../analytics/adjust.ts';

/**
 * Price adjustment of a backtest when none is asked for: `split` (analytics/adjust.ts). Unlike a chart, a
 * backtest on raw prices trades through every split as if the stock had crashed (a 4:1 split reads as
 * −75 %), so splits are undone by default; dividends stay out (price return) unless `adjusted` or
 * `total-return` is asked for. Assets without corporate actions read the same in every mode.
 */
export const DEFAULT_BACKTEST_ADJUST: AdjustMode = 'split';

/** OHLCV columns of one instrument, oldest first, equal lengths, strictly increasing `ts`. */
export interface BarColumns {
  symbol: string;
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume?: Float64Array;
}

const BAR_FIELDS = ['open', 'high', 'low', 'close'] as const;
export type BarField = (typeof BAR_FIELDS)[number];

const ORDER_TYPES = ['market', 'limit', 'stop'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

/**
 * An order a strategy places. `qty` is signed: positive buys, negative sells (shorting allowed).
 * A `limit` buy fills when the low reaches `price` (at `price`, or the open if it gaps through); a `stop`
 * buy fills when the high reaches `price` (at `price`, or the open if it gaps through). Sells mirror this.
 * Limit and stop orders rest until filled, cancelled, or `ttlBars` bars of the instrument have passed.
 */
export interface OrderRequest {
  symbol: string;
  qty: number;
  type?: OrderType;
  /** Limit or stop price; required for `limit` and `stop`. */
  price?: number;
  /** Bars of this instrument the order may rest for. @defaultValue Infinity (good till cancelled) */
  ttlBars?: number;
  reason?: string;
}

/**
 * What `onBar` returns: orders, and/or target weights (signed fraction of equity per symbol; symbols left
 * out keep their position). Targets become market orders sized at the fill price.
 */
export interface StrategyAction {
  orders?: OrderRequest[];
  targets?: Record<string, number>;
  /** Cancel every resting order before placing new ones. */
  cancelAll?: boolean;
  reason?: string;
}

/** The read-only view a strategy gets. Only bars at or before the current time are reachable. */
export interface StrategyContext {
  /** Index of the current step on the merged timeline (0-based); -1 inside `init`. */
  readonly step: number;
  /** Current time (UTC ms) — the open time of the current bar. */
  readonly ts: number;
  readonly symbols: readonly string[];
  /** True when `symbol` has a bar at the current time (its market is open). */
  has(symbol: string): boolean;
  /** Number of bars of `symbol` seen so far (at or before now). */
  count(symbol: string): number;
  /**
   * A field of `symbol`, `lag` bars back from its latest bar at or before now (`lag` 0 = latest).
   * A negative lag is a look-ahead and throws LookAheadError; a lag past the start gives NaN.
   */
  price(symbol: string, field?: BarField, lag?: number): number;
  /** The latest close of `symbol` (shorthand for `price(symbol, 'close', 0)`). */
  close(symbol: string): number;
  /** A copy of the last `n` values of a field up to now (fewer when not enough history). */
  history(symbol: string, field: BarField, n: number): Float64Array;
  /** Signed quantity held. */
  position(symbol: string): number;
  readonly cash: number;
  /** Cash plus positions marked at their latest close. */
  readonly equity: number;
  /** Strategy-owned scratch space, reset for every run. */
  readonly state: Record<string, unknown>;
}

export interface Strategy {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Called once before the first bar (step -1, no data reachable). */
  init?(ctx: StrategyContext): void;
  onBar(ctx: StrategyContext): StrategyAction | undefined;
}

/** Makes a fresh strategy (fresh state) from user parameters. */
export type StrategyFactory = (params?: Record<string, unknown>) => Strategy;

/** When an order decided on bar t fills. `same_close` is for research only: it trades on the close it saw. */
export const FILL_MODELS = ['next_open', 'next_close', 'same_close'] as const;
export type FillModel = (typeof FILL_MODELS)[number];

/** One execution. */
export interface Fill {
  ts: number;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  /** Executed price after slippage. */
  price: number;
  fee: number;
  reason: string;
}

/** A closed round trip (flat → position → flat, or a flip), P&L net of both sides' fees. */
export interface Trade {
  symbol: string;
  entryTs: number;
  exitTs: number;
  /** Signed size at entry (positive long). */
  qty: number;
  entryPrice: number;
  exitPrice: number;
  pnl: number;
  /** pnl / |entry notional|. */
  returnPct: number;
  bars: number;
}
