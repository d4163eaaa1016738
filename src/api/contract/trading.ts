import { z } from 'zod';
import { errorResponses } from './common.ts';

/**
 * The trading resource (`/api/trading`): orders and positions of the execution schema as `marketpipe orders`
 * and `marketpipe positions` print them, the kill switch and today's P&L. Reads are open like the other data
 * routes; halt and resume need an admin token. The dashboard's Trading page imports these types.
 */

/** The order state machine's statuses (core/orders.ts ORDER_STATUSES; contracts import only zod). */
const OrderStatus = z.enum(
  ['new', 'accepted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired'],
  { error: 'expected new|accepted|partially_filled|filled|cancelled|rejected|expired' },
);
export type OrderStatus = z.infer<typeof OrderStatus>;

/** `GET /api/trading/orders`. */
const OrdersQuery = z.object({
  status: OrderStatus.optional(),
  broker: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'a broker name (lower-case letters, digits, _ or -)')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200).describe('newest first, at most this many'),
});

const Order = z.object({
  id: z.number().int(),
  client_order_id: z.string(),
  broker: z.string(),
  broker_order_id: z.string().nullable(),
  strategy: z.string().nullable(),
  run_id: z.string().nullable(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  type: z.enum(['market', 'limit', 'stop']),
  qty: z.number(),
  limit_price: z.number().nullable(),
  status: OrderStatus,
  filled_qty: z.number(),
  /** Average fill price; null while nothing filled. */
  avg_price: z.number().nullable(),
  /** Why the order is in its status (the refusing risk rule of a rejected order). */
  reason: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const OrderList = z.object({ orders: z.array(Order) });
export type TradingOrderList = z.infer<typeof OrderList>;

const Position = z.object({
  broker: z.string(),
  symbol: z.string(),
  /** Signed, positive long. */
  qty: z.number(),
  avg_price: z.number(),
  /** qty × latest stored close; null without a stored bar. */
  market_value: z.number().nullable(),
  /** qty × (latest close − avg_price); null without a stored bar. */
  unrealized_pnl: z.number().nullable(),
  realized_pnl: z.number(),
});

const PositionList = z.object({ positions: z.array(Position) });
export type TradingPositionList = z.infer<typeof PositionList>;

const Halt = z.object({
  /** `global` (every strategy) or `strategy:NAME`. */
  scope: z.string(),
  reason: z.string(),
  actor: z.string(),
  at: z.string(),
});

/** `GET /api/trading/status`. */
const TradingStatus = z.object({
  /** A global halt stops every new order. */
  halted: z.boolean(),
  /** The global halt's reason; null when not halted. */
  reason: z.string().nullable(),
  /** Every stored halt (global and per strategy). */
  halts: z.array(Halt),
  /** The `risk_limits` parameters in force (0 = no limit). */
  limits: z.object({
    max_order_notional: z.number(),
    max_position_notional: z.number(),
    max_gross_exposure: z.number(),
    max_daily_loss: z.number(),
    halt_on_depeg: z.boolean(),
  }),
  /** Realised P&L net of fees of the fills since 00:00 UTC. */
  pnl_today: z.number(),
  /** Sum of the open positions' unrealised P&L (those with a stored price). */
  unrealized_pnl: z.number(),
  /** Open positions without a stored price (left out of unrealized_pnl). */
  unpriced_positions: z.number().int(),
});
export type TradingStatus = z.infer<typeof TradingStatus>;

/** `POST /api/trading/halt`. */
const HaltBody = z.strictObject({
  reason: z.string().trim().min(1, 'a reason is required').max(500),
});

/** Halt and resume also answer 403 (not an admin) and 503 (no JWT_SECRET: the admin API is off). */
const adminErrors = { ...errorResponses, 403: errorResponses[401], 503: errorResponses[401] };

/** Route schemas (OpenAPI document, validation, serialisation). */
export const tradingRoutes = {
  orders: {
    summary: 'Orders of the execution schema, newest first (filter by status, broker)',
    tags: ['trading'],
    querystring: OrdersQuery,
    response: { 200: OrderList, ...errorResponses },
  },
  positions: {
    summary: 'Open positions with market value and unrealised P&L at the latest stored close',
    tags: ['trading'],
    response: { 200: PositionList, ...errorResponses },
  },
  status: {
    summary: 'Kill-switch state, risk limits in force, P&L today and unrealised',
    tags: ['trading'],
    response: { 200: TradingStatus, ...errorResponses },
  },
  halt: {
    summary: 'Halt every strategy (kill switch); admin token',
    tags: ['trading'],
    security: [{ bearerAuth: [] }],
    body: HaltBody,
    response: { 200: TradingStatus, ...adminErrors },
  },
  resume: {
    summary: 'Lift the global halt; admin token',
    tags: ['trading'],
    security: [{ bearerAuth: [] }],
    response: { 200: TradingStatus, ...adminErrors },
  },
} as const;
