/**
 * Pre-trade risk: one pure check run before every order is sent, on limits read from the config parameters
 * (`risk_limits.*`, migration 099) and a snapshot of the account the runner keeps. The first rule that
 * refuses names itself; the order is then stored `rejected` with `risk:<rule>` as its reason.
 *
 * A limit of 0 is off. Notional limits compare with `>`: an order that lands exactly on a limit passes.
 * Position and gross-exposure limits refuse only orders that raise the figure beyond the limit; an order that
 * reduces an over-limit position passes (it is the way back inside).
 *
 * Daily loss puts the strategy in a reducing state (NautilusTrader's `TradingState.REDUCING`): once the loss
 * reaches `max_daily_loss`, or while the halt that breach left is in force, orders that open, increase or flip
 * a position are refused (`max_daily_loss`), and an order that only brings a position toward zero (same sign,
 * smaller, or exactly flat) passes the rule — a loss must never trap a trader in the position that made it.
 * The manual kill switch and `halt_on_depeg` stay total: they refuse everything.
 */
import type { ConfigStore } from '../config/store.ts';
import type { HaltKind } from '../core/orders.ts';
import type { OrderSide } from './broker.ts';

export interface RiskLimits {
  maxOrderNotional: number;
  maxPositionNotional: number;
  maxGrossExposure: number;
  /** Loss since the start of the UTC day (positive number) that puts the strategy in a reducing state. */
  maxDailyLoss: number;
  haltOnDepeg: boolean;
}

const RISK_RULES = [
  'kill_switch',
  'max_daily_loss',
  'halt_on_depeg',
  'max_order_notional',
  'max_position_notional',
  'max_gross_exposure',
] as const;
type RiskRule = (typeof RISK_RULES)[number];

/** The limits as configured now. */
export function riskLimitsFrom(config: ConfigStore): RiskLimits {
  return {
    maxOrderNotional: config.getFloat('risk_limits', 'max_order_notional', 0),
    maxPositionNotional: config.getFloat('risk_limits', 'max_position_notional', 0),
    maxGrossExposure: config.getFloat('risk_limits', 'max_gross_exposure', 0),
    maxDailyLoss: config.getFloat('risk_limits', 'max_daily_loss', 0),
    haltOnDepeg: config.getBool('risk_limits', 'halt_on_depeg', true),
  };
}

/** Actor of the halt a run stores when its daily loss reaches `max_daily_loss` (shown, not decisive: see kind). */
export const DAILY_LOSS_HALT_ACTOR = 'risk';

/**
 * A stored halt as the check sees it: the one a daily-loss breach left on a strategy (kind `daily_loss`) is
 * reducing; any other (`trade halt`, the API, a global halt) refuses everything, whoever its actor is.
 */
export function haltState(h: {
  scope: string;
  reason: string;
  kind: HaltKind;
}): NonNullable<RiskState['halt']> {
  return {
    scope: h.scope,
    reason: h.reason,
    reducing: h.kind === 'daily_loss' && h.scope !== 'global',
  };
}

/** What the check knows of the account when an order comes. */
export interface RiskState {
  /**
   * An active kill switch (global or this strategy's), or undefined. `reducing`: the halt a daily-loss breach
   * left (orders that reduce a position still pass); otherwise it refuses everything.
   */
  halt?: { scope: string; reason: string; reducing?: boolean };
  /** Signed positions by symbol. */
  positions: ReadonlyMap<string, number>;
  /** Latest price by symbol (positions without one count at the order's price when it is theirs, else 0). */
  marks: ReadonlyMap<string, number>;
  /** Profit (negative: loss) since the start of the UTC day, fees included. */
  dailyPnl: number;
  /** Stablecoins with an open depeg alert. */
  depegged: ReadonlySet<string>;
  /** Currency the account quotes in (USDT on a USDT-quoted exchange). */
  quoteCurrency: string;
}

export interface RiskOrder {
  symbol: string;
  side: OrderSide;
  qty: number;
  /** Price the order is expected to trade at (quote, limit). */
  price: number;
}

export type RiskVerdict =
  | {
      allowed: true;
      detail: Record<string, number | string>;
      /** Allowed only because it reduces a position while the strategy is in the reducing state. */
      reduceOnly?: { rule: 'max_daily_loss'; message: string };
    }
  | { allowed: false; rule: RiskRule; message: string; detail: Record<string, number | string> };

/** Checks one order; the first rule (in RISK_RULES order) that refuses wins. */
export function checkOrder(order: RiskOrder, state: RiskState, limits: RiskLimits): RiskVerdict {
  const notional = Math.abs(order.qty * order.price);
  const signed = order.side === 'buy' ? order.qty : -order.qty;
  const before = state.positions.get(order.symbol) ?? 0;
  const after = before + signed;
  const detail: Record<string, number | string> = { notional, position_after: after };
  const refuse = (rule: RiskRule, message: string): RiskVerdict => ({
    allowed: false,
    rule,
    message,
    detail,
  });

  // reducing: toward zero without crossing it
  const reduces =
    before !== 0 &&
    (after === 0 || (Math.sign(after) === Math.sign(before) && Math.abs(after) < Math.abs(before)));
  let reducing: string | undefined;
  if (state.halt !== undefined) {
    if (state.halt.reducing !== true)
      return refuse('kill_switch', `trading halted (${state.halt.scope}): ${state.halt.reason}`);
    reducing = `halted for new exposure (${state.halt.scope}): ${state.halt.reason}`;
  }
  if (limits.maxDailyLoss > 0 && -state.dailyPnl >= limits.maxDailyLoss) {
    detail.daily_pnl = state.dailyPnl;
    reducing ??= `loss today ${(-state.dailyPnl).toFixed(2)} reached ${limits.maxDailyLoss}`;
  }
  if (reducing !== undefined && !reduces) return refuse('max_daily_loss', reducing);
  if (limits.haltOnDepeg && state.depegged.size > 0) {
    const exposed = [
      state.quoteCurrency,
      order.symbol,
      ...[...state.positions].filter(([, q]) => q !== 0).map(([s]) => s),
    ];
    const hit = exposed.find((s) => state.depegged.has(s));
    if (hit !== undefined) return refuse('halt_on_depeg', `${hit} is off its peg (open depeg alert)`);
  }
  if (limits.maxOrderNotional > 0 && notional > limits.maxOrderNotional)
    return refuse('max_order_notional', `order notional ${notional.toFixed(2)} > ${limits.maxOrderNotional}`);
  if (limits.maxPositionNotional > 0) {
    const posNotional = Math.abs(after * order.price);
    if (posNotional > limits.maxPositionNotional && Math.abs(after) > Math.abs(before))
      return refuse(
        'max_position_notional',
        `${order.symbol} position notional ${posNotional.toFixed(2)} > ${limits.maxPositionNotional}`,
      );
  }
  if (limits.maxGrossExposure > 0) {
    let grossBefore = 0;
    let grossAfter = 0;
    const seen = new Set<string>();
    for (const [symbol, q] of state.positions) {
      const px = symbol === order.symbol ? order.price : (state.marks.get(symbol) ?? 0);
      grossBefore += Math.abs(q * px);
      grossAfter += Math.abs((symbol === order.symbol ? after : q) * px);
      seen.add(symbol);
    }
    if (!seen.has(order.symbol)) grossAfter += Math.abs(after * order.price);
    detail.gross_after = grossAfter;
    if (grossAfter > limits.maxGrossExposure && grossAfter > grossBefore)
      return refuse(
        'max_gross_exposure',
        `gross exposure ${grossAfter.toFixed(2)} > ${limits.maxGrossExposure}`,
      );
  }
  if (reducing === undefined) return { allowed: true, detail };
  detail.reduce_only = `reduces ${order.symbol} ${before} → ${after} after max_daily_loss (${reducing})`;
  return { allowed: true, detail, reduceOnly: { rule: 'max_daily_loss', message: reducing } };
}
