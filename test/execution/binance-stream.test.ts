/**
 * Binance order updates from the WebSocket API user data stream (`userDataStream.subscribe.signature`,
 * `executionReport` events) against the loopback Binance (REST + `/ws-api/v3`, signatures checked): updates
 * arrive through the stream with the REST poller idle; a subscription the venue refuses leaves polling in
 * charge; a stream dropped mid-order reconnects and one catch-up look-up delivers the fill made in the gap,
 * stored once even when the stream repeats it later.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BinanceBrokerOptions, createBinanceBroker } from '../../src/execution/binance.ts';
import { binanceWsApiUrl, executionReportToUpdate } from '../../src/execution/binance-stream.ts';
import type { OrderUpdate, SubmitOrder } from '../../src/execution/broker.ts';
import type { CcxtBroker } from '../../src/execution/ccxt-broker.ts';
import type { Db } from '../../src/store/db.ts';
import { applyOrderUpdate, getOrder, insertOrder, listPositions } from '../../src/store/repos/execution.ts';
import { testBackends } from '../store/backends.ts';
import { type FakeBinance, type FakeBinanceOptions, startFakeBinance } from './fake-binance.ts';

const KEY = 'binance-stream-key-Q1w2E3';
const SECRET = 'binance-stream-secret-R4t5Y6';

const limitBuy = (clientOrderId: string, qty: number): SubmitOrder => ({
  clientOrderId,
  symbol: 'BTC',
  side: 'buy',
  type: 'limit',
  qty,
  price: 101,
});

/** GETs that read an order's status (what the poller sends per tracked order). */
const statusGets = (fake: FakeBinance) =>
  fake.requests.filter((r) => r.method === 'GET' && r.path === '/api/v3/order').length;
const tradeGets = (fake: FakeBinance) =>
  fake.requests.filter((r) => r.method === 'GET' && r.path === '/api/v3/myTrades').length;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let fake: FakeBinance | undefined;
let broker: CcxtBroker | undefined;

async function start(
  fakeOpts: Partial<FakeBinanceOptions>,
  brokerOpts: Partial<BinanceBrokerOptions>,
  lines: string[] = [],
): Promise<{ fake: FakeBinance; broker: CcxtBroker }> {
  fake = await startFakeBinance({ apiKey: KEY, apiSecret: SECRET, balances: { USDT: 10_000 }, ...fakeOpts });
  const log = {
    info: (...a: unknown[]) => void lines.push(JSON.stringify(a)),
    warn: (...a: unknown[]) => void lines.push(JSON.stringify(a)),
  };
  broker = createBinanceBroker({
    apiKey: KEY,
    apiSecret: SECRET,
    baseUrl: fake.baseUrl,
    timeoutMs: 1000,
    throttle: false,
    log,
    ...brokerOpts,
  });
  return { fake, broker };
}

afterEach(async () => {
  await broker?.close();
  await fake?.close();
  broker = undefined;
  fake = undefined;
});

describe('binance WebSocket API URL', () => {
  it('follows the REST base URL: testnet → testnet ws-api, binance.com → live ws-api, else same host', () => {
    // endpoints from web-socket-api.md ("General API Information") and the testnet's page
    expect(binanceWsApiUrl('https://testnet.binance.vision')).toBe(
      'wss://ws-api.testnet.binance.vision/ws-api/v3',
    );
    expect(binanceWsApiUrl('https://api.binance.com')).toBe('wss://ws-api.binance.com:443/ws-api/v3');
    expect(binanceWsApiUrl('http://127.0.0.1:8123')).toBe('ws://127.0.0.1:8123/ws-api/v3');
  });

  it('a cancel report names the order by C (c is the cancel request id)', () => {
    const u = executionReportToUpdate({
      e: 'executionReport',
      E: 1,
      s: 'BTCUSDT',
      c: 'cancel-req-9',
      C: 'ord-9',
      S: 'SELL',
      o: 'LIMIT',
      q: '2.00000000',
      p: '100.00000000',
      x: 'CANCELED',
      X: 'CANCELED',
      r: 'NONE',
      i: 7,
      l: '0.00000000',
      z: '0.50000000',
      L: '0.00000000',
      n: '0',
      N: null,
      T: 2,
      t: -1,
      Z: '50.00000000',
    });
    expect(u.order).toMatchObject({
      clientOrderId: 'ord-9',
      status: 'cancelled',
      filledQty: 0.5,
      avgPrice: 100,
    });
    expect(u.fill).toBeUndefined();
  });
});

describe('binance updates through the user data stream', () => {
  it('partial fill then fill arrive through the stream; the poller sends no status GET meanwhile', async () => {
    // pollMs 50: were the poller running, the open order would be looked up ~6 times in the 300 ms before
    // its first fill
    const { fake, broker } = await start({}, { pollMs: 50 });
    const updates: OrderUpdate[] = [];
    broker.onUpdate((u) => updates.push(u));
    await vi.waitFor(() => expect(broker.streamState).toBe('live'), { timeout: 3000 });
    const getsBefore = statusGets(fake);

    const ack = await broker.submit(limitBuy('bs-1', 1));
    expect(ack).toMatchObject({ status: 'accepted', filledQty: 0 });
    await pause(300);
    fake.fill('bs-1', 0.4, 100);
    await vi.waitFor(() => expect(updates).toHaveLength(1), { timeout: 2000 });
    fake.fill('bs-1', 0.6, 101);
    await vi.waitFor(() => expect(updates).toHaveLength(2), { timeout: 2000 });

    expect(
      updates.map((u) => [u.order.symbol, u.order.status, u.order.filledQty, u.fill?.qty, u.fill?.price]),
    ).toEqual([
      ['BTC', 'partially_filled', 0.4, 0.4, 100],
      ['BTC', 'filled', 1, 0.6, 101],
    ]);
    // the venue's trade ids name the fills (the same ids /api/v3/myTrades reports)
    const trades = fake.streamEvents.filter((e) => e.x === 'TRADE').map((e) => String(e.tradeId));
    expect(updates.map((u) => u.fill?.fillId)).toEqual(trades);
    // the fake's commission is 0.1 % of the quote amount: 0.4·100·0.001 = 0.04, 0.6·101·0.001 = 0.0606
    expect(updates.map((u) => [u.fill?.fee, u.fill?.feeCurrency])).toEqual([
      [expect.closeTo(0.04, 9), 'USDT'],
      [expect.closeTo(0.0606, 9), 'USDT'],
    ]);
    // average from Z / z: (0.4·100 + 0.6·101) / 1 = 100.6
    expect(updates[1]?.order.avgPrice).toBeCloseTo(100.6, 9);
    expect(statusGets(fake) - getsBefore).toBe(0);
    expect(tradeGets(fake)).toBe(0);
    expect(fake.streamEvents.map((e) => [e.x, e.delivered])).toEqual([
      ['NEW', 1],
      ['TRADE', 1],
      ['TRADE', 1],
    ]);
    expect(fake.streamSubscribes).toEqual([{ accepted: true }]);
  });

  it('a cancel at the venue arrives through the stream', async () => {
    const { fake, broker } = await start({}, { pollMs: 50 });
    const updates: OrderUpdate[] = [];
    broker.onUpdate((u) => updates.push(u));
    await vi.waitFor(() => expect(broker.streamState).toBe('live'), { timeout: 3000 });
    await broker.submit(limitBuy('bs-c', 1));
    fake.cancelAtVenue('bs-c');
    await vi.waitFor(() => expect(updates).toHaveLength(1), { timeout: 2000 });
    expect(updates[0]?.order).toMatchObject({ clientOrderId: 'bs-c', status: 'cancelled', filledQty: 0 });
    expect(statusGets(fake)).toBe(0);
  });
});

describe('binance stream refused', () => {
  it('a bad subscription signature: polling keeps delivering updates; no key or secret in the log', async () => {
    const lines: string[] = [];
    const { fake, broker } = await start(
      { wsApiSecret: 'another-secret' },
      { pollMs: 50, streamReconnect: { authRetryMs: 60_000 } },
      lines,
    );
    const updates: OrderUpdate[] = [];
    broker.onUpdate((u) => updates.push(u));
    await vi.waitFor(() => expect(broker.streamState).toBe('unauthorized'), { timeout: 3000 });

    await broker.submit(limitBuy('rf-1', 1));
    fake.fill('rf-1', 0.4, 100);
    await vi.waitFor(() => expect(updates).toHaveLength(1), { timeout: 2000 });
    fake.fill('rf-1', 0.6, 101);
    await vi.waitFor(() => expect(updates).toHaveLength(2), { timeout: 2000 });

    expect(updates.map((u) => [u.order.status, u.order.filledQty, u.fill?.qty])).toEqual([
      ['partially_filled', 0.4, 0.4],
      ['filled', 1, 0.6],
    ]);
    // -1022: "Signature for this request is not valid." (errors.md); one try, the next only after authRetryMs
    expect(fake.streamSubscribes).toEqual([{ accepted: false, code: -1022 }]);
    expect(fake.streamEvents.every((e) => e.delivered === 0)).toBe(true);
    expect(statusGets(fake)).toBeGreaterThan(0);
    const text = lines.join('\n');
    expect(text).toContain('subscription refused');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(SECRET);
  });
});

const backends = (await testBackends('exec_binance_stream')).filter((b) => b.name === 'pglite');

for (const backend of backends) {
  describe(`binance stream dropped mid-order, stored on ${backend.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await backend.open();
    });
    afterAll(async () => {
      await backend.dispose(db);
    });

    it('reconnect + one catch-up look-up deliver the fill made in the gap; a repeated event stores nothing', async () => {
      // pollMs 60 s: nothing but the stream and the catch-up look-up can deliver within this test
      const { fake, broker } = await start(
        {},
        { pollMs: 60_000, streamReconnect: { initialMs: 20, maxMs: 100 } },
      );
      let chain: Promise<unknown> = Promise.resolve();
      const updates: OrderUpdate[] = [];
      // what the runner does with each update: fill and status in one transaction, in arrival order
      broker.onUpdate((u) => {
        updates.push(u);
        chain = chain.then(() =>
          applyOrderUpdate(db, u.order.clientOrderId, u.order.status, {
            filledQty: u.order.filledQty,
            avgPrice: u.order.avgPrice,
            brokerOrderId: u.order.brokerOrderId,
            fill: u.fill === undefined ? undefined : { ...u.fill, broker: 'binance' },
          }),
        );
      });
      await vi.waitFor(() => expect(broker.streamState).toBe('live'), { timeout: 3000 });

      const order = limitBuy('gap-1', 1);
      await insertOrder(db, { ...order, broker: 'binance', limitPrice: order.price, strategy: 'test' });
      const ack = await broker.submit(order);
      await applyOrderUpdate(db, 'gap-1', ack.status, { brokerOrderId: ack.brokerOrderId });
      fake.fill('gap-1', 0.4, 100);
      await vi.waitFor(() => expect(updates).toHaveLength(1), { timeout: 2000 });
      const getsBefore = statusGets(fake);

      fake.dropStreams();
      fake.fill('gap-1', 0.6, 101); // nobody subscribed: this event is lost, as it would be at Binance
      expect(fake.streamEvents.at(-1)).toMatchObject({ x: 'TRADE', delivered: 0 });

      await vi.waitFor(() => expect(updates).toHaveLength(2), { timeout: 3000 });
      expect(broker.streamReconnects).toBe(1);
      expect(broker.streamState).toBe('live');
      expect(statusGets(fake) - getsBefore).toBe(1); // the one catch-up look-up of the open order
      // the catch-up reads the gap's trade from /api/v3/myTrades: same trade id as the lost event
      expect(updates[1]).toMatchObject({
        order: { status: 'filled', filledQty: 1 },
        fill: { qty: 0.6, price: 101, fillId: String(fake.streamEvents.at(-1)?.tradeId) },
      });

      // the stream delivers the gap's trade after all (late, repeated): already accounted for
      fake.resendLastEvent('gap-1');
      await pause(200);
      expect(updates).toHaveLength(2);
      await chain;

      const stored = await getOrder(db, 'gap-1');
      expect(stored).toMatchObject({ status: 'filled', filled_qty: 1 });
      const fills = await db.query<{ n: number | string; qty: number | string }>(
        `SELECT COUNT(*) AS n, SUM(qty) AS qty FROM execution.fills WHERE broker = 'binance'`,
      );
      expect(fills.rows.map((r) => [Number(r.n), Number(r.qty)])).toEqual([[2, 1]]);
      const positions = await listPositions(db, { broker: 'binance' });
      expect(positions.map((p) => [p.symbol, Number(p.qty)])).toEqual([['BTC', 1]]);
    });
  });
}
