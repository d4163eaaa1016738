import { type CostModel, executionPrice, fillFee } from './costs.ts';
import type { Fill, Trade } from './types.ts';

/**
 * Cash, positions and P&L of a backtest, instruments addressed by index. Average-cost accounting:
 * realised P&L is booked when a position shrinks or flips; unrealised P&L is position × (mark − average cost).
 * A round trip (`Trade`) opens when a position leaves zero and closes when it returns to zero or flips.
 */
export class Portfolio {
  cash: number;
  readonly qty: Float64Array;
  readonly avgCost: Float64Array;
  /** Latest mark (close) per instrument; NaN before its first bar. */
  readonly mark: Float64Array;
  realised = 0;
  feesPaid = 0;
  tradedNotional = 0;
  readonly fills: Fill[] = [];
  readonly trades: Trade[] = [];
  private readonly entryTs: Float64Array;
  private readonly entryQty: Float64Array;
  private readonly entryNotional: Float64Array;
  private readonly entryFees: Float64Array;
  private readonly tradeRealised: Float64Array;
  private readonly entryBars: Float64Array;

  constructor(
    readonly symbols: readonly string[],
    readonly initialCash: number,
    readonly costs: CostModel,
  ) {
    const n = symbols.length;
    this.cash = initialCash;
    this.qty = new Float64Array(n);
    this.avgCost = new Float64Array(n);
    this.mark = new Float64Array(n).fill(Number.NaN);
    this.entryTs = new Float64Array(n);
    this.entryQty = new Float64Array(n);
    this.entryNotional = new Float64Array(n);
    this.entryFees = new Float64Array(n);
    this.tradeRealised = new Float64Array(n);
    this.entryBars = new Float64Array(n);
  }

  /** Cash plus positions at their marks (an unmarked position counts at its average cost). */
  equity(): number {
    let e = this.cash;
    for (let i = 0; i < this.qty.length; i++) {
      const q = this.qty[i] ?? 0;
      if (q !== 0) {
        const m = this.mark[i] ?? Number.NaN;
        e += q * (!Number.isNaN(m) ? m : (this.avgCost[i] ?? 0));
      }
    }
    return e;
  }

  /** Sum of |position value| at marks. */
  grossExposure(): number {
    let g = 0;
    for (let i = 0; i < this.qty.length; i++) {
      const q = this.qty[i] ?? 0;
      if (q !== 0) g += Math.abs(q * (this.mark[i] ?? Number.NaN));
    }
    return g;
  }

  unrealised(): number {
    let u = 0;
    for (let i = 0; i < this.qty.length; i++) {
      const q = this.qty[i] ?? 0;
      if (q !== 0) u += q * ((this.mark[i] ?? Number.NaN) - (this.avgCost[i] ?? 0));
    }
    return u;
  }

  /** Counts a bar held for every open position (for trade durations). */
  tickHeld(i: number): void {
    if ((this.qty[i] ?? 0) !== 0) add(this.entryBars, i, 1);
  }

  /**
   * Executes signed `qty` of instrument `i` at quoted `price` (slippage and fees applied here).
   * Returns the fill.
   */
  execute(i: number, qty: number, price: number, ts: number, reason: string): Fill {
    const px = executionPrice(price, qty, this.costs);
    const fee = fillFee(px, qty, this.costs);
    this.cash -= qty * px + fee;
    this.feesPaid += fee;
    this.tradedNotional += Math.abs(qty * px);
    const before = this.qty[i];
    if (before === undefined)
      throw new RangeError(`instrument index ${i} is outside the portfolio (${this.qty.length})`);
    const avgCost = this.avgCost[i] ?? 0;
    const after = before + qty;
    if (before === 0) {
      this.open(i, qty, px, ts, fee);
    } else if (Math.sign(qty) === Math.sign(before)) {
      // Adding to the position: new average cost.
      this.avgCost[i] = (avgCost * before + px * qty) / after;
      add(this.entryQty, i, qty);
      add(this.entryNotional, i, Math.abs(qty * px));
      add(this.entryFees, i, fee);
    } else {
      const closing = Math.abs(qty) >= Math.abs(before) ? -before : qty;
      const pnl = -closing * (px - avgCost);
      this.realised += pnl;
      // The fee is shared between the closing part and any new opposite position.
      const closeFee = (fee * Math.abs(closing)) / Math.abs(qty);
      add(this.tradeRealised, i, pnl - closeFee);
      if (Math.abs(after) < 1e-12 || Math.sign(after) !== Math.sign(before)) {
        this.closeTrade(i, px, ts);
        if (Math.abs(after) >= 1e-12) this.open(i, after, px, ts, fee - closeFee);
        else this.avgCost[i] = 0;
      }
    }
    this.qty[i] = Math.abs(after) < 1e-12 ? 0 : after;
    const fill: Fill = {
      ts,
      symbol: this.symbols[i] ?? '',
      side: qty > 0 ? 'buy' : 'sell',
      qty: Math.abs(qty),
      price: px,
      fee,
      reason,
    };
    this.fills.push(fill);
    return fill;
  }

  private open(i: number, qty: number, px: number, ts: number, fee: number): void {
    this.avgCost[i] = px;
    this.entryTs[i] = ts;
    this.entryQty[i] = qty;
    this.entryNotional[i] = Math.abs(qty * px);
    this.entryFees[i] = fee;
    this.tradeRealised[i] = 0;
    this.entryBars[i] = 0;
  }

  private closeTrade(i: number, exitPx: number, ts: number): void {
    const pnl = (this.tradeRealised[i] ?? 0) - (this.entryFees[i] ?? 0);
    const notional = this.entryNotional[i] ?? 0;
    const qty = this.entryQty[i] ?? 0;
    this.trades.push({
      symbol: this.symbols[i] ?? '',
      entryTs: this.entryTs[i] ?? Number.NaN,
      exitTs: ts,
      qty,
      entryPrice: qty === 0 ? 0 : notional / Math.abs(qty),
      exitPrice: exitPx,
      pnl,
      returnPct: notional === 0 ? 0 : pnl / notional,
      bars: this.entryBars[i] ?? 0,
    });
  }
}

/** `a[i] += x` for a per-instrument column (an index outside it reads as 0 and the write is dropped). */
function add(a: Float64Array, i: number, x: number): void {
  a[i] = (a[i] ?? 0) + x;
}
