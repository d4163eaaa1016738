/**
 * Reconciliation: our stored orders and positions against what the broker reports. Pure — it only decides.
 * What the venue did while we were not listening (a fill, a cancel, an expiry) and the state machine allows
 * becomes a transition with reason `reconciled` (with the fill it implies); anything else — an order the venue
 * does not know, one it knows and we do not, a terminal order that disagrees, a position that differs after
 * those fills — is a mismatch for a human, never written over our record.
 */
import {
  type BrokerFill,
  type BrokerOrder,
  type BrokerPosition,
  ORDER_TRANSITIONS,
  type OrderStatus,
  TERMINAL_STATUSES,
} from './broker.ts';
import { derivedFill } from './order-poller.ts';

/** Our record of an order (what `execution.orders` holds). */
export interface StoredOrder {
  clientOrderId: string;
  brokerOrderId?: string;
  symbol: string;
  side: 'buy' | 'sell';
  status: OrderStatus;
  filledQty: number;
  /** NaN when nothing filled. */
  avgPrice: number;
}

interface StoredPosition {
  symbol: string;
  /** Signed. */
  qty: number;
}

export interface ReconcileTransition {
  clientOrderId: string;
  from: OrderStatus;
  to: OrderStatus;
  reason: 'reconciled';
  brokerOrderId?: string;
  filledQty: number;
  avgPrice: number;
  /** The execution implied by the filled quantity growing (none when it did not). */
  fill?: BrokerFill;
}

type MismatchKind =
  /** We hold an open order the venue does not report. */
  | 'order_missing_at_venue'
  /** The venue reports an order we never stored. */
  | 'order_unknown'
  /** The venue's status cannot follow ours (e.g. ours filled, theirs open). */
  | 'order_status'
  /** The venue reports less filled than we stored. */
  | 'order_fill'
  /** Position quantities differ after the reconciled fills. */
  | 'position';

export interface Mismatch {
  kind: MismatchKind;
  /** Stable identity of the difference (the same difference found again has the same key). */
  key: string;
  symbol: string;
  clientOrderId?: string;
  /** One line for humans. */
  message: string;
  stored: Record<string, unknown> | null;
  venue: Record<string, unknown> | null;
}

export interface ReconcileResult {
  transitions: ReconcileTransition[];
  mismatches: Mismatch[];
}

export interface ReconcileInput {
  storedOrders: readonly StoredOrder[];
  venueOrders: readonly BrokerOrder[];
  storedPositions: readonly StoredPosition[];
  venuePositions: readonly BrokerPosition[];
}

export interface ReconcileOptions {
  /** Quantities closer than this are equal. @defaultValue 1e-9 */
  tolerance?: number;
  /**
   * Compare positions only in symbols we store orders or positions for (a Binance account also holds coins
   * no strategy traded). @defaultValue false
   */
  onlyKnownSymbols?: boolean;
}

const orderView = (o: StoredOrder | BrokerOrder) => ({
  status: o.status,
  filled_qty: o.filledQty,
  avg_price: Number.isNaN(o.avgPrice) ? null : o.avgPrice,
});

export function reconcile(input: ReconcileInput, opts: ReconcileOptions = {}): ReconcileResult {
  const tol = opts.tolerance ?? 1e-9;
  const transitions: ReconcileTransition[] = [];
  const mismatches: Mismatch[] = [];
  const venueById = new Map(input.venueOrders.map((o) => [o.clientOrderId, o]));
  const storedIds = new Set(input.storedOrders.map((o) => o.clientOrderId));

  for (const s of input.storedOrders) {
    const v = venueById.get(s.clientOrderId);
    const base = { symbol: s.symbol, clientOrderId: s.clientOrderId };
    if (!v) {
      // A finished order may have aged out of the venue's history; an open one must be there.
      if (!TERMINAL_STATUSES.has(s.status)) {
        mismatches.push({
          ...base,
          kind: 'order_missing_at_venue',
          key: `order_missing_at_venue:${s.clientOrderId}`,
          message: `order ${s.clientOrderId} is ${s.status} here but the venue does not report it`,
          stored: orderView(s),
          venue: null,
        });
      }
      continue;
    }
    const sameFill = Math.abs(v.filledQty - s.filledQty) <= tol;
    if (v.status === s.status && sameFill) continue;
    if (v.filledQty < s.filledQty - tol) {
      mismatches.push({
        ...base,
        kind: 'order_fill',
        key: `order_fill:${s.clientOrderId}:${v.filledQty}`,
        message: `order ${s.clientOrderId}: venue reports ${v.filledQty} filled, we stored ${s.filledQty}`,
        stored: orderView(s),
        venue: orderView(v),
      });
      continue;
    }
    const allowed =
      !TERMINAL_STATUSES.has(s.status) &&
      (ORDER_TRANSITIONS[s.status].includes(v.status) || (v.status === s.status && !sameFill));
    if (!allowed) {
      mismatches.push({
        ...base,
        kind: 'order_status',
        key: `order_status:${s.clientOrderId}:${v.status}:${v.filledQty}`,
        message: `order ${s.clientOrderId} is ${s.status} (${s.filledQty} filled) here, ${v.status} (${v.filledQty} filled) at the venue`,
        stored: orderView(s),
        venue: orderView(v),
      });
      continue;
    }
    const prev: BrokerOrder = {
      ...v,
      status: s.status,
      filledQty: s.filledQty,
      avgPrice: s.avgPrice,
    };
    transitions.push({
      clientOrderId: s.clientOrderId,
      from: s.status,
      to: v.status,
      reason: 'reconciled',
      brokerOrderId: v.brokerOrderId ?? s.brokerOrderId,
      filledQty: v.filledQty,
      avgPrice: v.avgPrice,
      fill: sameFill ? undefined : derivedFill(prev, v),
    });
  }

  for (const v of input.venueOrders) {
    if (storedIds.has(v.clientOrderId)) continue;
    mismatches.push({
      kind: 'order_unknown',
      key: `order_unknown:${v.clientOrderId}`,
      symbol: v.symbol,
      clientOrderId: v.clientOrderId,
      message: `the venue reports order ${v.clientOrderId} (${v.side} ${v.qty} ${v.symbol}, ${v.status}) that we never placed`,
      stored: null,
      venue: { ...orderView(v), side: v.side, qty: v.qty },
    });
  }

  // Positions as they will be once the reconciled fills are stored.
  const expected = new Map<string, number>();
  for (const p of input.storedPositions) expected.set(p.symbol, (expected.get(p.symbol) ?? 0) + p.qty);
  for (const t of transitions) {
    if (!t.fill) continue;
    const signed = t.fill.side === 'buy' ? t.fill.qty : -t.fill.qty;
    expected.set(t.fill.symbol, (expected.get(t.fill.symbol) ?? 0) + signed);
  }
  const known = new Set([
    ...input.storedOrders.map((o) => o.symbol),
    ...input.storedPositions.map((p) => p.symbol),
  ]);
  const venueQty = new Map<string, number>();
  for (const p of input.venuePositions) venueQty.set(p.symbol, (venueQty.get(p.symbol) ?? 0) + p.qty);
  const symbols = [...new Set([...expected.keys(), ...venueQty.keys()])]
    .filter((s) => !opts.onlyKnownSymbols || known.has(s))
    .sort();
  for (const symbol of symbols) {
    const ours = expected.get(symbol) ?? 0;
    const theirs = venueQty.get(symbol) ?? 0;
    if (Math.abs(ours - theirs) <= tol) continue;
    mismatches.push({
      kind: 'position',
      key: `position:${symbol}:${theirs}:${ours}`,
      symbol,
      message: `position ${symbol}: venue holds ${theirs}, our records say ${ours}`,
      stored: { qty: ours },
      venue: { qty: theirs },
    });
  }
  return { transitions, mismatches };
}
