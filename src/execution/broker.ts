/**
 * The execution contract: one Broker interface in front of the built-in paper broker and the real venues
 * (Binance spot through ccxt, Alpaca's trading API), so a strategy's orders take the same path whatever
 * executes them. Quantities here are unsigned with an explicit side (as venues speak); the backtest's signed
 * `OrderRequest` becomes a `SubmitOrder` in the runner.
 *
 * Order life cycle (every transition stored with its time and reason):
 *   new → accepted → partially_filled → filled | cancelled | rejected | expired
 * `new` is ours (stored before the venue is asked), the rest come from the venue (or the paper broker).
 */

export {
  type BrokerFill,
  type BrokerOrderType,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  type OrderSide,
  type OrderStatus,
  TERMINAL_STATUSES,
} from '../core/orders.ts';

import type { BrokerFill, BrokerOrderType, OrderSide, OrderStatus } from '../core/orders.ts';

export type BrokerName = 'paper' | 'binance' | 'alpaca' | (string & {});

/** What a strategy run asks a broker to do. */
export interface SubmitOrder {
  /**
   * Deterministic per strategy signal (strategy, run, symbol, signal time, sequence), so a retried submit
   * finds the order the venue already has instead of placing a second one.
   */
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  type: BrokerOrderType;
  /** Unsigned quantity in the instrument's units. */
  qty: number;
  /** Limit or stop price; required for `limit` and `stop`. */
  price?: number;
  timeInForce?: 'gtc' | 'day' | 'ioc';
}

/** An order as the broker reports it. */
export interface BrokerOrder {
  clientOrderId: string;
  /** The venue's own id (undefined while only we know the order). */
  brokerOrderId?: string;
  symbol: string;
  side: OrderSide;
  type: BrokerOrderType;
  qty: number;
  limitPrice?: number;
  status: OrderStatus;
  filledQty: number;
  /** Average fill price (NaN when nothing filled). */
  avgPrice: number;
  /** Why the venue rejected, cancelled or expired it. */
  reason?: string;
  /** UTC ms of the venue's last change. */
  updatedAt: number;
}

export interface BrokerPosition {
  symbol: string;
  /** Signed: positive long. */
  qty: number;
  avgPrice: number;
}

export interface BrokerAccount {
  currency: string;
  cash: number;
  /** Cash plus positions at the broker's marks (NaN when the venue does not report it). */
  equity: number;
}

/** Pushed by a broker whenever an order changes or fills. */
export interface OrderUpdate {
  order: BrokerOrder;
  fill?: BrokerFill;
}

export interface Broker {
  readonly name: BrokerName;
  /** True for a venue that moves real money (or its testnet/paper endpoint); false for the built-in paper broker. */
  readonly external: boolean;
  /**
   * Places an order. Idempotent on `clientOrderId`: when the venue already has that id (a retry after a
   * timeout), the existing order is returned and nothing new is placed.
   */
  submit(order: SubmitOrder): Promise<BrokerOrder>;
  cancel(clientOrderId: string): Promise<BrokerOrder>;
  /** Open orders, or every order the venue still reports when `all`. */
  orders(opts?: { all?: boolean; symbols?: readonly string[] }): Promise<BrokerOrder[]>;
  positions(): Promise<BrokerPosition[]>;
  account(): Promise<BrokerAccount>;
  /** Subscribes to order updates; returns the unsubscribe function. */
  onUpdate(listener: (update: OrderUpdate) => void): () => void;
  close(): Promise<void>;
}
