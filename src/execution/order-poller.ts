/**
 * Order updates for venues polled over REST: the orders a broker placed (or looked up) and that are still
 * open are fetched every `intervalMs` while someone listens, and each change of status or filled quantity is
 * pushed as an `OrderUpdate`. Fills come from the venue's trade list when the broker can read it, otherwise
 * one fill is derived from the change in filled quantity and average price.
 *
 * A venue that also streams its order events hands them to `push`; polled and pushed states go through the
 * same ledger (the last known filled quantity per order, changes applied one at a time), so an execution seen
 * both ways (the stream and a catch-up poll after a reconnect) is reported once. While the stream is up the
 * broker `pause`s the timer; one `pollOnce` still works.
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

/** Orders pushed before they were tracked (an event that overtook the submit's answer), kept at most. */
const EARLY_MAX = 1000;

export class OrderPoller {
  private readonly tracked = new Map<string, BrokerOrder>();
  private readonly seenFills = new Set<string>();
  private readonly listeners = new Set<(u: OrderUpdate) => void>();
  /** Pushed states of orders not tracked yet, oldest first, replayed when the order is tracked. */
  private readonly early = new Map<string, { order: BrokerOrder; fill?: BrokerFill }[]>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private paused = false;
  /** Changes are applied one after the other (a poll's answer and a pushed event never interleave). */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly opts: OrderPollerOptions) {}

  /** Sets the state an order was last seen in (a new order, as submitted); open ones are polled. */
  track(order: BrokerOrder): void {
    if (TERMINAL_STATUSES.has(order.status)) this.tracked.delete(order.clientOrderId);
    else this.tracked.set(order.clientOrderId, order);
    this.replayEarly(order.clientOrderId);
  }

  /** Starts polling an open order not yet tracked (a tracked one keeps its last seen state, so no change is lost). */
  watch(order: BrokerOrder): void {
    if (!this.tracked.has(order.clientOrderId) && !TERMINAL_STATUSES.has(order.status)) {
      this.tracked.set(order.clientOrderId, order);
    }
    this.replayEarly(order.clientOrderId);
  }

  /**
   * An order state the venue pushed (a stream event) with the execution it reports, if any. Merged like a
   * polled state: nothing is emitted when it says no more than is known (a late or repeated event), and the
   * pushed execution (its venue id as fill id) is used only when its quantity is the whole growth of the
   * filled quantity; otherwise the fill is derived as for a poll. An order not tracked yet is kept until it is.
   */
  push(order: BrokerOrder, fill?: BrokerFill): Promise<void> {
    return this.serial(async () => {
      if (this.tracked.has(order.clientOrderId)) return this.advance(order, fill);
      const list = this.early.get(order.clientOrderId) ?? [];
      list.push({ order, fill });
      this.early.set(order.clientOrderId, list);
      if (this.early.size > EARLY_MAX) {
        const oldest = this.early.keys().next();
        if (!oldest.done) this.early.delete(oldest.value);
      }
    });
  }

  /** True while someone listens. */
  get listening(): boolean {
    return this.listeners.size > 0;
  }

  /** Stops the timer until `resume` (the venue's stream delivers updates meanwhile). */
  pause(): void {
    this.paused = true;
    this.stop();
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  /**
   * The handlers a venue's order stream drives: its updates go through `push`; while it is live polling
   * pauses, and each time it becomes live the open orders are read once (venues do not replay what changed
   * while the stream was down); when it drops or is refused, polling resumes. `log` says which source is in
   * charge; `safe` strips anything secret from what it logs.
   */
  streamHandlers(o: {
    broker: string;
    stream: string;
    log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
    safe(err: unknown): string;
  }): { update(u: OrderUpdate): void; state(state: string, why?: string): void } {
    return {
      update: (u) => {
        void this.push(u.order, u.fill).catch((err: unknown) =>
          o.log?.warn({ broker: o.broker, err: o.safe(err) }, `${o.stream} event not applied`),
        );
      },
      state: (state, why) => {
        if (state === 'live') {
          this.pause();
          o.log?.info({ broker: o.broker }, `order updates from the ${o.stream}`);
          void this.pollOnce();
        } else if (state === 'down' || state === 'unauthorized') {
          this.resume();
          o.log?.warn(
            { broker: o.broker, state, why: why === undefined ? undefined : o.safe(why) },
            `${o.stream} not live; polling orders`,
          );
        }
      },
    };
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
    if (this.timer || this.paused || this.listeners.size === 0) return;
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
        await this.serial(() => this.advance(next));
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
  }

  private serial(step: () => Promise<void>): Promise<void> {
    const run = this.chain.then(step);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private replayEarly(clientOrderId: string): void {
    const list = this.early.get(clientOrderId);
    if (!list) return;
    this.early.delete(clientOrderId);
    for (const e of list) void this.push(e.order, e.fill).catch((err: unknown) => this.opts.onError?.(err));
  }

  /** Applies a state reported by the venue against the last known one (read now, not before the request). */
  private async advance(next: BrokerOrder, pushed?: BrokerFill): Promise<void> {
    const prev = this.tracked.get(next.clientOrderId);
    // settled meanwhile (a pushed final state), or an older state than the one known
    if (prev === undefined || next.filledQty < prev.filledQty) return;
    if (next.status === prev.status && next.filledQty === prev.filledQty) return;
    this.track(next);
    let fills: BrokerFill[] = [];
    if (next.filledQty > prev.filledQty) {
      const grew = next.filledQty - prev.filledQty;
      if (pushed && Math.abs(pushed.qty - grew) <= 1e-9 * Math.max(1, grew)) fills = [pushed];
      else if (this.opts.fills) fills = newFills(await this.opts.fills(next), prev.filledQty);
      else {
        const f = derivedFill(prev, next);
        if (f) fills = [f];
      }
      fills = fills.filter((f) => !this.seenFills.has(f.fillId));
    }
    for (const f of fills) this.seenFills.add(f.fillId);
    if (fills.length === 0) this.emit({ order: next });
    for (const fill of fills) this.emit({ order: next, fill });
  }

  private emit(update: OrderUpdate): void {
    for (const l of this.listeners) l(update);
  }
}
