import { z } from 'zod';
import { HALT_KINDS, ORDER_STATUSES } from '../../core/orders.ts';
import { adminErrorResponses, adminSecurity, errorResponses } from './common.ts';

/**
 * Trading (issue 21): stored orders and positions (the shapes of `marketpipe orders --json` and
 * `positions --json`), the kill switch and the risk limits. Reads are data routes; halt and resume change
 * state and need the admin JWT.
 */

const OrderStatus = z.enum(ORDER_STATUSES, { error: `expected one of ${ORDER_STATUSES.join(', ')}` });

const Order = z.object({
  id: z.number(),
  client_order_id: z.string(),
  broker: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  type: z.enum(['market', 'limit', 'stop']),
  qty: z.number(),
  limit_price: z.number().nullable(),
  status: OrderStatus,
  filled_qty: z.number(),
  avg_price: z.number().nullable(),
  reason: z.string().nullable().describe('why it was rejected (risk:<rule>: …), cancelled or expired'),
  created_at: z.string(),
  updated_at: z.string(),
});
/** @public for the dashboard's Trading page (web/). */
export type TradingOrder = z.infer<typeof Order>;

const OrdersQuery = z.object({
  status: OrderStatus.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const Position = z.object({
  broker: z.string(),
  symbol: z.string(),
  qty: z.number().describe('signed, positive long'),
  avg_price: z.number(),
  market_value: z.number().nullable().describe('at the latest stored close; null without a bar'),
  unrealized_pnl: z.number().nullable(),
});
/** @public for the dashboard's Trading page (web/). */
export type TradingPosition = z.infer<typeof Position>;

const Halt = z.object({
  scope: z.string(),
  reason: z.string(),
  actor: z.string(),
  kind: z
    .enum(HALT_KINDS)
    .describe(
      'manual: every order refused; daily_loss: the reducing state, orders that reduce a position pass',
    ),
  at: z.string(),
});

const Status = z.object({
  halted: z.boolean().describe('the global kill switch is on'),
  reason: z.string().nullable(),
  halts: z.array(Halt).describe('global and per-strategy halts'),
  limits: z.object({
    maxOrderNotional: z.number(),
    maxPositionNotional: z.number(),
    maxGrossExposure: z.number(),
    maxDailyLoss: z.number(),
    haltOnDepeg: z.boolean(),
    live_enabled: z.boolean(),
  }),
  pnl_today: z.object({
    realized: z.number().describe('realised P&L net of fees of the fills since 00:00 UTC'),
    unrealized: z
      .number()
      .describe('open positions at the latest stored close, since entry (the positions table)'),
    unrealized_today: z
      .number()
      .describe(
        'open positions at the latest stored close since 00:00 UTC: what was held at midnight from the last close before it, what was added today from its fill prices',
      ),
    total: z.number().describe('realized + unrealized_today'),
    since: z.string(),
  }),
});
/** @public for the dashboard's Trading page (web/). */
export type TradingStatus = z.infer<typeof Status>;

const HaltBody = z.strictObject({
  reason: z.string().min(1).max(500).default('manual halt'),
  strategy: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a strategy name')
    .optional()
    .describe('halt only this strategy (default: all)'),
});
const ResumeBody = z
  .strictObject({
    strategy: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a strategy name')
      .optional(),
  })
  .optional();

/** Route schemas (OpenAPI document, validation, serialisation). */
export const tradingRoutes = {
  orders: {
    summary: 'Stored orders, newest first (shape of `orders --json`)',
    tags: ['trading'],
    querystring: OrdersQuery,
    response: { 200: z.object({ orders: z.array(Order) }), ...errorResponses },
  },
  positions: {
    summary: 'Positions per broker at the latest stored close (shape of `positions --json`)',
    tags: ['trading'],
    response: { 200: z.object({ positions: z.array(Position) }), ...errorResponses },
  },
  status: {
    summary: 'Kill switch, risk limits and P&L today',
    tags: ['trading'],
    response: { 200: Status, ...errorResponses },
  },
  halt: {
    summary: 'Kill switch: refuse every new order (all strategies, or one); audited',
    tags: ['trading'],
    security: adminSecurity,
    body: HaltBody,
    response: { 200: Halt, ...adminErrorResponses },
  },
  resume: {
    summary: 'Lift the kill switch (global, or one strategy); audited',
    tags: ['trading'],
    security: adminSecurity,
    body: ResumeBody,
    response: { 200: z.object({ scope: z.string(), resumed: z.boolean() }), ...adminErrorResponses },
  },
} as const;
