/**
 * Order updates for venues polled over REST: the orders a broker placed (or looked up) and that are still
 * open are fetched every `intervalMs` while someone listens, and each change of status or filled quantity is
 * pushed as an `OrderUpdate`. Fills come from the venue's trade list when the broker can read it, otherwise
 * one fill is derived from the change in filled quantity and average price.
 */
import { type BrokerFill, type BrokerOrder, type OrderUpdate, TERMINAL_STATUSES } from './broker.ts';

export interface OrderPollerOptions {
  /** The order as the venue reports it now. */
  refresh(order: BrokerOrder): Promise<BrokerOrder>;
  /** Every fill of the order so far (the poller keeps those it has not pushed yet). */
  fills?(order: BrokerOrder): Promise<BrokerFill[]>;
  /** @defaultValue 1000 */
  intervalMs?: number;
  /** Told about a failed poll (the next one tries again). */
  onError?(err: unknown): void;
}

/** The fill implied by an order's filled quantity moving from `prev` to `next`. */
export function derivedFill(prev: BrokerOrder, next: BrokerOrder): BrokerFill | undefined {
  const qty = next.filledQty - prev.filledQty;
  if (!(qty > 0)) return undefined;
  const before = prev.filledQty > 0 ? prev.avgPrice * prev.filledQty : 0;
  const price = (next.avgPrice * next.filledQty - before) / qty;
  return {
    clientOrderId: next.clientOrderId,
    fillId: `${next.brokerOrderId ?? next.clientOrderId}:${next.filledQty}`,
    symbol: next.symbol,
    side: next.side,
    qty,
    price,
    fee: 0,
    ts: next.updatedAt,
  };
}

/**
 * The trades of an order past the first `knownQty` (oldest first): a process that starts polling an order
 * already filled in part (after a restart, or reconciliation) pushes only the fills it has not accounted for.
 */
export function newFills(trades: readonly BrokerFill[], knownQty: number): BrokerFill[] {
  const sorted = [...trades].sort(
    (a, b) => a.ts - b.ts || a.fillId.localeCompare(b.fillId, 'en', { numeric: true }),
  );
  const out: BrokerFill[] = [];
  let cumulative = 0;
  for (const t of sorted) {
    cumulative += t.qty;
    if (cumulative > knownQty + 1e-12) out.push(t);
  }
  return out;
}

export class OrderPoller {
  private readonly tracked = new Map<string, BrokerOrder>();
  private readonly seenFills = new Set<string>();
  private readonly listeners = new Set<(u: OrderUpdate) => void>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly opts: OrderPollerOptions) {}

  /** Sets the state an order was last seen in (a new order, as submitted); open ones are polled. */
  track(order: BrokerOrder): void {
    if (TERMINAL_STATUSES.has(order.status)) this.tracked.delete(order.clientOrderId);
    else this.tracked.set(order.clientOrderId, order);
  }

  /** Starts polling an open order not yet tracked (a tracked one keeps its last seen state, so no change is lost). */
  watch(order: BrokerOrder): void {
    if (!this.tracked.has(order.clientOrderId) && !TERMINAL_STATUSES.has(order.status)) {
      this.tracked.set(order.clientOrderId, order);
    }
  }

  subscribe(listener: (u: OrderUpdate) => void): () => void {
    this.listeners.add(listener);
    this.schedule();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Polls every tracked open order once (what the timer does); resolves when the updates are pushed. */
  async pollOnce(): Promise<void> {
    if (!this.running) this.running = this.poll().finally(() => (this.running = undefined));
    return this.running;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer || this.listeners.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pollOnce().finally(() => this.schedule());
    }, this.opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    for (const prev of [...this.tracked.values()]) {
      try {
        const next = await this.opts.refresh(prev);
        if (next.status === prev.status && next.filledQty === prev.filledQty) continue;
        this.track(next);
        let fills: BrokerFill[] = [];
        if (next.filledQty > prev.filledQty) {
          if (this.opts.fills)
            fills = newFills(await this.opts.fills(next), prev.filledQty).filter(
              (f) => !this.seenFills.has(f.fillId),
            );
          else {
            const f = derivedFill(prev, next);
            if (f) fills = [f];
          }
        }
        for (const f of fills) this.seenFills.add(f.fillId);
        if (fills.length === 0) this.emit({ order: next });
        for (const fill of fills) this.emit({ order: next, fill });
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
  }

  private emit(update: OrderUpdate): void {
    for (const l of this.listeners) l(update);
  }
}
