/**
 * The Trading page's view of the execution API (`/api/trading/*`): order statuses in the state machine's
 * order, the halt/resume calls, and the refresh period. The shapes are the contract's
 * (src/api/contract/trading.ts); this module holds what the page does with them.
 */
import type { TradingOrder } from '../../../src/api/contract/trading.ts';
import { ORDER_STATUSES } from '../../../src/core/orders.ts';
import { sendJson } from './api.ts';

export type OrderStatus = TradingOrder['status'];

/** Every status, in the order an order moves through them (new → … → terminal). */
export const ORDER_STATUS_CHOICES: readonly OrderStatus[] = ORDER_STATUSES;

/** How often the page asks again for orders, positions and the halt state (ms). */
export const REFRESH_MS = 3000;

/** `POST /api/trading/halt` without a strategy: stops new orders of every strategy (admin token). */
export async function haltTrading(reason: string): Promise<void> {
  await sendJson('POST', '/api/trading/halt', { reason }, 'halting trading');
}

/** `POST /api/trading/resume` without a strategy: lifts the global halt (a strategy's own stays; admin token). */
export async function resumeTrading(): Promise<void> {
  await sendJson('POST', '/api/trading/resume', {}, 'resuming trading');
}
