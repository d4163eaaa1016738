/**
 * A loopback Binance spot REST API (the documented wire format of /api/v3) for the broker tests and the
 * trade-loopback bench. It checks what the real venue checks on a SIGNED endpoint: the `X-MBX-APIKEY`
 * header, `timestamp` within `recvWindow`, and the HMAC-SHA256 `signature` of totalParams (query string
 * followed by the request body, the signature itself removed), answering Binance's `{code, msg}` errors.
 * Orders rest until the test fills or cancels them (`fill`, `cancelAtVenue`), so every state is reachable.
 *
 * `/ws-api/v3` is the WebSocket API's user data stream (binance-spot-api-docs web-socket-api.md): the request
 * `userDataStream.subscribe.signature` with `apiKey`, `timestamp` and `signature` (HMAC-SHA256 hex of the other
 * parameters sorted by name, `k=v&…`) is answered `{id, status: 200, result: {subscriptionId}}` or
 * `{id, status: 400|401, error: {code, msg}}`; then every order change (placed, trade, cancel) is sent to the
 * subscribed sockets as `{subscriptionId, event: {e: "executionReport", …}}`.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

type WireStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';

interface FakeBinanceOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  side: 'BUY' | 'SELL';
  type: string;
  timeInForce: string;
  price: number;
  origQty: number;
  executedQty: number;
  cummulativeQuoteQty: number;
  status: WireStatus;
  time: number;
  updateTime: number;
}

interface Trade {
  id: number;
  orderId: number;
  symbol: string;
  price: number;
  qty: number;
  commission: number;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
}

export interface FakeBinanceOptions {
  apiKey: string;
  apiSecret: string;
  /** Tradable pairs: base and quote asset. @defaultValue BTCUSDT and ETHUSDT */
  pairs?: readonly { base: string; quote: string }[];
  /** Starting free balances. */
  balances?: Record<string, number>;
  /** Price a market order is checked against for balance (per pair symbol). @defaultValue 100 */
  marks?: Record<string, number>;
  /** The secret the WebSocket API checks subscription signatures with. @defaultValue apiSecret */
  wsApiSecret?: string;
}

export interface FakeBinance {
  baseUrl: string;
  /** Every order the venue holds, by insertion. */
  orders: FakeBinanceOrder[];
  /** Method and path of every request, in arrival order (status 0 while unanswered). */
  requests: { method: string; path: string; status: number }[];
  balances: Map<string, number>;
  /** The next `n` POST /api/v3/order are recorded at once but answered only after `ms` (a slow venue). */
  delayOrderAnswers(ms: number, n?: number): void;
  /** Executes `qty` of an order at `price` (a partial fill leaves it PARTIALLY_FILLED). */
  fill(clientOrderId: string, qty: number, price: number): void;
  /** Cancels an order on the venue side (as a user on the website would). */
  cancelAtVenue(clientOrderId: string): void;
  /** Every executionReport the venue produced, with the number of sockets it went to (0: nobody listened). */
  streamEvents: { x: string; clientOrderId: string; tradeId: number; delivered: number }[];
  /** Every user data stream subscription request and whether it was accepted. */
  streamSubscribes: { accepted: boolean; code?: number }[];
  /** Drops every WebSocket API connection at once (as a network failure would). */
  dropStreams(): void;
  /** Sends the last executionReport of an order again (a late, repeated event). */
  resendLastEvent(clientOrderId: string): void;
  close(): Promise<void>;
}

const err = (code: number, msg: string) => ({ code, msg });

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

/** Removes `signature=…` from a raw parameter string, returning what was signed and the signature. */
function splitSignature(raw: string): { rest: string; signature?: string } {
  const parts = raw.split('&').filter((p) => p !== '');
  const sig = parts.find((p) => p.startsWith('signature='));
  return { rest: parts.filter((p) => p !== sig).join('&'), signature: sig?.slice('signature='.length) };
}

const wire = (o: FakeBinanceOrder) => ({
  symbol: o.symbol,
  orderId: o.orderId,
  orderListId: -1,
  clientOrderId: o.clientOrderId,
  price: o.price.toFixed(8),
  origQty: o.origQty.toFixed(8),
  executedQty: o.executedQty.toFixed(8),
  cummulativeQuoteQty: o.cummulativeQuoteQty.toFixed(8),
  status: o.status,
  timeInForce: o.timeInForce,
  type: o.type,
  side: o.side,
  stopPrice: '0.00000000',
  icebergQty: '0.00000000',
  time: o.time,
  updateTime: o.updateTime,
  isWorking: true,
  workingTime: o.time,
  origQuoteOrderQty: '0.00000000',
  selfTradePreventionMode: 'EXPIRE_MAKER',
});

const OPEN: ReadonlySet<WireStatus> = new Set(['NEW', 'PARTIALLY_FILLED']);

export async function startFakeBinance(options: FakeBinanceOptions): Promise<FakeBinance> {
  const pairs = options.pairs ?? [
    { base: 'BTC', quote: 'USDT' },
    { base: 'ETH', quote: 'USDT' },
  ];
  const pairOf = new Map(pairs.map((p) => [`${p.base}${p.quote}`, p]));
  const balances = new Map(Object.entries(options.balances ?? { USDT: 100_000 }));
  const orders: FakeBinanceOrder[] = [];
  const trades: Trade[] = [];
  const requests: FakeBinance['requests'] = [];
  let nextOrderId = 1000;
  let nextTradeId = 1;
  let delay = { ms: 0, n: 0 };
  const wsSecret = options.wsApiSecret ?? options.apiSecret;
  /** Subscribed sockets and their subscription ids. */
  const subscribers = new Map<WebSocket, number>();
  const sockets = new Set<WebSocket>();
  const streamEvents: FakeBinance['streamEvents'] = [];
  const streamSubscribes: FakeBinance['streamSubscribes'] = [];
  const lastEvent = new Map<string, Record<string, unknown>>();
  let nextSubscriptionId = 0;
  let nextEventId = 1;
  const sendEvent = (event: Record<string, unknown>): number => {
    for (const [ws, subscriptionId] of subscribers) ws.send(JSON.stringify({ subscriptionId, event }));
    return subscribers.size;
  };
  /**
   * The executionReport of `o` as it is now (user-data-stream.md "Order Update"): `x` what happened, `c` the
   * client id (for a cancel, the cancel request's id, and `C` the order's), the trade for `x` TRADE.
   */
  const report = (o: FakeBinanceOrder, x: 'NEW' | 'TRADE' | 'CANCELED', trade?: Trade, cancelId?: string) => {
    const event = {
      e: 'executionReport',
      E: Date.now(),
      s: o.symbol,
      c: x === 'CANCELED' ? (cancelId ?? `web_${o.orderId}`) : o.clientOrderId,
      S: o.side,
      o: o.type,
      f: o.timeInForce,
      q: o.origQty.toFixed(8),
      p: o.price.toFixed(8),
      P: '0.00000000',
      F: '0.00000000',
      g: -1,
      C: x === 'CANCELED' ? o.clientOrderId : '',
      x,
      X: o.status,
      r: 'NONE',
      i: o.orderId,
      l: (trade?.qty ?? 0).toFixed(8),
      z: o.executedQty.toFixed(8),
      L: (trade?.price ?? 0).toFixed(8),
      n: (trade?.commission ?? 0).toFixed(8),
      N: trade ? trade.commissionAsset : null,
      T: o.updateTime,
      t: trade?.id ?? -1,
      v: 0,
      I: nextEventId++,
      w: OPEN.has(o.status),
      m: false,
      M: false,
      O: o.time,
      Z: o.cummulativeQuoteQty.toFixed(8),
      Y: trade ? (trade.qty * trade.price).toFixed(8) : '0.00000000',
      Q: '0.00000000',
      W: o.time,
      V: 'EXPIRE_MAKER',
    };
    lastEvent.set(o.clientOrderId, event);
    streamEvents.push({
      x,
      clientOrderId: o.clientOrderId,
      tradeId: trade?.id ?? -1,
      delivered: sendEvent(event),
    });
  };

  const byClientId = (symbol: string | null, id: string | null) =>
    orders.find((o) => o.clientOrderId === id && (symbol === null || o.symbol === symbol));

  const exchangeInfo = () => ({
    timezone: 'UTC',
    serverTime: Date.now(),
    rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }],
    exchangeFilters: [],
    symbols: pairs.map((p) => ({
      symbol: `${p.base}${p.quote}`,
      status: 'TRADING',
      baseAsset: p.base,
      baseAssetPrecision: 8,
      quoteAsset: p.quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
      icebergAllowed: true,
      ocoAllowed: true,
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: true,
      cancelReplaceAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters: [
        {
          filterType: 'PRICE_FILTER',
          minPrice: '0.01000000',
          maxPrice: '1000000.00000000',
          tickSize: '0.01000000',
        },
        { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
      ],
      permissions: [],
      permissionSets: [['SPOT']],
      defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
      allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
    })),
  });

  const placeOrder = (p: URLSearchParams): { status: number; body: unknown } => {
    const symbol = p.get('symbol') ?? '';
    const pair = pairOf.get(symbol);
    if (!pair) return { status: 400, body: err(-1121, 'Invalid symbol.') };
    const side = p.get('side');
    if (side !== 'BUY' && side !== 'SELL')
      return {
        status: 400,
        body: err(-1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed."),
      };
    const type = p.get('type') ?? '';
    const qty = Number(p.get('quantity'));
    if (!(qty > 0)) return { status: 400, body: err(-1013, 'Filter failure: LOT_SIZE') };
    const price = Number(p.get('price') ?? 0);
    if (type === 'LIMIT' && !(price > 0))
      return {
        status: 400,
        body: err(-1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed."),
      };
    const clientOrderId = p.get('newClientOrderId') ?? `fake${nextOrderId}`;
    const dup = byClientId(symbol, clientOrderId);
    if (dup && OPEN.has(dup.status)) return { status: 400, body: err(-2010, 'Duplicate order sent.') };
    const mark = price > 0 ? price : (options.marks?.[symbol] ?? 100);
    const need = side === 'BUY' ? qty * mark : qty;
    const asset = side === 'BUY' ? pair.quote : pair.base;
    if ((balances.get(asset) ?? 0) < need) {
      return { status: 400, body: err(-2010, 'Account has insufficient balance for requested action.') };
    }
    const now = Date.now();
    const order: FakeBinanceOrder = {
      symbol,
      orderId: nextOrderId++,
      clientOrderId,
      side,
      type,
      timeInForce: p.get('timeInForce') ?? 'GTC',
      price,
      origQty: qty,
      executedQty: 0,
      cummulativeQuoteQty: 0,
      status: 'NEW',
      time: now,
      updateTime: now,
    };
    orders.push(order);
    report(order, 'NEW');
    return { status: 200, body: { ...wire(order), transactTime: now, fills: [] } };
  };

  const signedRoute = async (
    method: string,
    path: string,
    p: URLSearchParams,
  ): Promise<{ status: number; body: unknown }> => {
    const symbol = p.get('symbol');
    if (path === '/api/v3/order' && method === 'POST') return placeOrder(p);
    if (path === '/api/v3/order' && (method === 'GET' || method === 'DELETE')) {
      const id = p.get('orderId');
      const order =
        id !== null
          ? orders.find((o) => String(o.orderId) === id && o.symbol === symbol)
          : byClientId(symbol, p.get('origClientOrderId'));
      if (!order) {
        return method === 'GET'
          ? { status: 400, body: err(-2013, 'Order does not exist.') }
          : { status: 400, body: err(-2011, 'Unknown order sent.') };
      }
      if (method === 'DELETE') {
        if (!OPEN.has(order.status)) return { status: 400, body: err(-2011, 'Unknown order sent.') };
        order.status = 'CANCELED';
        order.updateTime = Date.now();
        report(order, 'CANCELED', undefined, p.get('newClientOrderId') ?? `cancel_${order.orderId}`);
      }
      return { status: 200, body: wire(order) };
    }
    if (path === '/api/v3/openOrders' && method === 'GET') {
      return {
        status: 200,
        body: orders.filter((o) => OPEN.has(o.status) && (symbol === null || o.symbol === symbol)).map(wire),
      };
    }
    if (path === '/api/v3/allOrders' && method === 'GET') {
      if (symbol === null)
        return {
          status: 400,
          body: err(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."),
        };
      return { status: 200, body: orders.filter((o) => o.symbol === symbol).map(wire) };
    }
    if (path === '/api/v3/myTrades' && method === 'GET') {
      const orderId = p.get('orderId');
      return {
        status: 200,
        body: trades
          .filter((t) => t.symbol === symbol && (orderId === null || String(t.orderId) === orderId))
          .map((t) => ({
            symbol: t.symbol,
            id: t.id,
            orderId: t.orderId,
            orderListId: -1,
            price: t.price.toFixed(8),
            qty: t.qty.toFixed(8),
            quoteQty: (t.qty * t.price).toFixed(8),
            commission: t.commission.toFixed(8),
            commissionAsset: t.commissionAsset,
            time: t.time,
            isBuyer: t.isBuyer,
            isMaker: false,
            isBestMatch: true,
          })),
      };
    }
    if (path === '/api/v3/account' && method === 'GET') {
      return {
        status: 200,
        body: {
          makerCommission: 10,
          takerCommission: 10,
          buyerCommission: 0,
          sellerCommission: 0,
          commissionRates: {
            maker: '0.00100000',
            taker: '0.00100000',
            buyer: '0.00000000',
            seller: '0.00000000',
          },
          canTrade: true,
          canWithdraw: false,
          canDeposit: false,
          brokered: false,
          requireSelfTradePrevention: false,
          preventSor: false,
          updateTime: Date.now(),
          accountType: 'SPOT',
          balances: [...balances].map(([asset, free]) => ({
            asset,
            free: free.toFixed(8),
            locked: '0.00000000',
          })),
          permissions: ['SPOT'],
          uid: 1,
        },
      };
    }
    return { status: 404, body: err(-1000, `Unknown endpoint ${method} ${path}`) };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const seen = { method, path: url.pathname, status: 0 };
    requests.push(seen);
    const body = await readBody(req);
    const send = (status: number, payload: unknown) => {
      seen.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify(payload));
    };
    if (url.pathname === '/api/v3/ping') return send(200, {});
    if (url.pathname === '/api/v3/time') return send(200, { serverTime: Date.now() });
    if (url.pathname === '/api/v3/exchangeInfo') return send(200, exchangeInfo());

    // SIGNED endpoints (TRADE / USER_DATA)
    const key = req.headers['x-mbx-apikey'];
    if (typeof key !== 'string' || key === '') return send(401, err(-2014, 'API-key format invalid.'));
    if (key !== options.apiKey)
      return send(401, err(-2015, 'Invalid API-key, IP, or permissions for action.'));
    const query = splitSignature(url.search.slice(1));
    const form = splitSignature(body);
    const signature = query.signature ?? form.signature;
    const totalParams = query.rest + form.rest;
    const expected = createHmac('sha256', options.apiSecret).update(totalParams).digest('hex');
    if (signature === undefined || signature.toLowerCase() !== expected) {
      return send(400, err(-1022, 'Signature for this request is not valid.'));
    }
    const params = new URLSearchParams(query.rest);
    for (const [k, v] of new URLSearchParams(form.rest)) params.set(k, v);
    const ts = Number(params.get('timestamp'));
    const recvWindow = Number(params.get('recvWindow') ?? 5000);
    if (!Number.isFinite(ts) || ts > Date.now() + 1000 || Date.now() - ts > recvWindow) {
      return send(400, err(-1021, 'Timestamp for this request is outside of the recvWindow.'));
    }
    const out = await signedRoute(method, url.pathname, params);
    if (method === 'POST' && url.pathname === '/api/v3/order' && delay.n > 0) {
      delay.n--;
      // the order is already recorded: only the answer is late (the client times out first)
      await new Promise((r) => setTimeout(r, delay.ms));
    }
    send(out.status, out.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(err(-1000, String(e))));
    });
  });
  server.keepAliveTimeout = 1000;
  const wss = new WebSocketServer({ server, path: '/ws-api/v3' });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => {
      sockets.delete(ws);
      subscribers.delete(ws);
    });
    ws.on('message', (raw) => {
      let msg: { id?: unknown; method?: unknown; params?: Record<string, unknown> };
      try {
        msg = JSON.parse(String(raw)) as typeof msg;
      } catch {
        ws.send(JSON.stringify({ id: null, status: 400, error: { code: -1000, msg: 'Malformed request.' } }));
        return;
      }
      const id = msg.id ?? null;
      const answer = (status: number, body: { result?: unknown; error?: { code: number; msg: string } }) =>
        ws.send(JSON.stringify({ id, status, ...body }));
      if (msg.method !== 'userDataStream.subscribe.signature') {
        answer(400, { error: { code: -1000, msg: `Unknown method ${String(msg.method)}` } });
        return;
      }
      const params = msg.params ?? {};
      const refuse = (status: number, code: number, text: string) => {
        streamSubscribes.push({ accepted: false, code });
        answer(status, { error: { code, msg: text } });
      };
      if (params.apiKey !== options.apiKey)
        return refuse(401, -2015, 'Invalid API-key, IP, or permissions for action.');
      const payload = Object.keys(params)
        .filter((k) => k !== 'signature')
        .sort()
        .map((k) => `${k}=${String(params[k])}`)
        .join('&');
      const expected = createHmac('sha256', wsSecret).update(payload).digest('hex');
      if (typeof params.signature !== 'string' || params.signature.toLowerCase() !== expected)
        return refuse(400, -1022, 'Signature for this request is not valid.');
      const ts = Number(params.timestamp);
      const recvWindow = Number(params.recvWindow ?? 5000);
      if (!Number.isFinite(ts) || ts > Date.now() + 1000 || Date.now() - ts > recvWindow)
        return refuse(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
      const subscriptionId = nextSubscriptionId++;
      subscribers.set(ws, subscriptionId);
      streamSubscribes.push({ accepted: true });
      answer(200, { result: { subscriptionId } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const find = (clientOrderId: string) => {
    const o = orders.find((x) => x.clientOrderId === clientOrderId);
    if (!o) throw new Error(`fake binance: no order ${clientOrderId}`);
    return o;
  };

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    orders,
    requests,
    balances,
    delayOrderAnswers(ms, n = 1) {
      delay = { ms, n };
    },
    fill(clientOrderId, qty, price) {
      const o = find(clientOrderId);
      const pair = pairOf.get(o.symbol);
      if (!pair || !OPEN.has(o.status)) throw new Error(`fake binance: ${clientOrderId} is not open`);
      const q = Math.min(qty, o.origQty - o.executedQty);
      o.executedQty += q;
      o.cummulativeQuoteQty += q * price;
      o.status = o.executedQty >= o.origQty - 1e-12 ? 'FILLED' : 'PARTIALLY_FILLED';
      o.updateTime = Date.now();
      const commission = q * price * 0.001;
      const trade: Trade = {
        id: nextTradeId++,
        orderId: o.orderId,
        symbol: o.symbol,
        price,
        qty: q,
        commission,
        commissionAsset: pair.quote,
        time: o.updateTime,
        isBuyer: o.side === 'BUY',
      };
      trades.push(trade);
      const sign = o.side === 'BUY' ? 1 : -1;
      balances.set(pair.base, (balances.get(pair.base) ?? 0) + sign * q);
      balances.set(pair.quote, (balances.get(pair.quote) ?? 0) - sign * q * price - commission);
      report(o, 'TRADE', trade);
    },
    cancelAtVenue(clientOrderId) {
      const o = find(clientOrderId);
      o.status = 'CANCELED';
      o.updateTime = Date.now();
      report(o, 'CANCELED');
    },
    streamEvents,
    streamSubscribes,
    dropStreams() {
      for (const ws of sockets) ws.terminate();
      sockets.clear();
      subscribers.clear();
    },
    resendLastEvent(clientOrderId) {
      const event = lastEvent.get(clientOrderId);
      if (event === undefined) throw new Error(`fake binance: no event for ${clientOrderId}`);
      sendEvent(event);
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
