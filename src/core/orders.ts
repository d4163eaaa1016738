/**
 * The order state machine shared by the execution layer (src/execution/broker.ts re-exports it) and the
 * execution repository, which enforces it on every stored transition (store/ may not import execution/).
 *
 *   new → accepted → partially_filled → filled | cancelled | rejected | expired
 */

export const ORDER_STATUSES = [
  'new',
  'accepted',
  'partially_filled',
  'filled',
  'cancelled',
  'rejected',
  'expired',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses an order never leaves. */
export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set([
  'filled',
  'cancelled',
  'rejected',
  'expired',
]);

/** Which statuses each status may move to (a repeated `partially_filled` is a further partial fill). */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  new: ['accepted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired'],
  accepted: ['partially_filled', 'filled', 'cancelled', 'expired'],
  partially_filled: ['partially_filled', 'filled', 'cancelled', 'expired'],
  filled: [],
  cancelled: [],
  rejected: [],
  expired: [],
};

export type OrderSide = 'buy' | 'sell';
export type BrokerOrderType = 'market' | 'limit' | 'stop';

/** One execution reported by the broker (stored by the execution repository with the broker's name). */
export interface BrokerFill {
  clientOrderId: string;
  /** The venue's trade id (idempotency key for storing fills). */
  fillId: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  price: number;
  fee: number;
  feeCurrency?: string;
  /** Epoch ms. */
  ts: number;
}

/**
 * What a stored halt (kill switch, migration 100) stops. `manual` (trade halt, the API): every order.
 * `daily_loss` (a run's loss today reached `risk_limits.max_daily_loss`): orders that open, increase or flip a
 * position; orders that reduce one still pass (the reducing state).
 */
export const HALT_KINDS = ['manual', 'daily_loss'] as const;
export type HaltKind = (typeof HALT_KINDS)[number];
