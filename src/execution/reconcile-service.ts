/**
 * Reconciliation wired to the store: reads our orders and positions for one broker (`execution.*`), asks the
 * broker for its own, lets `reconcile` decide, then applies the reconciled transitions (fills first, so
 * positions follow) and raises one `reconcile_mismatch` alert (`alerts.alerts`) per difference. An alert is
 * raised once: the same difference found by a later run, while its alert is open, raises nothing new.
 * Run on start and periodically by the trading runner.
 */
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Db, Queryable } from '../store/db.ts';
import { insertAlert } from '../store/repos/alerts.ts';
import { applyOrderUpdate, listOrders, listPositions } from '../store/repos/execution.ts';
import type { Broker } from './broker.ts';
import { type Mismatch, type ReconcileTransition, reconcile, type StoredOrder } from './reconcile.ts';

export interface ReconcileDeps {
  db: Db;
  broker: Broker;
  log?: Pick<Logger, 'info' | 'warn'>;
  /** @defaultValue Date.now */
  now?: () => number;
  /** Compare positions only in symbols we have records of (see ReconcileOptions). @defaultValue false */
  onlyKnownSymbols?: boolean;
}

export interface ReconcileReport {
  broker: string;
  /** Transitions applied (reason `reconciled`). */
  applied: ReconcileTransition[];
  mismatches: Mismatch[];
  /** Ids of the alerts this run raised (a mismatch whose alert is still open raises none). */
  alerts: number[];
}

async function openAlertExists(db: Queryable, broker: string, key: string): Promise<boolean> {
  const res = await db.query(
    `SELECT 1 FROM alerts.alerts
      WHERE type = 'reconcile_mismatch' AND state = 'open' AND $1 = ANY(venues) AND details->>'key' = $2 LIMIT 1`,
    [broker, key],
  );
  return res.rows.length > 0;
}

export async function reconcileBroker(deps: ReconcileDeps): Promise<ReconcileReport> {
  const { db, broker } = deps;
  const now = deps.now ?? Date.now;
  // oldest first (listOrders answers newest first), so transitions and alerts follow the order of placing
  const rows = (await listOrders(db, { broker: broker.name, limit: 100_000 })).reverse();
  const storedOrders: StoredOrder[] = rows.map((r) => ({
    clientOrderId: r.client_order_id,
    brokerOrderId: r.broker_order_id ?? undefined,
    symbol: r.symbol,
    side: r.side,
    status: r.status,
    filledQty: r.filled_qty,
    avgPrice: r.avg_price ?? Number.NaN,
  }));
  const storedPositions = (await listPositions(db, { broker: broker.name, includeFlat: true })).map((p) => ({
    symbol: p.symbol,
    qty: p.qty,
  }));
  const symbols = [
    ...new Set([...storedOrders.map((o) => o.symbol), ...storedPositions.map((p) => p.symbol)]),
  ];
  const [venueOrders, venuePositions] = await Promise.all([
    broker.orders({ all: true, symbols: symbols.length > 0 ? symbols : undefined }),
    broker.positions(),
  ]);
  const result = reconcile(
    { storedOrders, venueOrders, storedPositions, venuePositions },
    { onlyKnownSymbols: deps.onlyKnownSymbols },
  );

  const applied: ReconcileTransition[] = [];
  const mismatches = [...result.mismatches];
  for (const t of result.transitions) {
    // The order may have moved between our read and this write (a live update): the next run sees it settled.
    const done = await applyOrderUpdate(db, t.clientOrderId, t.to, {
      reason: t.reason,
      brokerOrderId: t.brokerOrderId,
      filledQty: t.filledQty,
      avgPrice: t.avgPrice,
      at: now(),
      fill: t.fill && { ...t.fill, broker: broker.name },
    }).catch((err: unknown) => {
      deps.log?.warn(
        { broker: broker.name, clientOrderId: t.clientOrderId, err: describeError(err) },
        'reconciled transition not applied',
      );
      return undefined;
    });
    if (done?.transitioned) applied.push(t);
    else if (done)
      deps.log?.warn(
        { broker: broker.name, clientOrderId: t.clientOrderId },
        'reconciled transition not applied',
      );
  }

  const alerts: number[] = [];
  for (const m of mismatches) {
    if (await openAlertExists(db, broker.name, m.key)) continue;
    const venueQty = m.venue && typeof m.venue.qty === 'number' ? m.venue.qty : undefined;
    const venueFilled = m.venue && typeof m.venue.filled_qty === 'number' ? m.venue.filled_qty : undefined;
    const row = await insertAlert(db, {
      type: 'reconcile_mismatch',
      asset: m.symbol,
      ts: now(),
      // `price` holds the venue's quantity (position or filled), 0 when the venue has nothing
      price: venueQty ?? venueFilled ?? 0,
      threshold: 0,
      venues: [broker.name],
      details: {
        key: m.key,
        kind: m.kind,
        message: m.message,
        client_order_id: m.clientOrderId ?? null,
        stored: m.stored,
        venue: m.venue,
      },
    });
    alerts.push(row.id);
    deps.log?.warn({ broker: broker.name, alert: row.id, kind: m.kind }, m.message);
  }
  deps.log?.info(
    { broker: broker.name, applied: applied.length, mismatches: mismatches.length, alerts: alerts.length },
    'reconciled with the broker',
  );
  return { broker: broker.name, applied, mismatches, alerts };
}
