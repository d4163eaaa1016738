/**
 * Trading state for the CLI and the API: the kill switch (halt / resume, audited) and the status page
 * (halts, limits, P&L today).
 */

import { appendAudit } from '../audit/chain.ts';
import type { ConfigStore } from '../config/store.ts';
import { startOfUtcDay, toIso } from '../core/time.ts';
import type { Db } from '../store/db.ts';
import {
  clearHalt,
  closesBefore,
  fillsSince,
  type HaltRow,
  listHalts,
  listPositions,
  realizedPnlSince,
  setHalt,
  strategyScope,
} from '../store/repos/execution.ts';
import { type DayFill, unrealizedToday } from './pnl-today.ts';
import { type RiskLimits, riskLimitsFrom } from './risk.ts';

/** Halts new orders: every strategy, or one. Audited in the same transaction. */
export async function haltTrading(
  db: Db,
  o: { reason: string; strategy?: string; actor: string },
): Promise<HaltRow> {
  const scope = o.strategy === undefined ? 'global' : strategyScope(o.strategy);
  return db.transaction(async (tx) => {
    const h = await setHalt(tx, scope, o.reason, o.actor);
    await appendAudit(tx, {
      kind: 'risk',
      actor: o.actor,
      action: 'halt',
      subject: scope,
      detail: { reason: o.reason },
    });
    return h;
  });
}

/** Lifts a halt. Audited. */
export async function resumeTrading(
  db: Db,
  o: { strategy?: string; actor: string },
): Promise<{ scope: string; resumed: boolean }> {
  const scope = o.strategy === undefined ? 'global' : strategyScope(o.strategy);
  return db.transaction(async (tx) => {
    const resumed = await clearHalt(tx, scope);
    await appendAudit(tx, {
      kind: 'risk',
      actor: o.actor,
      action: 'resume',
      subject: scope,
      detail: { resumed },
    });
    return { scope, resumed };
  });
}

export interface TradingStatus {
  halted: boolean;
  /** The global halt's reason, else null. */
  reason: string | null;
  halts: HaltRow[];
  limits: RiskLimits & { live_enabled: boolean };
  /**
   * `realized`: net of fees of the fills since 00:00 UTC. `unrealized`: the open positions at the latest close
   * since entry (the positions table). `unrealized_today`: the same positions since 00:00 UTC (pnl-today.ts).
   * `total` = realized + unrealized_today. Positions without a stored close are left out of both.
   */
  pnl_today: { realized: number; unrealized: number; unrealized_today: number; total: number; since: string };
}

export async function tradingStatus(db: Db, config: ConfigStore, now = Date.now()): Promise<TradingStatus> {
  const since = startOfUtcDay(now);
  const [halts, realized, positions, fills] = await Promise.all([
    listHalts(db),
    realizedPnlSince(db, since),
    listPositions(db),
    fillsSince(db, since),
  ]);
  const unrealized = positions.reduce((s, p) => s + (p.unrealized_pnl ?? 0), 0);
  const dayStart = await closesBefore(db, [...new Set(positions.map((p) => p.symbol))], since);
  const byPosition = new Map<string, DayFill[]>();
  for (const f of fills) {
    const key = `${f.broker}\u0000${f.symbol}`;
    byPosition.set(key, [...(byPosition.get(key) ?? []), f]);
  }
  const unrealizedTodaySum = positions.reduce(
    (s, p) =>
      s +
      (unrealizedToday(
        // open positions (qty ≠ 0): the mark is market value / qty
        { qty: p.qty, avgPrice: p.avg_price, mark: p.market_value === null ? null : p.market_value / p.qty },
        dayStart.get(p.symbol) ?? null,
        byPosition.get(`${p.broker}\u0000${p.symbol}`) ?? [],
      ) ?? 0),
    0,
  );
  const global = halts.find((h) => h.scope === 'global');
  return {
    halted: global !== undefined,
    reason: global?.reason ?? null,
    halts,
    limits: { ...riskLimitsFrom(config), live_enabled: config.getBool('trading', 'live_enabled', false) },
    pnl_today: {
      realized,
      unrealized,
      unrealized_today: unrealizedTodaySum,
      total: realized + unrealizedTodaySum,
      since: toIso(since),
    },
  };
}
