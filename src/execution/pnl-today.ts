/**
 * Unrealised P&L of one open position since 00:00 UTC (the status page's "P&L today"), as opposed to since
 * entry. The quantity held at midnight (current qty − net qty filled today) is valued from the latest close
 * before midnight; what today's fills added is valued from their prices. Today's fills are replayed in order
 * with average cost from that reference, so a reduction keeps the reference and a flip restarts it at the
 * fill's price — the same accounting `addFill` uses for the position, started at midnight instead of entry.
 */

import type { OrderSide } from '../core/orders.ts';

export interface DayFill {
  side: OrderSide;
  qty: number;
  price: number;
}

/** Quantities closer to zero than this are flat (sums of float fills). */
const FLAT = 1e-9;

/**
 * `qty × (mark − reference)`, or null without a mark. `dayStartClose`: the latest stored close before 00:00 UTC
 * (null when none; the held part then falls back to `avgPrice`, i.e. since entry). `fills`: today's fills of
 * this position, oldest first.
 */
export function unrealizedToday(
  position: { qty: number; avgPrice: number; mark: number | null },
  dayStartClose: number | null,
  fills: readonly DayFill[],
): number | null {
  if (position.mark === null) return null;
  const signed = (f: DayFill) => (f.side === 'buy' ? f.qty : -f.qty);
  let q = position.qty - fills.reduce((s, f) => s + signed(f), 0);
  let ref = Math.abs(q) < FLAT ? 0 : (dayStartClose ?? position.avgPrice);
  for (const f of fills) {
    const s = signed(f);
    if (Math.abs(q) < FLAT || Math.sign(q) === Math.sign(s)) {
      // opening or adding: average the reference with the fill's price
      ref = Math.abs(q) < FLAT ? f.price : (q * ref + s * f.price) / (q + s);
    } else if (Math.abs(s) > Math.abs(q) + FLAT) {
      // flipping: the new side starts at the fill's price
      ref = f.price;
    }
    q += s;
  }
  return position.qty * (position.mark - ref);
}
