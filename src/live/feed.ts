/**
 * The state of one (venue, symbol) subscription: its trade-id watermark and the bars forming from its
 * trades. A one-minute bar closes on the first trade of a later minute, or by timer once the venue's clock
 * (our clock minus the last trade's delay) is past its end plus a grace; a connected minute without trades
 * becomes a flat zero-volume bar at the last close (Kraken's own convention), so a live feed has no hole.
 */
import type { Bar } from '../core/types.ts';
import type { Venue } from './protocol.ts';

export const MINUTE_MS = 60_000;
/** How long after a minute ends a late trade may still land in it before the timer closes it (ms). */
export const CLOSE_GRACE_MS = 2_000;
/** One-second bars kept in memory per feed (two minutes). */
const SECOND_BARS_KEPT = 120;

export interface OpenBar extends Bar {
  trades: number;
}

/** A minute to refetch from REST, `[from, to]` inclusive minute open times; `to` unknown until a trade shows it. */
export interface RepairRange {
  from: number;
  to: number | undefined;
  attempts: number;
}

export class Feed {
  /** Last venue trade id seen (0 = none): a jump means dropped trades, a repeat a duplicate. */
  lastTradeId = 0;
  /** Venue trade time of the last trade, epoch ms. */
  lastTs = 0;
  /** Our clock minus the venue's trade time at the last trade: maps our clock onto the venue's. */
  offset = 0;
  lastPrice = 0;
  minute: OpenBar | undefined;
  /** Open time of the minute after the last closed bar (undefined before the first, or after a disconnect). */
  next: number | undefined;
  second: OpenBar | undefined;
  readonly seconds: OpenBar[] = [];
  repair: RepairRange | undefined;
  /** A heartbeat's last_trade_id already reported as a gap. */
  heartbeatGap = 0;

  constructor(
    readonly venue: Venue,
    readonly venueSymbol: string,
    readonly symbol: string,
    /** Writes this feed's bars into market_data.bars too. */
    readonly primary: boolean,
  ) {}

  /** Adds a repair range, merging with a pending one. */
  needRepair(from: number, to: number | undefined): void {
    const r = this.repair;
    if (r === undefined) {
      this.repair = { from, to, attempts: 0 };
      return;
    }
    r.from = Math.min(r.from, from);
    if (to === undefined || r.to === undefined) r.to = r.to ?? to;
    else r.to = Math.max(r.to, to);
  }

  /** Aggregates one trade; closed minute bars go to `closed`. */
  add(price: number, qty: number, ts: number, closed: (bar: OpenBar) => void): void {
    const m = ts - (ts % MINUTE_MS);
    const bar = this.minute;
    if (bar !== undefined && m === bar.ts) {
      if (price > bar.high) bar.high = price;
      else if (price < bar.low) bar.low = price;
      bar.close = price;
      bar.volume += qty;
      bar.trades++;
    } else if (bar === undefined || m > bar.ts) {
      if (bar !== undefined) {
        closed(bar);
        this.next = bar.ts + MINUTE_MS;
      }
      if (this.next !== undefined && m < this.next) return; // late: its minute is already closed
      if (this.next !== undefined) this.fill(m, closed);
      this.minute = { ts: m, open: price, high: price, low: price, close: price, volume: qty, trades: 1 };
      if (this.repair !== undefined && this.repair.to === undefined) this.repair.to = m;
    }
    this.addSecond(price, qty, ts);
  }

  /** Closes bars the venue's clock has left behind (`venueNow` epoch ms); flat bars while `connected`. */
  tick(venueNow: number, connected: boolean, closed: (bar: OpenBar) => void): void {
    const bar = this.minute;
    if (bar !== undefined && venueNow >= bar.ts + MINUTE_MS + CLOSE_GRACE_MS) {
      closed(bar);
      this.minute = undefined;
      this.next = bar.ts + MINUTE_MS;
    }
    if (this.minute === undefined && this.next !== undefined && connected) {
      const upTo = venueNow - MINUTE_MS - CLOSE_GRACE_MS;
      if (this.next <= upTo) this.fill(upTo - (upTo % MINUTE_MS) + MINUTE_MS, closed);
    }
  }

  /** The connection dropped: the forming minute is partial, so it and what follows come from REST. */
  disconnected(): void {
    const from = this.minute?.ts ?? this.next;
    this.minute = undefined;
    this.next = undefined;
    if (from !== undefined) this.needRepair(from, undefined);
  }

  private fill(until: number, closed: (bar: OpenBar) => void): void {
    let k = this.next ?? until;
    const price = this.lastPrice;
    for (; k < until; k += MINUTE_MS)
      closed({ ts: k, open: price, high: price, low: price, close: price, volume: 0, trades: 0 });
    this.next = k;
  }

  private addSecond(price: number, qty: number, ts: number): void {
    const s = ts - (ts % 1000);
    const bar = this.second;
    if (bar !== undefined && bar.ts === s) {
      if (price > bar.high) bar.high = price;
      else if (price < bar.low) bar.low = price;
      bar.close = price;
      bar.volume += qty;
      bar.trades++;
      return;
    }
    if (bar !== undefined) {
      if (this.seconds.length >= SECOND_BARS_KEPT) this.seconds.shift();
      this.seconds.push(bar);
    }
    this.second = { ts: s, open: price, high: price, low: price, close: price, volume: qty, trades: 1 };
  }
}
