/**
 * A loopback Alpaca trading API v2 (documented wire format) for the broker tests and the trade-loopback
 * bench: orders, orders by client order id, cancel, positions, account. Every request must carry the key
 * pair in `APCA-API-KEY-ID` / `APCA-API-SECRET-KEY` (401 `{code, message}` otherwise). Orders rest until the
 * test fills or cancels them.
 *
 * `/stream` is the `trade_updates` WebSocket (https://docs.alpaca.markets/docs/websocket-streaming): `auth`
 * with the key pair → `authorization` authorized/unauthorized (then closed), `listen` → `listening`, and an
 * event per order change (`new` on submit, `partial_fill`/`fill` with execution_id, price, qty, timestamp,
 * `canceled`) to every authorized listener. Frames are binary by default, as Alpaca's paper endpoint sends.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

interface FakeAlpacaOrder {
  id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: string;
  time_in_force: string;
  qty: number;
  filled_qty: number;
  filled_avg_price: number | null;
  limit_price: number | null;
  stop_price: number | null;
  status: string;
  created_at: string;
  updated_at: string;
}

export interface FakeAlpaca {
  baseUrl: string;
  orders: FakeAlpacaOrder[];
  requests: { method: string; path: string; status: number }[];
  /** The next `n` POST /v2/orders are recorded at once but answered only after `ms`. */
  delayOrderAnswers(ms: number, n?: number): void;
  fill(clientOrderId: string, qty: number, price: number): void;
  cancelAtVenue(clientOrderId: string): void;
  /** Every `trade_updates` event the venue produced (sent or not: nobody may have been listening). */
  streamEvents: { event: string; clientOrderId: string; executionId?: string; delivered: number }[];
  /** Stream handshakes: the secret each `auth` carried was right or not. */
  streamAuths: { authorized: boolean }[];
  /** From now on the stream accepts only this secret (a key pair revoked for the stream). */
  setStreamSecret(secret: string): void;
  /** Drops every stream connection at once (as a network failure would); clients must reconnect. */
  dropStreams(): void;
  /** Sends the last event of an order again to the current listeners (a late, repeated delivery). */
  resendLastEvent(clientOrderId: string): void;
  close(): Promise<void>;
}

export interface FakeAlpacaOptions {
  apiKey: string;
  apiSecret: string;
  /** @defaultValue 100000 */
  cash?: number;
  /** Price a market buy is checked against for buying power. @defaultValue 100 */
  mark?: number;
  /**
   * The secret the stream accepts in `auth` (a key pair the stream refuses while REST takes it).
   * @defaultValue apiSecret
   */
  streamApiSecret?: string;
  /** @defaultValue 'binary' (Alpaca's paper endpoint) */
  streamFrames?: 'binary' | 'text';
}

const err = (code: number, message: string) => ({ code, message });
const OPEN = new Set(['new', 'accepted', 'partially_filled', 'pending_new']);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      text += c;
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

const wire = (o: FakeAlpacaOrder) => ({
  id: o.id,
  client_order_id: o.client_order_id,
  created_at: o.created_at,
  updated_at: o.updated_at,
  submitted_at: o.created_at,
  filled_at: o.status === 'filled' ? o.updated_at : null,
  expired_at: null,
  canceled_at: o.status === 'canceled' ? o.updated_at : null,
  failed_at: null,
  replaced_at: null,
  replaced_by: null,
  replaces: null,
  asset_id: `asset-${o.symbol}`,
  symbol: o.symbol,
  asset_class: 'us_equity',
  notional: null,
  qty: String(o.qty),
  filled_qty: String(o.filled_qty),
  filled_avg_price: o.filled_avg_price === null ? null : String(o.filled_avg_price),
  order_class: '',
  order_type: o.type,
  type: o.type,
  side: o.side,
  time_in_force: o.time_in_force,
  limit_price: o.limit_price === null ? null : String(o.limit_price),
  stop_price: o.stop_price === null ? null : String(o.stop_price),
  status: o.status,
  extended_hours: false,
  legs: null,
  trail_percent: null,
  trail_price: null,
  hwm: null,
});

export async function startFakeAlpaca(options: FakeAlpacaOptions): Promise<FakeAlpaca> {
  const orders: FakeAlpacaOrder[] = [];
  const requests: FakeAlpaca['requests'] = [];
  const positions = new Map<string, { qty: number; cost: number }>();
  let cash = options.cash ?? 100_000;
  let nextId = 1;
  let delay = { ms: 0, n: 0 };
  const listeners = new Set<WebSocket>();
  const sockets = new Set<WebSocket>();
  const streamEvents: FakeAlpaca['streamEvents'] = [];
  const streamAuths: FakeAlpaca['streamAuths'] = [];
  const lastEvent = new Map<string, string>();
  let nextExecution = 1;
  let streamSecret = options.streamApiSecret ?? options.apiSecret;
  const send = (ws: WebSocket, msg: unknown) => {
    const text = JSON.stringify(msg);
    ws.send(options.streamFrames === 'text' ? text : Buffer.from(text), {
      binary: options.streamFrames !== 'text',
    });
  };
  /** One trade_updates event for `o` as it is now, to every authorized listener. */
  const emit = (o: FakeAlpacaOrder, event: string, extra: Record<string, unknown> = {}) => {
    const data = { event, timestamp: o.updated_at, ...extra, order: wire(o) };
    lastEvent.set(o.client_order_id, JSON.stringify({ stream: 'trade_updates', data }));
    streamEvents.push({
      event,
      clientOrderId: o.client_order_id,
      executionId: typeof extra.execution_id === 'string' ? extra.execution_id : undefined,
      delivered: listeners.size,
    });
    for (const ws of listeners) send(ws, { stream: 'trade_updates', data });
  };

  const route = (method: string, url: URL, body: string): { status: number; body?: unknown } => {
    const path = url.pathname;
    if (method === 'POST' && path === '/v2/orders') {
      const b = JSON.parse(body) as Record<string, string | undefined>;
      const qty = Number(b.qty);
      if (!b.symbol || !(qty > 0)) return { status: 422, body: err(40010001, 'qty must be > 0') };
      if (b.side !== 'buy' && b.side !== 'sell') return { status: 422, body: err(40010001, 'invalid side') };
      const clientId = b.client_order_id ?? `auto-${nextId}`;
      if (orders.some((o) => o.client_order_id === clientId)) {
        return { status: 422, body: err(40010001, 'client_order_id must be unique') };
      }
      const limit = b.limit_price === undefined ? null : Number(b.limit_price);
      if (b.side === 'buy' && qty * (limit ?? options.mark ?? 100) > cash) {
        return { status: 403, body: err(40310000, 'insufficient buying power') };
      }
      const now = new Date().toISOString();
      const order: FakeAlpacaOrder = {
        id: `a1b2c3d4-0000-4000-8000-${String(nextId++).padStart(12, '0')}`,
        client_order_id: clientId,
        symbol: b.symbol,
        side: b.side,
        type: b.type ?? 'market',
        time_in_force: b.time_in_force ?? 'day',
        qty,
        filled_qty: 0,
        filled_avg_price: null,
        limit_price: limit,
        stop_price: b.stop_price === undefined ? null : Number(b.stop_price),
        status: 'accepted',
        created_at: now,
        updated_at: now,
      };
      orders.push(order);
      emit(order, 'new');
      return { status: 200, body: wire(order) };
    }
    if (method === 'GET' && path === '/v2/orders:by_client_order_id') {
      const o = orders.find((x) => x.client_order_id === url.searchParams.get('client_order_id'));
      return o ? { status: 200, body: wire(o) } : { status: 404, body: err(40410000, 'order not found') };
    }
    if (method === 'GET' && path === '/v2/orders') {
      const status = url.searchParams.get('status') ?? 'open';
      const symbols = url.searchParams.get('symbols')?.split(',');
      const list = orders.filter(
        (o) =>
          (status === 'all' || (status === 'open') === OPEN.has(o.status)) &&
          (!symbols || symbols.includes(o.symbol)),
      );
      return { status: 200, body: list.map(wire) };
    }
    const byId = /^\/v2\/orders\/([^/]+)$/.exec(path);
    if (byId) {
      const o = orders.find((x) => x.id === decodeURIComponent(byId[1] ?? ''));
      if (!o) return { status: 404, body: err(40410000, 'order not found') };
      if (method === 'GET') return { status: 200, body: wire(o) };
      if (method === 'DELETE') {
        if (!OPEN.has(o.status)) return { status: 422, body: err(42210000, 'order is not cancelable') };
        o.status = 'canceled';
        o.updated_at = new Date().toISOString();
        emit(o, 'canceled');
        return { status: 204 };
      }
    }
    if (method === 'GET' && path === '/v2/positions') {
      return {
        status: 200,
        body: [...positions]
          .filter(([, p]) => p.qty !== 0)
          .map(([symbol, p]) => ({
            asset_id: `asset-${symbol}`,
            symbol,
            exchange: 'NASDAQ',
            asset_class: 'us_equity',
            asset_marginable: true,
            qty: String(p.qty),
            qty_available: String(p.qty),
            avg_entry_price: String(p.cost / p.qty),
            side: p.qty > 0 ? 'long' : 'short',
            market_value: String(p.cost),
            cost_basis: String(p.cost),
            unrealized_pl: '0',
            unrealized_plpc: '0',
            unrealized_intraday_pl: '0',
            unrealized_intraday_plpc: '0',
            current_price: String(p.cost / p.qty),
            lastday_price: String(p.cost / p.qty),
            change_today: '0',
          })),
      };
    }
    if (method === 'GET' && path === '/v2/account') {
      const held = [...positions.values()].reduce((s, p) => s + p.cost, 0);
      return {
        status: 200,
        body: {
          id: 'acct-1',
          account_number: 'PA000000001',
          status: 'ACTIVE',
          currency: 'USD',
          cash: cash.toFixed(2),
          portfolio_value: (cash + held).toFixed(2),
          equity: (cash + held).toFixed(2),
          buying_power: cash.toFixed(2),
          pattern_day_trader: false,
          trading_blocked: false,
          account_blocked: false,
          created_at: '2024-01-02T00:00:00Z',
        },
      };
    }
    return { status: 404, body: err(40410000, 'endpoint not found') };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const seen = { method, path: url.pathname, status: 0 };
    requests.push(seen);
    const body = await readBody(req);
    let out: { status: number; body?: unknown };
    if (
      req.headers['apca-api-key-id'] !== options.apiKey ||
      req.headers['apca-api-secret-key'] !== options.apiSecret
    ) {
      out = { status: 401, body: err(40110000, 'request is not authorized') };
    } else {
      out = route(method, url, body);
      if (method === 'POST' && url.pathname === '/v2/orders' && delay.n > 0) {
        delay.n--;
        await new Promise((r) => setTimeout(r, delay.ms));
      }
    }
    seen.status = out.status;
    if (res.destroyed) return;
    if (out.body === undefined) {
      res.writeHead(out.status);
      res.end();
      return;
    }
    res.writeHead(out.status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(out.body));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(err(50000000, String(e))));
    });
  });
  server.keepAliveTimeout = 1000;
  const wss = new WebSocketServer({ server, path: '/stream' });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    let authorized = false;
    ws.on('close', () => {
      sockets.delete(ws);
      listeners.delete(ws);
    });
    ws.on('message', (raw) => {
      let msg: { action?: string; key?: string; secret?: string; data?: { streams?: string[] } };
      try {
        msg = JSON.parse(String(raw)) as typeof msg;
      } catch {
        send(ws, { stream: 'error', data: { message: 'invalid syntax' } });
        return;
      }
      if (msg.action === 'auth') {
        authorized = msg.key === options.apiKey && msg.secret === streamSecret;
        streamAuths.push({ authorized });
        send(ws, {
          stream: 'authorization',
          data: { action: 'authenticate', status: authorized ? 'authorized' : 'unauthorized' },
        });
        if (!authorized) ws.close(1008, 'unauthorized');
        return;
      }
      if (msg.action === 'listen') {
        if (!authorized) {
          send(ws, { stream: 'authorization', data: { action: 'listen', status: 'unauthorized' } });
          return;
        }
        const streams = (msg.data?.streams ?? []).filter((s) => s === 'trade_updates');
        if (streams.length > 0) listeners.add(ws);
        else listeners.delete(ws);
        send(ws, { stream: 'listening', data: { streams } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const find = (clientOrderId: string) => {
    const o = orders.find((x) => x.client_order_id === clientOrderId);
    if (!o) throw new Error(`fake alpaca: no order ${clientOrderId}`);
    return o;
  };

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    orders,
    requests,
    delayOrderAnswers(ms, n = 1) {
      delay = { ms, n };
    },
    fill(clientOrderId, qty, price) {
      const o = find(clientOrderId);
      if (!OPEN.has(o.status)) throw new Error(`fake alpaca: ${clientOrderId} is not open`);
      const q = Math.min(qty, o.qty - o.filled_qty);
      const before = (o.filled_avg_price ?? 0) * o.filled_qty;
      o.filled_qty += q;
      o.filled_avg_price = (before + q * price) / o.filled_qty;
      o.status = o.filled_qty >= o.qty ? 'filled' : 'partially_filled';
      o.updated_at = new Date().toISOString();
      emit(o, o.status === 'filled' ? 'fill' : 'partial_fill', {
        execution_id: `e0f1a2b3-0000-4000-8000-${String(nextExecution++).padStart(12, '0')}`,
        price: String(price),
        qty: String(q),
        position_qty: String((positions.get(o.symbol)?.qty ?? 0) + (o.side === 'buy' ? q : -q)),
      });
      const sign = o.side === 'buy' ? 1 : -1;
      const p = positions.get(o.symbol) ?? { qty: 0, cost: 0 };
      positions.set(o.symbol, { qty: p.qty + sign * q, cost: p.cost + sign * q * price });
      cash -= sign * q * price;
    },
    cancelAtVenue(clientOrderId) {
      const o = find(clientOrderId);
      o.status = 'canceled';
      o.updated_at = new Date().toISOString();
      emit(o, 'canceled');
    },
    streamEvents,
    streamAuths,
    setStreamSecret(secret) {
      streamSecret = secret;
    },
    dropStreams() {
      for (const ws of sockets) ws.terminate();
      sockets.clear();
      listeners.clear();
    },
    resendLastEvent(clientOrderId) {
      const text = lastEvent.get(clientOrderId);
      if (text === undefined) throw new Error(`fake alpaca: no event for ${clientOrderId}`);
      for (const ws of listeners) send(ws, JSON.parse(text));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
