/**
 * Repository of the `execution` schema (migration 099): orders and their state machine (ORDER_TRANSITIONS of
 * src/execution/broker.ts, enforced here, every transition stored in `order_events`), fills stored once per
 * broker fill id with the position and its average price updated in the same transaction, positions, broker
 * accounts, the kill switch (`halts`) and pre-trade risk decisions.
 */

import { AUDIT_LOCK_CALL } from '../../audit/chain.ts';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import {
  type BrokerFill,
  type BrokerOrderType,
  type HaltKind,
  ORDER_TRANSITIONS,
  type OrderSide,
  type OrderStatus,
} from '../../core/orders.ts';
import type { Queryable } from '../db.ts';
import { inTransaction } from './tx.ts';

/** One order as `orders --json` and `GET /api/trading/orders` show it. */
export interface OrderRow {
  id: number;
  client_order_id: string;
  broker: string;
  broker_order_id: string | null;
  strategy: string | null;
  run_id: string | null;
  symbol: string;
  side: OrderSide;
  type: BrokerOrderType;
  qty: number;
  limit_price: number | null;
  status: OrderStatus;
  filled_qty: number;
  /** Average fill price, null while nothing filled. */
  avg_price: number | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface NewOrder {
  clientOrderId: string;
  broker: string;
  strategy?: string;
  runId?: string;
  symbol: string;
  side: OrderSide;
  type: BrokerOrderType;
  qty: number;
  limitPrice?: number;
  /** Epoch ms. @defaultValue now */
  at?: number;
}

export interface OrderEventRow {
  order_id: number;
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  reason: string | null;
  at: string;
}

/** One position as `positions --json` and `GET /api/trading/positions` show it. */
export interface PositionRow {
  broker: string;
  symbol: string;
  /** Signed, positive long. */
  qty: number;
  avg_price: number;
  /** qty × latest stored close; null without a stored bar. */
  market_value: number | null;
  /** qty × (latest close − avg_price); null without a stored bar. */
  unrealized_pnl: number | null;
  realized_pnl: number;
}

export interface NewFill extends BrokerFill {
  broker: string;
}

export interface HaltRow {
  scope: string;
  reason: string;
  actor: string;
  /** What the halt stops: `daily_loss` lets reducing orders through, `manual` refuses all (migration 100). */
  kind: HaltKind;
  at: string;
}

interface HaltDbRow {
  scope: string;
  reason: string;
  actor: string;
  kind: HaltKind;
  at: Date | string;
}

const haltRow = (r: HaltDbRow): HaltRow => ({
  scope: r.scope,
  reason: r.reason,
  actor: r.actor,
  kind: r.kind,
  at: iso(r.at),
});

export interface RiskDecision {
  clientOrderId: string;
  strategy?: string;
  broker: string;
  symbol: string;
  allowed: boolean;
  /** The rule that refused (null when allowed). */
  rule: string | null;
  detail?: Record<string, unknown>;
  /** Epoch ms. @defaultValue now */
  at?: number;
}

/** A transition ORDER_TRANSITIONS does not allow. */
export class InvalidTransitionError extends ConflictError {}

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

interface DbOrder {
  id: number | string;
  client_order_id: string;
  broker: string;
  broker_order_id: string | null;
  strategy: string | null;
  run_id: string | null;
  symbol: string;
  side: OrderSide;
  type: BrokerOrderType;
  qty: number | string;
  limit_price: number | string | null;
  status: OrderStatus;
  filled_qty: number | string;
  avg_price: number | string | null;
  reason: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const ORDER_COLUMNS =
  'id, client_order_id, broker, broker_order_id, strategy, run_id, symbol, side, type, qty, limit_price, status, filled_qty, avg_price, reason, created_at, updated_at';

function toOrder(r: DbOrder): OrderRow {
  return {
    id: num(r.id),
    client_order_id: r.client_order_id,
    broker: r.broker,
    broker_order_id: r.broker_order_id,
    strategy: r.strategy,
    run_id: r.run_id,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    qty: num(r.qty),
    limit_price: numOrNull(r.limit_price),
    status: r.status,
    filled_qty: num(r.filled_qty),
    avg_price: numOrNull(r.avg_price),
    reason: r.reason,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

/** True when ORDER_TRANSITIONS lets an order move from `from` to `to`. */
function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/** A new order (`new`), idempotent on the client order id; parameters $1–$10 from `orderParams`. */
const INSERT_NEW_ORDER = `INSERT INTO execution.orders
         (client_order_id, broker, strategy, run_id, symbol, side, type, qty, limit_price, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'new', $10, $10)
       ON CONFLICT (client_order_id) DO NOTHING`;

const orderParams = (o: NewOrder, at: Date): unknown[] => [
  o.clientOrderId,
  o.broker,
  o.strategy ?? null,
  o.runId ?? null,
  o.symbol,
  o.side,
  o.type,
  o.qty,
  o.limitPrice ?? null,
  at,
];

/**
 * Stores an order as `new` (and its creation event). Idempotent on the client order id: an order already
 * stored under that id is returned as it is, with `created: false`.
 */
export async function insertOrder(
  db: Queryable,
  o: NewOrder,
): Promise<{ order: OrderRow; created: boolean }> {
  return inTransaction(db, async (tx) => {
    const at = new Date(o.at ?? Date.now());
    const res = await tx.query<DbOrder>(`${INSERT_NEW_ORDER} RETURNING ${ORDER_COLUMNS}`, orderParams(o, at));
    const row = res.rows[0];
    if (row === undefined) {
      const existing = await getOrder(tx, o.clientOrderId);
      if (existing === undefined)
        throw new ConflictError(`order ${o.clientOrderId} vanished while inserting`);
      return { order: existing, created: false };
    }
    await tx.query(
      `INSERT INTO execution.order_events (order_id, from_status, to_status, reason, at) VALUES ($1, NULL, 'new', NULL, $2)`,
      [row.id, at],
    );
    return { order: toOrder(row), created: true };
  });
}

/**
 * A new order as `trade run` stores it, in one statement: the order (`new`), its creation event and its
 * pre-trade risk decision; then, when `takeAuditLock` and the order is new, the audit chain's append lock
 * (`AUDIT_LOCK_CALL`), taken after the insert as `insertOrder` + `appendAudit` take it, so the caller
 * chains its audit entries (`chainEntries(tx, …, { lockHeld: true })`) in its next statement. An order
 * already stored under the client order id stores nothing (`created: false`) and takes no lock.
 */
export async function insertOrderWithDecision(
  tx: Queryable,
  o: NewOrder,
  d: RiskDecision,
  opts: { takeAuditLock?: boolean } = {},
): Promise<{ created: boolean }> {
  const at = new Date(o.at ?? Date.now());
  const res = await tx.query<{ id: number | string }>(
    `WITH o AS (
       ${INSERT_NEW_ORDER} RETURNING id),
     e AS (
       INSERT INTO execution.order_events (order_id, from_status, to_status, reason, at)
       SELECT id, NULL, 'new', NULL, $10::timestamptz FROM o),
     r AS (
       INSERT INTO execution.risk_decisions (at, client_order_id, strategy, broker, symbol, allowed, rule, detail)
       SELECT $11::timestamptz, $12::text, $13::text, $14::text, $15::text, $16::boolean, $17::text, $18::jsonb FROM o)
     SELECT id${opts.takeAuditLock === true ? `, ${AUDIT_LOCK_CALL}` : ''} FROM o`,
    [
      ...orderParams(o, at),
      new Date(d.at ?? Date.now()),
      d.clientOrderId,
      d.strategy ?? null,
      d.broker,
      d.symbol,
      d.allowed,
      d.rule,
      JSON.stringify(d.detail ?? {}),
    ],
  );
  return { created: res.rows.length > 0 };
}

export async function getOrder(db: Queryable, clientOrderId: string): Promise<OrderRow | undefined> {
  const res = await db.query<DbOrder>(
    `SELECT ${ORDER_COLUMNS} FROM execution.orders WHERE client_order_id = $1`,
    [clientOrderId],
  );
  const r = res.rows[0];
  return r === undefined ? undefined : toOrder(r);
}

export interface TransitionOptions {
  reason?: string;
  brokerOrderId?: string;
  /** The venue's cumulative filled quantity and average price (kept when left out). */
  filledQty?: number;
  avgPrice?: number;
  /** Epoch ms. @defaultValue now */
  at?: number;
}

/**
 * Moves an order to `to`, refusing (InvalidTransitionError) what ORDER_TRANSITIONS forbids, and stores the
 * event. Repeating the status an order already has (other than a further partial fill) changes nothing and
 * stores no event, so a venue's repeated update is harmless.
 */
export async function transitionOrder(
  db: Queryable,
  clientOrderId: string,
  to: OrderStatus,
  opts: TransitionOptions = {},
): Promise<OrderRow> {
  return inTransaction(db, async (tx) => {
    const res = await tx.query<DbOrder>(
      `SELECT ${ORDER_COLUMNS} FROM execution.orders WHERE client_order_id = $1 FOR UPDATE`,
      [clientOrderId],
    );
    const cur = res.rows[0];
    if (cur === undefined) throw new NotFoundError(`no order ${clientOrderId}`);
    if (cur.status === to && to !== 'partially_filled') return toOrder(cur);
    if (!canTransition(cur.status, to)) {
      throw new InvalidTransitionError(`order ${clientOrderId} cannot go from ${cur.status} to ${to}`);
    }
    const at = new Date(opts.at ?? Date.now());
    // the update and its event in one statement
    const up = await tx.query<DbOrder>(
      `WITH up AS (
         UPDATE execution.orders SET status = $2, reason = COALESCE($3, reason),
           broker_order_id = COALESCE($4, broker_order_id), filled_qty = COALESCE($5, filled_qty),
           avg_price = COALESCE($6, avg_price), updated_at = $7
         WHERE id = $1 RETURNING ${ORDER_COLUMNS}),
       ev AS (
         INSERT INTO execution.order_events (order_id, from_status, to_status, reason, at)
         VALUES ($1, $8, $2, $3, $7))
       SELECT ${ORDER_COLUMNS} FROM up`,
      [
        cur.id,
        to,
        opts.reason ?? null,
        opts.brokerOrderId ?? null,
        opts.filledQty ?? null,
        opts.avgPrice === undefined || Number.isNaN(opts.avgPrice) ? null : opts.avgPrice,
        at,
        cur.status,
      ],
    );
    const row = up.rows[0];
    if (row === undefined) throw new NotFoundError(`no order ${clientOrderId}`);
    return toOrder(row);
  });
}

export async function listOrderEvents(db: Queryable, clientOrderId: string): Promise<OrderEventRow[]> {
  const res = await db.query<{
    order_id: number | string;
    from_status: OrderStatus | null;
    to_status: OrderStatus;
    reason: string | null;
    at: Date | string;
  }>(
    `SELECT e.order_id, e.from_status, e.to_status, e.reason, e.at FROM execution.order_events e
       JOIN execution.orders o ON o.id = e.order_id WHERE o.client_order_id = $1 ORDER BY e.id`,
    [clientOrderId],
  );
  return res.rows.map((r) => ({
    order_id: num(r.order_id),
    from_status: r.from_status,
    to_status: r.to_status,
    reason: r.reason,
    at: iso(r.at),
  }));
}

export interface OrderFilter {
  status?: OrderStatus;
  broker?: string;
  strategy?: string;
  runId?: string;
  /** Newest first, at most this many. @defaultValue 1000 */
  limit?: number;
}

/** Orders, newest first. */
export async function listOrders(db: Queryable, f: OrderFilter = {}): Promise<OrderRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown): void => {
    params.push(v);
    where.push(`${sql} = $${params.length}`);
  };
  if (f.status !== undefined) add('status', f.status);
  if (f.broker !== undefined) add('broker', f.broker);
  if (f.strategy !== undefined) add('strategy', f.strategy);
  if (f.runId !== undefined) add('run_id', f.runId);
  params.push(f.limit ?? 1000);
  const res = await db.query<DbOrder>(
    `SELECT ${ORDER_COLUMNS} FROM execution.orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return res.rows.map(toOrder);
}

/**
 * What a broker reported about one order (a live update or a reconciled change): its fill, stored first so
 * the position follows, then its new status, in one transaction. A status the state machine refuses leaves
 * the order as it was (`transitioned: false`) and keeps the fill: the venue did fill.
 */
export async function applyOrderUpdate(
  db: Queryable,
  clientOrderId: string,
  to: OrderStatus,
  opts: TransitionOptions & { fill?: NewFill },
): Promise<{ transitioned: boolean; fillInserted: boolean }> {
  const { fill, ...transition } = opts;
  return inTransaction(db, async (tx) => {
    const fillInserted = fill === undefined ? false : (await addFill(tx, fill)).inserted;
    try {
      await transitionOrder(tx, clientOrderId, to, transition);
      return { transitioned: true, fillInserted };
    } catch (err) {
      if (err instanceof InvalidTransitionError) return { transitioned: false, fillInserted };
      throw err;
    }
  });
}

/**
 * Stores a fill once per (broker, fill id) and, when it is new, updates the position (average-cost
 * accounting: adding moves the average, reducing realises P&L, a flip opens at the fill price) and the
 * order's filled quantity and average price, all in one transaction. A repeated fill changes nothing.
 */
export async function addFill(
  db: Queryable,
  f: NewFill,
): Promise<{ inserted: boolean; position: Pick<PositionRow, 'qty' | 'avg_price' | 'realized_pnl'> }> {
  return inTransaction(db, async (tx) => {
    const pos = await tx.query<{
      qty: number | string;
      avg_price: number | string;
      realized_pnl: number | string;
    }>(
      `SELECT qty, avg_price, realized_pnl FROM execution.positions WHERE broker = $1 AND symbol = $2 FOR UPDATE`,
      [f.broker, f.symbol],
    );
    const p = pos.rows[0];
    const before = p === undefined ? 0 : num(p.qty);
    const avg = p === undefined ? 0 : num(p.avg_price);
    const signed = f.side === 'buy' ? f.qty : -f.qty;
    let after = before + signed;
    if (Math.abs(after) < 1e-12) after = 0;
    let newAvg = avg;
    let realized = 0;
    if (before === 0 || Math.sign(signed) === Math.sign(before)) {
      newAvg = after === 0 ? 0 : (avg * before + f.price * signed) / after;
    } else {
      const closing = Math.abs(signed) >= Math.abs(before) ? -before : signed;
      realized = -closing * (f.price - avg);
      newAvg = after === 0 ? 0 : Math.sign(after) !== Math.sign(before) ? f.price : avg;
    }
    // One statement: the fill (once per broker fill id) and, when it is new, the position and the order's
    // fill figures. The order's figures follow its stored fills (the venue's cumulative figure, when ahead,
    // is kept): the fills stored before this one (this statement's snapshot does not see the new row) plus
    // this one, in the order SUM over all of them adds them.
    const res = await tx.query<{
      qty: number | string;
      avg_price: number | string;
      realized_pnl: number | string;
    }>(
      `WITH ins AS (
         INSERT INTO execution.fills (order_id, broker, fill_id, symbol, side, qty, price, fee, fee_currency, realized_pnl, ts)
         VALUES ((SELECT id FROM execution.orders WHERE client_order_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (broker, fill_id) DO NOTHING RETURNING order_id, qty, price),
       pos AS (
         INSERT INTO execution.positions (broker, symbol, qty, avg_price, realized_pnl, updated_at)
         SELECT $2, $4, $12::float8, $13::float8, $10, $11 FROM ins
         ON CONFLICT (broker, symbol) DO UPDATE SET qty = EXCLUDED.qty, avg_price = EXCLUDED.avg_price,
           realized_pnl = execution.positions.realized_pnl + EXCLUDED.realized_pnl, updated_at = EXCLUDED.updated_at
         RETURNING qty, avg_price, realized_pnl),
       f AS (
         SELECT ins.order_id, COALESCE(prev.qty + ins.qty, ins.qty) AS qty,
                COALESCE(prev.notional + ins.qty * ins.price, ins.qty * ins.price) AS notional,
                prev.n + 1 AS n, ins.price
           FROM ins CROSS JOIN LATERAL (
             SELECT SUM(qty) AS qty, SUM(qty * price) AS notional, COUNT(*) AS n FROM execution.fills
              WHERE order_id = ins.order_id) prev),
       ord AS (
         UPDATE execution.orders o SET
           avg_price = CASE WHEN f.qty < o.filled_qty THEN o.avg_price WHEN f.n = 1 THEN f.price ELSE f.notional / f.qty END,
           filled_qty = GREATEST(o.filled_qty, f.qty), updated_at = GREATEST(o.updated_at, $11::timestamptz)
         FROM f WHERE o.id = f.order_id AND f.qty > 0)
       SELECT qty, avg_price, realized_pnl FROM pos`,
      [
        f.clientOrderId,
        f.broker,
        f.fillId,
        f.symbol,
        f.side,
        f.qty,
        f.price,
        f.fee,
        f.feeCurrency ?? null,
        realized,
        new Date(f.ts),
        after,
        newAvg,
      ],
    );
    const stored = res.rows[0];
    const inserted = stored !== undefined;
    // a repeated fill changes nothing: the position is the one read (and locked) above
    const r = stored ?? p;
    if (r === undefined) throw new NotFoundError(`no position ${f.broker} ${f.symbol}`);
    return {
      inserted,
      position: { qty: num(r.qty), avg_price: num(r.avg_price), realized_pnl: num(r.realized_pnl) },
    };
  });
}

export interface PositionFilter {
  broker?: string;
  symbol?: string;
  /** Keep positions that are flat now. @defaultValue false */
  includeFlat?: boolean;
}

/** Every bar interval (the latest close of any of them marks a position; one index probe each). */
const MARK_INTERVALS = ['1m', '5m', '15m', '30m', '1h', '4h', '1d'] as const;

/** Positions with their market value and unrealised P&L at the latest stored close of the symbol. */
export async function listPositions(db: Queryable, f: PositionFilter = {}): Promise<PositionRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.broker !== undefined) {
    params.push(f.broker);
    where.push(`p.broker = $${params.length}`);
  }
  if (f.symbol !== undefined) {
    params.push(f.symbol);
    where.push(`p.symbol = $${params.length}`);
  }
  if (f.includeFlat !== true) where.push('p.qty <> 0');
  const res = await db.query<{
    broker: string;
    symbol: string;
    qty: number | string;
    avg_price: number | string;
    realized_pnl: number | string;
    mark: number | string | null;
  }>(
    `SELECT p.broker, p.symbol, p.qty, p.avg_price, p.realized_pnl,
       (SELECT x.close FROM (${MARK_INTERVALS.map(
         (
           iv,
         ) => `(SELECT b.ts, b.close FROM market_data.bars b WHERE b.instrument_id = i.id AND b.interval = '${iv}'
                    ORDER BY b.ts DESC LIMIT 1)`,
       ).join(' UNION ALL ')}) x ORDER BY x.ts DESC LIMIT 1) AS mark
     FROM execution.positions p LEFT JOIN market_data.instruments i ON i.symbol = p.symbol ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY p.broker, p.symbol`,
    params,
  );
  return res.rows.map((r) => {
    const qty = num(r.qty);
    const avg = num(r.avg_price);
    const mark = numOrNull(r.mark);
    return {
      broker: r.broker,
      symbol: r.symbol,
      qty,
      avg_price: avg,
      market_value: mark === null ? null : qty * mark,
      unrealized_pnl: mark === null ? null : qty * (mark - avg),
      realized_pnl: num(r.realized_pnl),
    };
  });
}

/** The latest stored close strictly before `beforeMs` of each symbol (any interval), for the P&L today. */
export async function closesBefore(
  db: Queryable,
  symbols: readonly string[],
  beforeMs: number,
): Promise<Map<string, number>> {
  if (symbols.length === 0) return new Map();
  const res = await db.query<{ symbol: string; close: number | string | null }>(
    `SELECT i.symbol,
       (SELECT x.close FROM (${MARK_INTERVALS.map(
         (iv) => `(SELECT b.ts, b.close FROM market_data.bars b
                    WHERE b.instrument_id = i.id AND b.interval = '${iv}' AND b.ts < $2
                    ORDER BY b.ts DESC LIMIT 1)`,
       ).join(' UNION ALL ')}) x ORDER BY x.ts DESC LIMIT 1) AS close
     FROM market_data.instruments i WHERE i.symbol = ANY($1::text[])`,
    [symbols, new Date(beforeMs)],
  );
  const out = new Map<string, number>();
  for (const r of res.rows) if (r.close !== null) out.set(r.symbol, num(r.close));
  return out;
}

/** Fills since `sinceMs`, oldest first (the P&L today replays them per position). */
export async function fillsSince(
  db: Queryable,
  sinceMs: number,
): Promise<Array<{ broker: string; symbol: string; side: OrderSide; qty: number; price: number }>> {
  const res = await db.query<{
    broker: string;
    symbol: string;
    side: OrderSide;
    qty: number | string;
    price: number | string;
  }>('SELECT broker, symbol, side, qty, price FROM execution.fills WHERE ts >= $1 ORDER BY ts, id', [
    new Date(sinceMs),
  ]);
  return res.rows.map((r) => ({ ...r, qty: num(r.qty), price: num(r.price) }));
}

/** Realised P&L net of fees of the fills since `sinceMs` (for the daily loss limit and the status page). */
export async function realizedPnlSince(db: Queryable, sinceMs: number, broker?: string): Promise<number> {
  const res = await db.query<{ pnl: number | string | null }>(
    `SELECT SUM(realized_pnl - fee) AS pnl FROM execution.fills WHERE ts >= $1 AND ($2::text IS NULL OR broker = $2)`,
    [new Date(sinceMs), broker ?? null],
  );
  return num(res.rows[0]?.pnl ?? 0);
}

/** Records a broker account's cash and equity as last reported. */
export async function upsertAccount(
  db: Queryable,
  a: { broker: string; currency: string; cash: number; equity: number; at?: number },
): Promise<void> {
  await db.query(
    `INSERT INTO execution.accounts (broker, currency, cash, equity, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (broker) DO UPDATE SET currency = EXCLUDED.currency, cash = EXCLUDED.cash,
       equity = EXCLUDED.equity, updated_at = EXCLUDED.updated_at`,
    [a.broker, a.currency, a.cash, Number.isNaN(a.equity) ? null : a.equity, new Date(a.at ?? Date.now())],
  );
}

/** The kill-switch scope of one strategy (`global` halts every strategy). */
export function strategyScope(strategy: string): string {
  return `strategy:${strategy}`;
}

/**
 * Halts new orders in `scope` (`global` or `strategy:NAME`); halting again updates the reason, actor and kind.
 * `kind` decides what passes (HALT_KINDS), never the actor. @defaultValue kind 'manual'
 */
export async function setHalt(
  db: Queryable,
  scope: string,
  reason: string,
  actor = 'system',
  at = Date.now(),
  kind: HaltKind = 'manual',
): Promise<HaltRow> {
  const res = await db.query<HaltDbRow>(
    `INSERT INTO execution.halts (scope, reason, actor, kind, at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (scope) DO UPDATE SET reason = EXCLUDED.reason, actor = EXCLUDED.actor, kind = EXCLUDED.kind,
       at = EXCLUDED.at
     RETURNING scope, reason, actor, kind, at`,
    [scope, reason, actor, kind, new Date(at)],
  );
  const r = res.rows[0];
  if (r === undefined) throw new NotFoundError(`halt ${scope} not stored`);
  return haltRow(r);
}

/** Lifts a halt; true when there was one. */
export async function clearHalt(db: Queryable, scope: string): Promise<boolean> {
  const res = await db.query(`DELETE FROM execution.halts WHERE scope = $1 RETURNING scope`, [scope]);
  return res.rows.length > 0;
}

export async function listHalts(db: Queryable): Promise<HaltRow[]> {
  const res = await db.query<HaltDbRow>(
    'SELECT scope, reason, actor, kind, at FROM execution.halts ORDER BY scope',
  );
  return res.rows.map(haltRow);
}

/** The halt that stops `strategy` (global first), or undefined when it may trade. */
export async function activeHalt(db: Queryable, strategy?: string): Promise<HaltRow | undefined> {
  const halts = await listHalts(db);
  return (
    halts.find((h) => h.scope === 'global') ??
    (strategy === undefined ? undefined : halts.find((h) => h.scope === strategyScope(strategy)))
  );
}

export async function insertRiskDecision(db: Queryable, d: RiskDecision): Promise<void> {
  await db.query(
    `INSERT INTO execution.risk_decisions (at, client_order_id, strategy, broker, symbol, allowed, rule, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      new Date(d.at ?? Date.now()),
      d.clientOrderId,
      d.strategy ?? null,
      d.broker,
      d.symbol,
      d.allowed,
      d.rule,
      JSON.stringify(d.detail ?? {}),
    ],
  );
}
