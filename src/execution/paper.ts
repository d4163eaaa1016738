/**
 * The built-in paper broker: a Broker that fills against the prices it is given (the runner's quotes, or
 * bars for resting orders) with the backtest's own money code — `Portfolio.execute` (slippage and fees of
 * src/backtest/costs.ts) and `touchPrice` (the engine's limit/stop rule) — so a replay through it books
 * exactly what the backtest books. No I/O: the runner stores what it reports.
 */
import { type CostModel, ZERO_COSTS } from '../backtest/costs.ts';
import { touchPrice } from '../backtest/engine.ts';
import { Portfolio } from '../backtest/portfolio.ts';
import { ValidationError } from '../core/errors.ts';
import type {
  Broker,
  BrokerAccount,
  BrokerFill,
  BrokerName,
  BrokerOrder,
  BrokerPosition,
  OrderUpdate,
  SubmitOrder,
} from './broker.ts';
import { TERMINAL_STATUSES } from './broker.ts';

export interface PaperBrokerOptions {
  /** Instruments it trades (the run's symbols). */
  symbols: readonly string[];
  /** @defaultValue 100000 */
  initialCash?: number;
  /** @defaultValue 'USD' */
  currency?: string;
  costs?: Partial<CostModel>;
  /** Time of a change when no quote time is known (ms). @defaultValue Date.now */
  now?: () => number;
}

interface Quote {
  price: number;
  ts: number;
}

export class PaperBroker implements Broker {
  readonly name: BrokerName = 'paper';
  readonly external = false;
  private readonly pf: Portfolio;
  private readonly index: Map<string, number>;
  private readonly quotes = new Map<string, Quote>();
  private readonly all = new Map<string, BrokerOrder>();
  private readonly listeners = new Set<(u: OrderUpdate) => void>();
  private readonly currency: string;
  private readonly now: () => number;

  constructor(opts: PaperBrokerOptions) {
    this.pf = new Portfolio(opts.symbols, opts.initialCash ?? 100_000, { ...ZERO_COSTS, ...opts.costs });
    this.index = new Map(opts.symbols.map((s, i) => [s, i]));
    this.currency = opts.currency ?? 'USD';
    this.now = opts.now ?? Date.now;
  }

  /** The price a market order of `symbol` fills at from now on (and the mark of its position). */
  quote(symbol: string, price: number, ts: number): void {
    this.quotes.set(symbol, { price, ts });
    const i = this.index.get(symbol);
    if (i !== undefined) this.pf.mark[i] = price;
  }

  /** A new bar of `symbol`: resting limit and stop orders fill if it reaches them; the close becomes the quote. */
  onBar(symbol: string, bar: { ts: number; open: number; high: number; low: number; close: number }): void {
    for (const o of this.all.values()) {
      if (o.symbol !== symbol || o.type === 'market' || (o.status !== 'accepted' && o.status !== 'new'))
        continue;
      const px = touchPrice(
        o.type,
        o.side === 'buy',
        o.limitPrice ?? Number.NaN,
        bar.open,
        bar.high,
        bar.low,
      );
      if (!Number.isNaN(px)) this.fill(o, px, bar.ts);
    }
    this.quote(symbol, bar.close, bar.ts);
  }

  async submit(order: SubmitOrder): Promise<BrokerOrder> {
    const known = this.all.get(order.clientOrderId);
    if (known !== undefined) return { ...known };
    const ts = this.quotes.get(order.symbol)?.ts ?? this.now();
    const o: BrokerOrder = {
      clientOrderId: order.clientOrderId,
      brokerOrderId: `paper-${this.all.size + 1}`,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      qty: order.qty,
      limitPrice: order.price,
      status: 'new',
      filledQty: 0,
      avgPrice: Number.NaN,
      updatedAt: ts,
    };
    this.all.set(o.clientOrderId, o);
    const reject = this.refusal(order);
    if (reject !== undefined) {
      o.status = 'rejected';
      o.reason = reject;
      this.emit(o);
      return { ...o };
    }
    const q = this.quotes.get(order.symbol);
    if (q === undefined) {
      o.status = 'rejected';
      o.reason = `no price for ${order.symbol} yet`;
      this.emit(o);
      return { ...o };
    }
    const buy = order.side === 'buy';
    const limit = order.price ?? Number.NaN;
    const marketable =
      order.type === 'market' ||
      (order.type === 'limit' && (buy ? q.price <= limit : q.price >= limit)) ||
      (order.type === 'stop' && (buy ? q.price >= limit : q.price <= limit));
    if (marketable) this.fill(o, q.price, q.ts);
    else {
      o.status = 'accepted';
      this.emit(o);
    }
    return { ...o };
  }

  private refusal(order: SubmitOrder): string | undefined {
    if (!this.index.has(order.symbol)) return `paper broker does not trade ${order.symbol}`;
    if (!(Number.isFinite(order.qty) && order.qty > 0)) return `qty must be positive, got ${order.qty}`;
    if (order.type !== 'market' && !(typeof order.price === 'number' && order.price > 0))
      return `${order.type} order needs a positive price`;
    return undefined;
  }

  private fill(o: BrokerOrder, price: number, ts: number): void {
    const i = this.index.get(o.symbol);
    if (i === undefined) throw new ValidationError(`paper broker does not trade ${o.symbol}`);
    const signed = o.side === 'buy' ? o.qty : -o.qty;
    const f = this.pf.execute(i, signed, price, ts, o.clientOrderId);
    o.status = 'filled';
    o.filledQty = o.qty;
    o.avgPrice = f.price;
    o.updatedAt = ts;
    const fill: BrokerFill = {
      clientOrderId: o.clientOrderId,
      fillId: `${o.clientOrderId}:1`,
      symbol: o.symbol,
      side: o.side,
      qty: f.qty,
      price: f.price,
      fee: f.fee,
      feeCurrency: this.currency,
      ts,
    };
    this.emit(o, fill);
  }

  private emit(order: BrokerOrder, fill?: BrokerFill): void {
    const u: OrderUpdate = fill === undefined ? { order: { ...order } } : { order: { ...order }, fill };
    for (const l of this.listeners) l(u);
  }

  async cancel(clientOrderId: string): Promise<BrokerOrder> {
    const o = this.all.get(clientOrderId);
    if (o === undefined) throw new ValidationError(`paper broker has no order ${clientOrderId}`);
    if (!TERMINAL_STATUSES.has(o.status)) {
      o.status = 'cancelled';
      o.reason = 'cancelled';
      o.updatedAt = this.quotes.get(o.symbol)?.ts ?? this.now();
      this.emit(o);
    }
    return { ...o };
  }

  async orders(opts: { all?: boolean; symbols?: readonly string[] } = {}): Promise<BrokerOrder[]> {
    const open = new Set(['new', 'accepted', 'partially_filled']);
    return [...this.all.values()]
      .filter(
        (o) =>
          (opts.all === true || open.has(o.status)) && (!opts.symbols || opts.symbols.includes(o.symbol)),
      )
      .map((o) => ({ ...o }));
  }

  async positions(): Promise<BrokerPosition[]> {
    const out: BrokerPosition[] = [];
    for (const [symbol, i] of this.index) {
      const qty = this.pf.qty[i] ?? 0;
      if (qty !== 0) out.push({ symbol, qty, avgPrice: this.pf.avgCost[i] ?? 0 });
    }
    return out;
  }

  async account(): Promise<BrokerAccount> {
    return { currency: this.currency, cash: this.pf.cash, equity: this.pf.equity() };
  }

  onUpdate(listener: (update: OrderUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
