/**
 * US equities through Alpaca's trading API v2, directly over fetch (the wire format is small and documented:
 * https://docs.alpaca.markets/reference). The paper endpoint unless a base URL is given (`ALPACA_BASE_URL`).
 * Requests carry the key pair in `APCA-API-KEY-ID` / `APCA-API-SECRET-KEY`; nothing here ever puts either in
 * a message. Submits are idempotent on `client_order_id`: after an unanswered POST the order is looked up
 * (`GET /v2/orders:by_client_order_id`) before anything is sent again, and Alpaca's "client_order_id must be
 * unique" answer is the order it already has.
 *
 * Order updates come from Alpaca's `trade_updates` stream (`alpaca-stream.ts`) while it is authorized and
 * listening; the REST poller is paused meanwhile and runs again whenever the stream is down or refused. Each
 * time the stream becomes live the tracked open orders are polled once, so what happened in the gap is not
 * lost (Alpaca does not replay events).
 */
import { z } from 'zod';
import { describeError, NotFoundError } from '../core/errors.ts';
import { AlpacaTradeStream, alpacaStreamUrl } from './alpaca-stream.ts';
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
import type { VenueStreamState } from './venue-stream.ts';

export const ALPACA_PAPER_URL = 'https://paper-api.alpaca.markets';

const numeric = z.union([z.string(), z.number()]).transform(Number);
const maybeNumeric = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => (v == null ? undefined : Number(v)));

const orderSchema = z.object({
  id: z.string(),
  client_order_id: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  type: z.string(),
  qty: maybeNumeric,
  filled_qty: numeric,
  filled_avg_price: maybeNumeric,
  limit_price: maybeNumeric,
  stop_price: maybeNumeric,
  status: z.string(),
  updated_at: z.string().nullable().optional(),
  created_at: z.string(),
});
type AlpacaOrder = z.infer<typeof orderSchema>;

const positionSchema = z.object({
  symbol: z.string(),
  qty: numeric,
  side: z.string().optional(),
  avg_entry_price: numeric,
});
const accountSchema = z.object({ currency: z.string(), cash: numeric, equity: numeric });
const errorSchema = z.object({ code: z.number().optional(), message: z.string() });
/**
 * One `trade_updates` event (https://docs.alpaca.markets/docs/websocket-streaming): `event` (new, fill,
 * partial_fill, canceled, expired, rejected, replaced, pending_*, …), the order as the REST API shows it, and
 * for fill/partial_fill the execution: `execution_id`, `price` and `qty` of this fill, `timestamp`.
 */
const tradeUpdateSchema = z.object({
  event: z.string(),
  execution_id: z.string().optional(),
  price: maybeNumeric,
  qty: maybeNumeric,
  timestamp: z.string().optional(),
  order: orderSchema,
});

/** Alpaca's order statuses (https://docs.alpaca.markets/docs/orders-at-alpaca#order-lifecycle) as ours. */
export function alpacaStatus(status: string, filledQty: number): OrderStatus {
  switch (status) {
    case 'partially_filled':
      return 'partially_filled';
    case 'filled':
      return 'filled';
    case 'canceled':
    case 'replaced':
      return 'cancelled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    default:
      // new, accepted, pending_new, accepted_for_bidding, pending_cancel, pending_replace, done_for_day,
      // stopped, suspended, calculated: still working at the venue
      return filledQty > 0 ? 'partially_filled' : 'accepted';
  }
}

function toOrder(o: AlpacaOrder): BrokerOrder {
  const type: BrokerOrderType = o.type === 'market' || o.type === 'limit' ? o.type : 'stop';
  return {
    clientOrderId: o.client_order_id,
    brokerOrderId: o.id,
    symbol: o.symbol,
    side: o.side,
    type,
    qty: o.qty ?? 0,
    limitPrice: o.limit_price ?? o.stop_price,
    status: alpacaStatus(o.status, o.filled_qty),
    filledQty: o.filled_qty,
    avgPrice: o.filled_qty > 0 ? (o.filled_avg_price ?? Number.NaN) : Number.NaN,
    reason: o.status === 'replaced' ? 'replaced' : undefined,
    updatedAt: Date.parse(o.updated_at ?? o.created_at),
  };
}

/**
 * A `trade_updates` event as our order update: the order state it carries and, for `fill`/`partial_fill`, the
 * execution it reports, named by Alpaca's `execution_id`. Throws on a message that does not parse.
 */
export function tradeUpdateToOrderUpdate(data: unknown): OrderUpdate {
  const u = tradeUpdateSchema.parse(data);
  const order = toOrder(u.order);
  let fill: BrokerFill | undefined;
  if (
    (u.event === 'fill' || u.event === 'partial_fill') &&
    u.execution_id !== undefined &&
    u.qty !== undefined &&
    u.qty > 0 &&
    u.price !== undefined
  ) {
    const ts = u.timestamp === undefined ? Number.NaN : Date.parse(u.timestamp);
    fill = {
      clientOrderId: order.clientOrderId,
      fillId: u.execution_id,
      symbol: order.symbol,
      side: order.side,
      qty: u.qty,
      price: u.price,
      fee: 0,
      ts: Number.isFinite(ts) ? ts : order.updatedAt,
    };
  }
  return fill === undefined ? { order } : { order, fill };
}

/** A failed request: HTTP status and Alpaca's `{code, message}` (status 0 when no answer came). */
class AlpacaHttpError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly venueCode: number | undefined,
    readonly venueMessage: string,
  ) {
    super(`alpaca ${httpStatus}${venueCode === undefined ? '' : ` ${venueCode}`}: ${venueMessage}`);
  }
}

export interface AlpacaBrokerOptions extends SubmitSettings {
  apiKey: string;
  apiSecret: string;
  /** @defaultValue ALPACA_PAPER_URL */
  baseUrl?: string;
  /** Per-request timeout (ms). @defaultValue 10000 */
  timeoutMs?: number;
  /** REST poll interval while the stream is not live (ms). @defaultValue 1000 */
  pollMs?: number;
  /** Order updates from the `trade_updates` stream (polling only when false). @defaultValue true */
  stream?: boolean;
  /** @defaultValue `baseUrl` with ws/wss and path `/stream` */
  streamUrl?: string;
  /**
   * Stream reconnects: backoff caps (ms), wait after a refused authorization (ms), WebSocket ping (ms).
   * @defaultValue `{ initialMs: 500, maxMs: 30000, authRetryMs: 60000, pingMs: 20000 }`
   */
  streamReconnect?: { initialMs?: number; maxMs?: number; authRetryMs?: number; pingMs?: number };
  fetch?: typeof fetch;
}

export class AlpacaBroker implements Broker {
  readonly name = 'alpaca';
  readonly external = true;
  /** Where the orders go (scheme and host). */
  readonly endpoint: string;
  private readonly poller: OrderPoller;
  private stream: AlpacaTradeStream | undefined;

  constructor(private readonly opts: AlpacaBrokerOptions) {
    this.endpoint = new URL(opts.baseUrl ?? ALPACA_PAPER_URL).origin;
    this.poller = new OrderPoller({
      intervalMs: opts.pollMs,
      refresh: async (o) => (await this.lookup(o.clientOrderId)) ?? o,
      onError: (err) => this.opts.log?.warn({ broker: this.name, err: this.safe(err) }, 'order poll failed'),
    });
  }

  private safe(err: unknown): string {
    return redact(describeError(err), [this.opts.apiKey, this.opts.apiSecret]);
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const doFetch = this.opts.fetch ?? fetch;
    let res: Response;
    try {
      res = await doFetch(`${this.endpoint}${path}`, {
        method,
        headers: {
          'APCA-API-KEY-ID': this.opts.apiKey,
          'APCA-API-SECRET-KEY': this.opts.apiSecret,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new AlpacaHttpError(0, undefined, `${method} ${path.split('?')[0]}: ${this.safe(err)}`);
    }
    const text = await res.text().catch(() => '');
    if (res.ok) return text === '' ? null : (JSON.parse(text) as unknown);
    let parsed: z.infer<typeof errorSchema> | undefined;
    try {
      const e = errorSchema.safeParse(JSON.parse(text));
      parsed = e.success ? e.data : undefined;
    } catch {
      parsed = undefined;
    }
    throw new AlpacaHttpError(res.status, parsed?.code, parsed?.message ?? (res.statusText || 'error'));
  }

  /** An error of ours for a failed request (never with headers, never with the key). */
  private fail(err: unknown, doing: string): Error {
    const what = `alpaca: ${doing} failed`;
    if (!(err instanceof AlpacaHttpError)) return new VenueError(`${what}: ${this.safe(err)}`);
    const msg = `${what}: ${err.venueMessage}`;
    if (err.httpStatus === 0 || err.httpStatus === 429 || err.httpStatus >= 500)
      return new VenueUnavailableError(msg);
    if (err.httpStatus === 401) return new VenueAuthError(msg);
    if (err.httpStatus === 404) return new NotFoundError(msg);
    return new VenueError(msg);
  }

  private async lookup(clientOrderId: string): Promise<BrokerOrder | null> {
    try {
      const raw = await this.request(
        'GET',
        `/v2/orders:by_client_order_id?client_order_id=${encodeURIComponent(clientOrderId)}`,
      );
      return toOrder(orderSchema.parse(raw));
    } catch (err) {
      if (err instanceof AlpacaHttpError && err.httpStatus === 404) return null;
      throw this.fail(err, `looking up ${clientOrderId}`);
    }
  }

  async submit(order: SubmitOrder): Promise<BrokerOrder> {
    const body: Record<string, unknown> = {
      symbol: order.symbol,
      qty: String(order.qty),
      side: order.side,
      type: order.type,
      time_in_force: order.timeInForce ?? 'day',
      client_order_id: order.clientOrderId,
    };
    if (order.type === 'limit') body.limit_price = String(order.price);
    if (order.type === 'stop') body.stop_price = String(order.price);
    return submitIdempotently(
      order,
      {
        broker: this.name,
        send: async () => toOrder(orderSchema.parse(await this.request('POST', '/v2/orders', body))),
        lookup: () => this.lookup(order.clientOrderId),
        classify: (err) => {
          if (!(err instanceof AlpacaHttpError)) return { kind: 'other' };
          const s = err.httpStatus;
          if (s === 0 || s === 429 || s >= 500) return { kind: 'no_answer', message: err.venueMessage };
          // 422 may be "client_order_id must be unique": the order is already there (an earlier attempt got through).
          if (s === 422 || s === 403 || s === 400) return { kind: 'rejected', reason: err.venueMessage };
          return { kind: 'other' };
        },
        fail: (err) => this.fail(err, `submitting ${order.clientOrderId}`),
        safe: (err) => this.safe(err),
        poller: this.poller,
        lookUpFirstRejection: true,
      },
      this.opts,
    );
  }

  async cancel(clientOrderId: string): Promise<BrokerOrder> {
    const order = await this.lookup(clientOrderId);
    if (!order?.brokerOrderId) throw new NotFoundError(`alpaca: no order ${clientOrderId}`);
    try {
      await this.request('DELETE', `/v2/orders/${encodeURIComponent(order.brokerOrderId)}`);
    } catch (err) {
      // 422: no longer cancelable (filled, cancelled, expired): the order as it ended is the answer
      if (!(err instanceof AlpacaHttpError && err.httpStatus === 422))
        throw this.fail(err, `cancelling ${clientOrderId}`);
    }
    return (await this.lookup(clientOrderId)) ?? order;
  }

  async orders(opts: { all?: boolean; symbols?: readonly string[] } = {}): Promise<BrokerOrder[]> {
    const q = new URLSearchParams({ status: opts.all ? 'all' : 'open', limit: '500', direction: 'asc' });
    if (opts.symbols && opts.symbols.length > 0) q.set('symbols', opts.symbols.join(','));
    try {
      const raw = await this.request('GET', `/v2/orders?${q}`);
      const orders = z.array(orderSchema).parse(raw).map(toOrder);
      // polled from now on while open: after a restart, reconciliation's listing resumes their updates
      for (const o of orders) this.poller.watch(o);
      return orders;
    } catch (err) {
      throw this.fail(err, 'listing orders');
    }
  }

  async positions(): Promise<BrokerPosition[]> {
    try {
      const raw = z.array(positionSchema).parse(await this.request('GET', '/v2/positions'));
      return raw.map((p) => ({
        symbol: p.symbol,
        qty: p.side === 'short' && p.qty > 0 ? -p.qty : p.qty,
        avgPrice: p.avg_entry_price,
      }));
    } catch (err) {
      throw this.fail(err, 'reading positions');
    }
  }

  async account(): Promise<BrokerAccount> {
    try {
      const a = accountSchema.parse(await this.request('GET', '/v2/account'));
      return { currency: a.currency, cash: a.cash, equity: a.equity };
    } catch (err) {
      throw this.fail(err, 'reading the account');
    }
  }

  onUpdate(listener: (update: OrderUpdate) => void): () => void {
    const off = this.poller.subscribe(listener);
    this.startStream();
    return () => {
      off();
      if (!this.poller.listening) void this.stopStream();
    };
  }

  /**
   * Where order updates come from now: `live` = authorized and listening to `trade_updates`, anything else =
   * REST polling (`unauthorized`: the venue refused the key pair).
   */
  get streamState(): VenueStreamState {
    return this.stream?.state ?? 'off';
  }

  /** Times the stream came back after a drop. */
  get streamReconnects(): number {
    return this.stream?.reconnects ?? 0;
  }

  private startStream(): void {
    if (this.stream || this.opts.stream === false) return;
    const r = this.opts.streamReconnect ?? {};
    const handlers = this.poller.streamHandlers({
      broker: this.name,
      stream: 'trade_updates stream',
      log: this.opts.log,
      safe: (err) => this.safe(err),
    });
    this.stream = new AlpacaTradeStream({
      url: this.opts.streamUrl ?? alpacaStreamUrl(this.endpoint),
      apiKey: this.opts.apiKey,
      apiSecret: this.opts.apiSecret,
      backoffInitialMs: r.initialMs,
      backoffMaxMs: r.maxMs,
      authRetryMs: r.authRetryMs,
      pingMs: r.pingMs,
      onTradeUpdate: (data) => {
        let u: OrderUpdate;
        try {
          u = tradeUpdateToOrderUpdate(data);
        } catch (err) {
          this.opts.log?.warn({ broker: this.name, err: this.safe(err) }, 'trade update not understood');
          return;
        }
        handlers.update(u);
      },
      onState: handlers.state,
    });
    this.stream.start();
  }

  private async stopStream(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    this.poller.resume();
    await stream?.stop();
  }

  /** Polls the open orders now (instead of waiting for the timer). */
  pollOnce(): Promise<void> {
    return this.poller.pollOnce();
  }

  async close(): Promise<void> {
    this.poller.stop();
    const stream = this.stream;
    this.stream = undefined;
    await stream?.stop();
  }
}
