/**
 * The Binance broker (ccxt) against a loopback Binance spot API that checks every signature: submit, partial
 * fill then fill, cancel, reject, a timeout after the venue accepted (no second order), positions and account.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBinanceBroker } from '../../src/execution/binance.ts';
import type { OrderUpdate } from '../../src/execution/broker.ts';
import type { CcxtBroker } from '../../src/execution/ccxt-broker.ts';
import { VenueAuthError } from '../../src/execution/venue-errors.ts';
import { type FakeBinance, startFakeBinance } from './fake-binance.ts';

const KEY = 'test-binance-key-AbC123';
const SECRET = 'test-binance-secret-XyZ789';

let fake: FakeBinance;
let broker: CcxtBroker;

beforeEach(async () => {
  fake = await startFakeBinance({ apiKey: KEY, apiSecret: SECRET, balances: { USDT: 10_000, ETH: 2 } });
  broker = createBinanceBroker({
    apiKey: KEY,
    apiSecret: SECRET,
    baseUrl: fake.baseUrl,
    timeoutMs: 1_000, // against answers held 3 s below; a loaded machine still answers in time otherwise
    retryDelayMs: 20,
    throttle: false,
  });
});
afterEach(async () => {
  await broker.close();
  await fake.close();
});

const posts = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order');

describe('binance submit', () => {
  it('places a signed limit order and returns the venue ack', async () => {
    const o = await broker.submit({
      clientOrderId: 'sig-1',
      symbol: 'BTC',
      side: 'buy',
      type: 'limit',
      qty: 0.5,
      price: 20_000,
    });
    expect(o).toMatchObject({
      clientOrderId: 'sig-1',
      symbol: 'BTC',
      side: 'buy',
      type: 'limit',
      qty: 0.5,
      limitPrice: 20_000,
      status: 'accepted',
      filledQty: 0,
    });
    expect(o.brokerOrderId).toBe('1000');
    expect(fake.orders).toHaveLength(1);
    expect(fake.orders[0]).toMatchObject({
      symbol: 'BTCUSDT',
      clientOrderId: 'sig-1',
      side: 'BUY',
      type: 'LIMIT',
      origQty: 0.5,
    });
    // spot only: markets came from /api/v3/exchangeInfo, no futures, margin or sapi call
    expect(fake.requests.every((r) => r.path.startsWith('/api/v3/'))).toBe(true);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('a market order is sent without a price', async () => {
    const o = await broker.submit({
      clientOrderId: 'mkt-1',
      symbol: 'ETH',
      side: 'sell',
      type: 'market',
      qty: 1,
    });
    expect(o.status).toBe('accepted');
    expect(fake.orders[0]).toMatchObject({ type: 'MARKET', side: 'SELL', price: 0 });
  });

  it('insufficient balance is a rejected order carrying the venue reason', async () => {
    const o = await broker.submit({
      clientOrderId: 'big-1',
      symbol: 'BTC',
      side: 'buy',
      type: 'limit',
      qty: 1,
      price: 20_000,
    });
    expect(o.status).toBe('rejected');
    expect(o.reason).toBe('Account has insufficient balance for requested action.');
    expect(fake.orders).toHaveLength(0);
  });

  it('a timeout after the venue accepted: the retry finds the order, exactly one exists at the venue', async () => {
    fake.delayOrderAnswers(3_000);
    const o = await broker.submit({
      clientOrderId: 'slow-1',
      symbol: 'BTC',
      side: 'buy',
      type: 'limit',
      qty: 0.1,
      price: 20_000,
    });
    expect(o).toMatchObject({ clientOrderId: 'slow-1', status: 'accepted', brokerOrderId: '1000' });
    expect(fake.orders).toHaveLength(1);
    expect(posts()).toHaveLength(1);
    // and a second submit of the same signal (a runner retrying) still places nothing new
    fake.delayOrderAnswers(0, 0);
    await broker.submit({
      clientOrderId: 'slow-1',
      symbol: 'BTC',
      side: 'buy',
      type: 'limit',
      qty: 0.1,
      price: 20_000,
    });
    expect(fake.orders).toHaveLength(1);
  });
});

describe('binance order updates', () => {
  it('a partial fill then the rest arrive as updates with the venue trades', async () => {
    const updates: OrderUpdate[] = [];
    const off = broker.onUpdate((u) => updates.push(u));
    await broker.submit({
      clientOrderId: 'pf-1',
      symbol: 'BTC',
      side: 'buy',
      type: 'limit',
      qty: 0.4,
      price: 20_000,
    });
    fake.fill('pf-1', 0.1, 19_990);
    await broker.pollOnce();
    fake.fill('pf-1', 0.3, 20_000);
    await broker.pollOnce();
    await broker.pollOnce(); // nothing changed: no update
    off();
    expect(updates.map((u) => [u.order.status, u.order.filledQty, u.fill?.qty, u.fill?.price])).toEqual([
      ['partially_filled', 0.1, 0.1, 19_990],
      ['filled', 0.4, 0.3, 20_000],
    ]);
    // average of the two fills: (0.1·19990 + 0.3·20000) / 0.4 = 19997.5
    expect(updates[1]?.order.avgPrice).toBeCloseTo(19_997.5, 6);
    // fee: the fake charges 0.1 % of notional in USDT
    expect(updates[0]?.fill).toMatchObject({
      fillId: '1',
      fee: expect.closeTo(1.999, 9),
      feeCurrency: 'USDT',
    });
  });

  it('cancel answers the cancelled order; cancelling a filled one returns it as it ended', async () => {
    await broker.submit({
      clientOrderId: 'c-1',
      symbol: 'BTC',
      side: 'buy',
      type: 'limit',
      qty: 0.1,
      price: 10_000,
    });
    const c = await broker.cancel('c-1');
    expect(c).toMatchObject({ clientOrderId: 'c-1', status: 'cancelled', filledQty: 0 });
    expect(fake.orders[0]?.status).toBe('CANCELED');
    await broker.submit({
      clientOrderId: 'c-2',
      symbol: 'BTC',
      side: 'buy',
      type: 'limit',
      qty: 0.1,
      price: 10_000,
    });
    fake.fill('c-2', 0.1, 10_000);
    expect(await broker.cancel('c-2')).toMatchObject({ status: 'filled', filledQty: 0.1 });
  });
});

describe('binance orders, positions, account', () => {
  it('lists open and all orders, positions from balances, cash in the quote', async () => {
    await broker.submit({
      clientOrderId: 'l-1',
      symbol: 'BTC',
      side: 'buy',
      type: 'limit',
      qty: 0.1,
      price: 10_000,
    });
    await broker.submit({
      clientOrderId: 'l-2',
      symbol: 'BTC',
      side: 'buy',
      type: 'limit',
      qty: 0.2,
      price: 10_000,
    });
    fake.fill('l-2', 0.2, 10_000);
    expect((await broker.orders()).map((o) => o.clientOrderId)).toEqual(['l-1']);
    const all = await broker.orders({ all: true, symbols: ['BTC'] });
    expect(all.map((o) => [o.clientOrderId, o.status])).toEqual([
      ['l-1', 'accepted'],
      ['l-2', 'filled'],
    ]);
    const positions = await broker.positions();
    expect(positions.map((p) => [p.symbol, p.qty])).toEqual([
      ['BTC', 0.2],
      ['ETH', 2],
    ]);
    // 10000 − 0.2·10000 − fee 0.1 % of 2000
    expect((await broker.account()).cash).toBeCloseTo(10_000 - 2_000 - 2, 9);
  });
});

describe('binance credentials', () => {
  it('a wrong secret fails the signature check; neither key nor secret reaches the error or the log', async () => {
    const lines: string[] = [];
    const log = {
      info: (...a: unknown[]) => void lines.push(JSON.stringify(a)),
      warn: (...a: unknown[]) => void lines.push(JSON.stringify(a)),
    };
    const bad = createBinanceBroker({
      apiKey: KEY,
      apiSecret: `${SECRET}-wrong`,
      baseUrl: fake.baseUrl,
      timeoutMs: 5_000,
      throttle: false,
      log,
    });
    const err = await bad
      .submit({ clientOrderId: 'k-1', symbol: 'BTC', side: 'buy', type: 'limit', qty: 0.1, price: 10_000 })
      .catch((e: unknown) => e);
    await bad.close();
    expect(err).toBeInstanceOf(VenueAuthError);
    expect(String((err as Error).message)).toContain('Signature for this request is not valid.');
    const seen = [
      String((err as Error).message),
      String((err as Error).stack),
      JSON.stringify(err),
      ...lines,
    ].join('\n');
    expect(seen).not.toContain(KEY);
    expect(seen).not.toContain(SECRET);
    expect(fake.orders).toHaveLength(0);
  });
});

describe('binance after a restart', () => {
  it('a new broker resumes updates for the open orders its first listing returns', async () => {
    await broker.submit({
      clientOrderId: 'r-1',
      symbol: 'BTC',
      side: 'buy',
      type: 'limit',
      qty: 0.2,
      price: 10_000,
    });
    await broker.close();
    const next = createBinanceBroker({
      apiKey: KEY,
      apiSecret: SECRET,
      baseUrl: fake.baseUrl,
      timeoutMs: 5_000,
      throttle: false,
    });
    const updates: OrderUpdate[] = [];
    const off = next.onUpdate((u) => updates.push(u));
    fake.fill('r-1', 0.05, 10_000); // before the listing: reconciliation's to apply, not an update
    expect((await next.orders({ all: true, symbols: ['BTC'] })).map((o) => o.filledQty)).toEqual([0.05]);
    fake.fill('r-1', 0.15, 10_010);
    await next.orders(); // a second listing must not hide the change from the poller
    await next.pollOnce();
    off();
    await next.close();
    expect(updates.map((u) => [u.order.status, u.order.filledQty, u.fill?.qty, u.fill?.price])).toEqual([
      ['filled', 0.2, 0.15, 10_010],
    ]);
  });
});
