/**
 * Binance spot's user data stream over the WebSocket API
 * (https://github.com/binance/binance-spot-api-docs/blob/master/web-socket-api.md, "User Data Stream requests";
 * the listenKey stream was discontinued for spot on 2026-02-20). One WebSocket to `/ws-api/v3`; the client
 * sends the signed request `{"id","method":"userDataStream.subscribe.signature","params":{apiKey,timestamp,
 * signature}}` (signature = HMAC-SHA256 hex of the parameters sorted by name as `k=v&…`, as for REST), the venue
 * answers `{"id","status":200,"result":{"subscriptionId":N}}` or `{"id","status":4xx,"error":{code,msg}}`, and
 * from then on each account event arrives as `{"subscriptionId":N,"event":{"e":"executionReport",…}}`.
 *
 * Liveness is the WebSocket ping (the server also pings every 20 s and `ws` answers): no pong before the next
 * ping drops the socket. A drop, or an `eventStreamTerminated` event, reconnects with exponential backoff and
 * full jitter; a refused subscription (bad key or signature, -1022/-2014/-2015) waits `authRetryMs`. Binance
 * does not replay events: what happened while the stream was not `live` is the owner's to catch up on.
 */
import { createHmac } from 'node:crypto';
import type WebSocket from 'ws';
import { z } from 'zod';
import type { BrokerFill, BrokerOrder, BrokerOrderType, OrderStatus, OrderUpdate } from './broker.ts';
import { VenueStream, type VenueStreamOptions } from './venue-stream.ts';

const MAINNET_WS_API = 'wss://ws-api.binance.com:443/ws-api/v3';
const TESTNET_WS_API = 'wss://ws-api.testnet.binance.vision/ws-api/v3';

/**
 * The WebSocket API URL for a REST base URL (`BINANCE_BASE_URL`): the spot testnet's REST host → the testnet's
 * ws-api, a `*.binance.com` REST host → the live ws-api, any other host (a loopback venue) → the same host with
 * `ws`/`wss` and path `/ws-api/v3`.
 */
export function binanceWsApiUrl(baseUrl: string): string {
  const u = new URL(baseUrl);
  if (u.hostname === 'testnet.binance.vision') return TESTNET_WS_API;
  if (u.hostname === 'binance.com' || u.hostname.endsWith('.binance.com')) return MAINNET_WS_API;
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = '/ws-api/v3';
  u.search = '';
  u.hash = '';
  return u.toString();
}

/** Error codes that mean the key or the signature is refused (retrying at once would not help). */
const REFUSED_CODES: ReadonlySet<number> = new Set([-1021, -1022, -2008, -2014, -2015]);

const responseSchema = z.object({
  id: z.union([z.string(), z.number()]).nullable().optional(),
  status: z.number(),
  result: z.object({ subscriptionId: z.number() }).partial().nullable().optional(),
  error: z.object({ code: z.number(), msg: z.string() }).optional(),
});
const eventEnvelopeSchema = z.object({
  subscriptionId: z.number().optional(),
  event: z.object({ e: z.string() }).loose(),
});

const numeric = z.union([z.string(), z.number()]).transform((v) => Number(v));
/** The `executionReport` fields we read (web-socket-api.md / user-data-stream.md "Order Update"). */
const executionReportSchema = z.object({
  e: z.literal('executionReport'),
  E: z.number(),
  s: z.string(),
  c: z.string(),
  C: z.string().optional(),
  S: z.enum(['BUY', 'SELL']),
  o: z.string(),
  q: numeric,
  p: numeric,
  x: z.string(),
  X: z.string(),
  r: z.string().optional(),
  i: z.number(),
  l: numeric,
  z: numeric,
  L: numeric,
  n: numeric.optional(),
  N: z.string().nullable().optional(),
  T: z.number(),
  t: z.number(),
  Z: numeric,
});

/** Binance's order statuses (`X`, enums.md) as ours. */
export const BINANCE_WIRE_STATUS: Readonly<Record<string, OrderStatus>> = {
  NEW: 'accepted',
  PENDING_NEW: 'accepted',
  PARTIALLY_FILLED: 'partially_filled',
  PENDING_CANCEL: 'accepted',
  FILLED: 'filled',
  CANCELED: 'cancelled',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
  EXPIRED_IN_MATCH: 'expired',
};

/**
 * An `executionReport` as our order update; `symbol` is Binance's market id (`BTCUSDT`), left for the broker
 * to map. For a cancel (`x` CANCELED) `c` is the cancel request's own id and `C` the order's, so `C` names
 * the order then. A `TRADE` execution is the fill: trade id `t` (the REST trade list's id too), `l` at `L`,
 * commission `n` in `N`. Throws on a message that does not parse.
 */
export function executionReportToUpdate(data: unknown): OrderUpdate {
  const r = executionReportSchema.parse(data);
  const clientOrderId = r.x === 'CANCELED' && r.C ? r.C : r.c;
  const filledQty = r.z;
  let status = BINANCE_WIRE_STATUS[r.X] ?? 'accepted';
  if (status === 'accepted' && filledQty > 0) status = 'partially_filled';
  const type: BrokerOrderType =
    r.o === 'MARKET' || r.o === 'LIMIT' ? (r.o.toLowerCase() as BrokerOrderType) : 'stop';
  const order: BrokerOrder = {
    clientOrderId,
    brokerOrderId: String(r.i),
    symbol: r.s,
    side: r.S === 'SELL' ? 'sell' : 'buy',
    type,
    qty: r.q,
    limitPrice: r.p > 0 ? r.p : undefined,
    status,
    filledQty,
    avgPrice: filledQty > 0 ? r.Z / filledQty : Number.NaN,
    reason: r.r && r.r !== 'NONE' ? r.r : undefined,
    updatedAt: r.T || r.E,
  };
  let fill: BrokerFill | undefined;
  if (r.x === 'TRADE' && r.l > 0 && r.t >= 0) {
    fill = {
      clientOrderId,
      fillId: String(r.t),
      symbol: r.s,
      side: order.side,
      qty: r.l,
      price: r.L,
      fee: r.n ?? 0,
      feeCurrency: r.N ?? undefined,
      ts: r.T,
    };
  }
  return { order, fill };
}

/** `k=v&…` of `params` sorted by name, HMAC-SHA256 signed with `secret` (hex), as the WebSocket API checks. */
function signed(params: Record<string, string | number>, secret: string): Record<string, string | number> {
  const payload = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  return { ...params, signature: createHmac('sha256', secret).update(payload).digest('hex') };
}

export interface BinanceUserStreamOptions extends VenueStreamOptions {
  apiKey: string;
  apiSecret: string;
  /** Our clock for the signed `timestamp` (ms). @defaultValue Date.now */
  now?: () => number;
  /** One `executionReport` event (validated by the owner). */
  onExecutionReport(event: unknown): void;
}

export class BinanceUserStream extends VenueStream {
  private subscriptionId: number | undefined;
  private requestId = 0;

  constructor(private readonly opts: BinanceUserStreamOptions) {
    super(opts, 'subscription confirmation');
  }

  protected onOpen(socket: WebSocket): void {
    this.subscriptionId = undefined;
    const params = signed(
      { apiKey: this.opts.apiKey, timestamp: (this.opts.now ?? Date.now)() },
      this.opts.apiSecret,
    );
    this.requestId++;
    socket.send(
      JSON.stringify({
        id: `sub-${this.requestId}`,
        method: 'userDataStream.subscribe.signature',
        params,
      }),
    );
  }

  protected onText(socket: WebSocket, text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.down(socket, 'a frame that is not JSON');
      return;
    }
    const ev = eventEnvelopeSchema.safeParse(msg);
    if (ev.success) {
      if (this.state !== 'live') return;
      if (ev.data.subscriptionId !== undefined && ev.data.subscriptionId !== this.subscriptionId) return;
      if (ev.data.event.e === 'executionReport') this.opts.onExecutionReport(ev.data.event);
      else if (ev.data.event.e === 'eventStreamTerminated') this.down(socket, 'event stream terminated');
      return;
    }
    const res = responseSchema.safeParse(msg);
    if (!res.success || res.data.id !== `sub-${this.requestId}`) return; // nothing else was asked
    if (res.data.status !== 200 || res.data.error) {
      const e = res.data.error;
      const why = e
        ? `subscription refused (${e.code}: ${e.msg})`
        : `subscription refused (${res.data.status})`;
      this.down(socket, why, e !== undefined && REFUSED_CODES.has(e.code));
      return;
    }
    if (this.state === 'live') return;
    this.subscriptionId = res.data.result?.subscriptionId ?? undefined;
    this.live(socket);
  }
}
