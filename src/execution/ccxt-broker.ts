/**
 * A Broker over any ccxt exchange (https://github.com/ccxt/ccxt, MIT): ccxt signs requests and speaks each
 * venue's wire format; this class adds what our contract needs on top — idempotent submits on the client
 * order id, our order statuses, positions from balances, polled order updates and log-safe errors. A venue
 * module (binance.ts) builds the ccxt instance (endpoints, spot-only options) and a `CcxtVenue` profile.
 *
 * Symbols: ours are the coin (`BTC`), traded against the venue's `quote` (`BTC/USDT` in ccxt's unified
 * form); a symbol with a slash is passed as is.
 */
import type { Order as CcxtOrder, Trade as CcxtTrade, Exchange } from 'ccxt';
import { NetworkError, OrderNotFound } from 'ccxt';
import { describeError, NotFoundError } from '../core/errors.ts';
import type {
  Broker,
  BrokerAccount,
  BrokerFill,
  BrokerOrder,
  BrokerOrderType,
  BrokerPosition,
  OrderStatus,
  OrderUpdate,
  SubmitOrder,
} from './broker.ts';
import { type SubmitSettings, submitIdempotently } from './idempotent-submit.ts';
import { OrderPoller } from './order-poller.ts';
import { redact, VenueAuthError, VenueError, VenueUnavailableError } from './venue-errors.ts';

/** How a venue's failure is to be treated. */
export type VenueFailure =
  /** The venue refused the order or request for a reason of its own (reason: the venue's words). */
  | { kind: 'rejected'; reason: string }
  | { kind: 'not_found' }
  /** Nothing (or a partial answer) came back: the request may have taken effect. */
  | { kind: 'network'; message: string }
  | { kind: 'auth'; message: string }
  | { kind: 'other'; message: string };

export interface CcxtVenue {
  /** Our broker name (`binance`). */
  name: string;
  /** What a failure of `exchange` means (by the venue's error codes, else ccxt's error classes). */
  classify(err: unknown): VenueFailure;
  /** Our status from the venue's raw order (`order.info`), when ccxt's unified status is too coarse. */
  status?(order: CcxtOrder): OrderStatus | undefined;
}

export interface CcxtBrokerOptions extends SubmitSettings {
  exchange: Exchange;
  /** Where the orders go (scheme and host), for logs and checks. */
  endpoint: string;
  venue: CcxtVenue;
  /** Quote currency our coin symbols trade against. @defaultValue 'USDT' */
  quote?: string;
  /** Order update polling (ms). @defaultValue 1000 */
  pollMs?: number;
  /** Credentials, only to be scrubbed from any message we build. */
  secrets?: readonly (string | undefined)[];
  /**
   * The venue's order-event stream, opened while someone listens: the poller is paused while it is `live`,
   * and each time it becomes live the open orders are polled once (what changed in the gap).
   */
  stream?: (handlers: VenueStreamHandlers) => VenueOrderStream;
}

/** A venue's order-event stream as the broker drives it (binance-stream.ts). */
export interface VenueOrderStream {
  /** `live` while events flow; anything else means polling is in charge. */
  readonly state: string;
  /** Times the stream became live again after having been live. */
  readonly reconnects: number;
  start(): void;
  stop(): Promise<void>;
}

export interface VenueStreamHandlers {
  /** One order event; `order.symbol` (and the fill's) is the venue's market id (`BTCUSDT`). */
  update(update: OrderUpdate): void;
  /** Every change of state; `why` says what ended a connection. */
  state(state: string, why?: string): void;
}

const num = (v: number | undefined | null): number | undefined =>
  v === undefined || v === null || Number.isNaN(v) ? undefined : v;

/** ccxt's failure classes as a `VenueFailure` (for venues without a code table of their own). */
export function classifyCcxtError(err: unknown): VenueFailure {
  const message = describeError(err);
  if (err instanceof OrderNotFound) return { kind: 'not_found' };
  if (err instanceof NetworkError) return { kind: 'network', message };
  return { kind: 'other', message };
}

function unifiedStatus(o: CcxtOrder): OrderStatus {
  const filled = num(o.filled) ?? 0;
  switch (o.status) {
    case 'open':
      return filled > 0 ? 'partially_filled' : 'accepted';
    case 'closed':
      return 'filled';
    case 'canceled':
      return 'cancelled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    default:
      return 'accepted';
  }
}

function orderType(t: string | undefined): BrokerOrderType {
  if (t === 'market' || t === 'limit') return t;
  return t?.includes('stop') ? 'stop' : 'limit';
}

export class CcxtBroker implements Broker {
  readonly name: string;
  readonly external = true;
  /** Where the orders go (scheme and host). */
  readonly endpoint: string;
  private readonly ex: Exchange;
  private readonly venue: CcxtVenue;
  private readonly quote: string;
  private readonly poller: OrderPoller;
  /** Client order id → unified symbol of every order this process placed or saw (cancel needs the symbol). */
  private readonly symbolOf = new Map<string, string>();
  private markets: Promise<unknown> | undefined;
  private stream: VenueOrderStream | undefined;

  constructor(private readonly opts: CcxtBrokerOptions) {
    this.ex = opts.exchange;
    this.endpoint = opts.endpoint;
    this.venue = opts.venue;
    this.name = opts.venue.name;
    this.quote = opts.quote ?? 'USDT';
    this.poller = new OrderPoller({
      intervalMs: opts.pollMs,
      refresh: (o) => this.lookup(o.clientOrderId, o.symbol).then((x) => x ?? o),
      fills: (o) => this.fills(o),
      onError: (err) => this.opts.log?.warn({ broker: this.name, err: this.safe(err) }, 'order poll failed'),
    });
  }

  /** Unified market symbol of our symbol. */
  private market(symbol: string): string {
    return symbol.includes('/') ? symbol : `${symbol}/${this.quote}`;
  }

  /** Our symbol of a unified market symbol. */
  private ours(market: string | undefined): string {
    if (!market) return '';
    const [base, quote] = market.split('/');
    return quote === this.quote && base ? base : market;
  }

  private safe(err: unknown): string {
    return redact(describeError(err), this.opts.secrets);
  }

  private async ready(): Promise<void> {
    this.markets ??= this.ex.loadMarkets().catch((err: unknown) => {
      this.markets = undefined;
      throw this.fail(err, 'loading markets');
    });
    await this.markets;
  }

  /** A failure as one of our errors (message redacted, no cause: ccxt's errors carry URLs). */
  private fail(err: unknown, doing: string): Error {
    if (err instanceof VenueError || err instanceof NotFoundError) return err;
    const f = this.venue.classify(err);
    const what = `${this.name}: ${doing} failed`;
    if (f.kind === 'network')
      return new VenueUnavailableError(`${what}: ${redact(f.message, this.opts.secrets)}`);
    if (f.kind === 'rejected') return new VenueError(`${what}: ${f.reason}`);
    if (f.kind === 'not_found') return new NotFoundError(`${what}: not found`);
    if (f.kind === 'auth') return new VenueAuthError(`${what}: ${redact(f.message, this.opts.secrets)}`);
    return new VenueError(`${what}: ${redact(f.message, this.opts.secrets)}`);
  }

  private toOrder(o: CcxtOrder, fallback?: Partial<BrokerOrder>): BrokerOrder {
    const filled = num(o.filled) ?? 0;
    const average = num(o.average) ?? (filled > 0 && num(o.cost) ? (o.cost as number) / filled : Number.NaN);
    const clientOrderId = o.clientOrderId ?? fallback?.clientOrderId ?? '';
    const order: BrokerOrder = {
      clientOrderId,
      brokerOrderId: o.id,
      symbol: this.ours(o.symbol) || (fallback?.symbol ?? ''),
      side: o.side === 'sell' ? 'sell' : 'buy',
      type: orderType(o.type),
      qty: num(o.amount) ?? fallback?.qty ?? 0,
      limitPrice: num(o.price) || undefined,
      status: this.venue.status?.(o) ?? unifiedStatus(o),
      filledQty: filled,
      avgPrice: filled > 0 ? average : Number.NaN,
      updatedAt: num(o.lastUpdateTimestamp) ?? num(o.timestamp) ?? Date.now(),
    };
    if (clientOrderId && o.symbol) this.symbolOf.set(clientOrderId, o.symbol);
    return order;
  }

  /** The venue's order with this client id, or null when it has none. */
  private async lookup(clientOrderId: string, symbol: string): Promise<BrokerOrder | null> {
    try {
      const o = await this.ex.fetchOrder(undefined as unknown as string, this.market(symbol), {
        clientOrderId,
      });
      return this.toOrder(o, { clientOrderId, symbol });
    } catch (err) {
      if (this.venue.classify(err).kind === 'not_found') return null;
      throw this.fail(err, `looking up ${clientOrderId}`);
    }
  }

  async submit(order: SubmitOrder): Promise<BrokerOrder> {
    await this.ready();
    const market = this.market(order.symbol);
    this.symbolOf.set(order.clientOrderId, market);
    return submitIdempotently(
      order,
      {
        broker: this.name,
        send: async () => {
          const params: Record<string, unknown> = { clientOrderId: order.clientOrderId };
          if (order.type !== 'market' && order.timeInForce)
            params.timeInForce = order.timeInForce.toUpperCase();
          if (order.type === 'stop') params.stopPrice = order.price;
          const placed = await this.ex.createOrder(
            market,
            order.type === 'stop' ? 'market' : order.type,
            order.side,
            order.qty,
            order.type === 'market' ? undefined : order.price,
            params,
          );
          return this.toOrder(placed, { ...order, clientOrderId: order.clientOrderId });
        },
        lookup: () => this.lookup(order.clientOrderId, order.symbol),
        classify: (err) => {
          const f = this.venue.classify(err);
          if (f.kind === 'network')
            return { kind: 'no_answer', message: redact(f.message, this.opts.secrets) };
          // A retry the venue calls a duplicate is the order it already has (looked up by the helper).
          if (f.kind === 'rejected') return { kind: 'rejected', reason: f.reason };
          return { kind: 'other' };
        },
        fail: (err) => this.fail(err, `submitting ${order.clientOrderId}`),
        safe: (err) => this.safe(err),
        poller: this.poller,
      },
      this.opts,
    );
  }

  async cancel(clientOrderId: string): Promise<BrokerOrder> {
    await this.ready();
    let market = this.symbolOf.get(clientOrderId);
    if (!market) {
      const open = await this.orders();
      const hit = open.find((o) => o.clientOrderId === clientOrderId);
      if (!hit) throw new NotFoundError(`${this.name}: no open order ${clientOrderId}`);
      market = this.market(hit.symbol);
    }
    const symbol = this.ours(market);
    try {
      const o = await this.ex.cancelOrder(undefined as unknown as string, market, { clientOrderId });
      const mapped = this.toOrder(o, { clientOrderId, symbol });
      // Binance answers a cancel with the cancelled order; a venue answering less is asked again.
      // The poller is left alone: it reports the cancel (and any fill before it) as updates.
      return mapped.status === 'cancelled' ? mapped : ((await this.lookup(clientOrderId, symbol)) ?? mapped);
    } catch (err) {
      const f = this.venue.classify(err);
      if (f.kind === 'not_found' || f.kind === 'rejected') {
        // Already filled, cancelled or expired: the order as it ended.
        const found = await this.lookup(clientOrderId, symbol);
        if (found) return found;
        throw new NotFoundError(`${this.name}: no order ${clientOrderId}`);
      }
      throw this.fail(err, `cancelling ${clientOrderId}`);
    }
  }

  /**
   * Orders listed are polled from now on while open: after a restart, the first `orders()` (reconciliation)
   * makes updates flow again for the orders the previous process left open.
   */
  private watch(orders: BrokerOrder[]): BrokerOrder[] {
    for (const o of orders) this.poller.watch(o);
    return orders;
  }

  async orders(opts: { all?: boolean; symbols?: readonly string[] } = {}): Promise<BrokerOrder[]> {
    await this.ready();
    const wanted = opts.symbols?.map((s) => this.market(s));
    try {
      if (!opts.all) {
        const lists = wanted
          ? await Promise.all(wanted.map((m) => this.ex.fetchOpenOrders(m)))
          : [await this.ex.fetchOpenOrders()];
        return this.watch(lists.flat().map((o) => this.toOrder(o)));
      }
      // allOrders is per symbol: the asked ones, else every symbol we traded or hold.
      const markets = wanted ?? [...new Set([...this.symbolOf.values(), ...(await this.heldMarkets())])];
      const lists = await Promise.all(markets.map((m) => this.ex.fetchOrders(m)));
      return this.watch(lists.flat().map((o) => this.toOrder(o)));
    } catch (err) {
      throw this.fail(err, 'listing orders');
    }
  }

  private async balances(): Promise<Record<string, number>> {
    try {
      const b = await this.ex.fetchBalance();
      const total = (b.total ?? {}) as unknown as Record<string, number | undefined>;
      const out: Record<string, number> = {};
      for (const [asset, v] of Object.entries(total)) if (typeof v === 'number' && v !== 0) out[asset] = v;
      return out;
    } catch (err) {
      throw this.fail(err, 'reading balances');
    }
  }

  private async heldMarkets(): Promise<string[]> {
    const held = Object.keys(await this.balances()).filter((a) => a !== this.quote);
    return held.map((a) => `${a}/${this.quote}`).filter((m) => this.ex.markets?.[m] !== undefined);
  }

  /** Every non-quote asset with a balance; spot balances carry no entry price, so `avgPrice` is NaN. */
  async positions(): Promise<BrokerPosition[]> {
    await this.ready();
    const b = await this.balances();
    return Object.entries(b)
      .filter(([asset]) => asset !== this.quote)
      .map(([symbol, qty]) => ({ symbol, qty, avgPrice: Number.NaN }))
      .sort((a, c) => a.symbol.localeCompare(c.symbol));
  }

  /** Cash is the quote currency's balance; equity is NaN (the other assets are not priced here). */
  async account(): Promise<BrokerAccount> {
    await this.ready();
    const b = await this.balances();
    return { currency: this.quote, cash: b[this.quote] ?? 0, equity: Number.NaN };
  }

  private async fills(o: BrokerOrder): Promise<BrokerFill[]> {
    if (!o.brokerOrderId) return [];
    const trades: CcxtTrade[] = await this.ex.fetchOrderTrades(o.brokerOrderId, this.market(o.symbol));
    return trades.map((t) => ({
      clientOrderId: o.clientOrderId,
      fillId: String(t.id),
      symbol: o.symbol,
      side: o.side,
      qty: num(t.amount) ?? 0,
      price: num(t.price) ?? Number.NaN,
      fee: num(t.fee?.cost) ?? 0,
      feeCurrency: t.fee?.currency,
      ts: num(t.timestamp) ?? o.updatedAt,
    }));
  }

  onUpdate(listener: (update: OrderUpdate) => void): () => void {
    const off = this.poller.subscribe(listener);
    this.startStream();
    return () => {
      off();
      if (!this.poller.listening) void this.stopStream();
    };
  }

  /** Where order updates come from now: `live` = the venue's stream, anything else = REST polling. */
  get streamState(): string {
    return this.stream?.state ?? 'off';
  }

  /** Times the stream came back after a drop. */
  get streamReconnects(): number {
    return this.stream?.reconnects ?? 0;
  }

  /** A streamed order in our symbols: the market id mapped through the orders we know, else ccxt's markets. */
  private streamed(u: OrderUpdate): OrderUpdate {
    const market = this.symbolOf.get(u.order.clientOrderId) ?? this.ex.safeSymbol(u.order.symbol);
    const symbol = this.ours(market);
    return {
      order: { ...u.order, symbol },
      fill: u.fill === undefined ? undefined : { ...u.fill, symbol },
    };
  }

  private startStream(): void {
    if (this.stream || !this.opts.stream) return;
    const handlers = this.poller.streamHandlers({
      broker: this.name,
      stream: 'user data stream',
      log: this.opts.log,
      safe: (err) => this.safe(err),
    });
    this.stream = this.opts.stream({
      update: (raw) => handlers.update(this.streamed(raw)),
      state: handlers.state,
    });
    this.stream.start();
  }

  private async stopStream(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    this.poller.resume();
    await stream?.stop();
  }

  /** Polls the open orders now (tests and the runner's shutdown use it instead of waiting for the timer). */
  pollOnce(): Promise<void> {
    return this.poller.pollOnce();
  }

  async close(): Promise<void> {
    this.poller.stop();
    const stream = this.stream;
    this.stream = undefined;
    await stream?.stop();
    await this.ex.close?.();
  }
}
