/**
 * The Alpaca broker against a loopback Alpaca trading API v2 that checks the key headers: submit, partial
 * fill then fill, cancel, reject, a timeout after the venue accepted (no second order), positions, account.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlpacaBroker, alpacaStatus } from '../../src/execution/alpaca.ts';
import type { OrderUpdate } from '../../src/execution/broker.ts';
import { VenueAuthError } from '../../src/execution/venue-errors.ts';
import { type FakeAlpaca, startFakeAlpaca } from './fake-alpaca.ts';

const KEY = 'PKTESTALPACAKEY0001';
const SECRET = 'alpaca-secret-QwErTy-0001';

let fake: FakeAlpaca;
let broker: AlpacaBroker;

beforeEach(async () => {
  fake = await startFakeAlpaca({ apiKey: KEY, apiSecret: SECRET, cash: 10_000 });
  broker = new AlpacaBroker({
    apiKey: KEY,
    apiSecret: SECRET,
    baseUrl: fake.baseUrl,
    timeoutMs: 1_000, // against answers held 3 s below; a loaded machine still answers in time otherwise
    retryDelayMs: 20,
  });
});
afterEach(async () => {
  await broker.close();
  await fake.close();
});

describe('alpaca statuses', () => {
  it('maps every documented order status to ours', () => {
    // https://docs.alpaca.markets/docs/orders-at-alpaca (order lifecycle)
    const cases: [string, number, string][] = [
      ['new', 0, 'accepted'],
      ['accepted', 0, 'accepted'],
      ['pending_new', 0, 'accepted'],
      ['accepted_for_bidding', 0, 'accepted'],
      ['pending_cancel', 1, 'partially_filled'],
      ['done_for_day', 0, 'accepted'],
      ['partially_filled', 1, 'partially_filled'],
      ['filled', 2, 'filled'],
      ['canceled', 0, 'cancelled'],
      ['replaced', 0, 'cancelled'],
      ['expired', 0, 'expired'],
      ['rejected', 0, 'rejected'],
    ];
    for (const [wire, filled, ours] of cases) expect(alpacaStatus(wire, filled), wire).toBe(ours);
  });
});

describe('alpaca submit', () => {
  it('places a limit order with our client order id and returns the ack', async () => {
    const o = await broker.submit({
      clientOrderId: 'al-1',
      symbol: 'SPY',
      side: 'buy',
      type: 'limit',
      qty: 3,
      price: 400,
    });
    expect(o).toMatchObject({
      clientOrderId: 'al-1',
      symbol: 'SPY',
      side: 'buy',
      type: 'limit',
      qty: 3,
      limitPrice: 400,
      status: 'accepted',
      filledQty: 0,
    });
    expect(o.brokerOrderId).toBe(fake.orders[0]?.id);
    expect(fake.orders[0]).toMatchObject({ client_order_id: 'al-1', time_in_force: 'day', limit_price: 400 });
  });

  it('insufficient buying power is a rejected order carrying the venue reason', async () => {
    const o = await broker.submit({
      clientOrderId: 'al-big',
      symbol: 'SPY',
      side: 'buy',
      type: 'limit',
      qty: 100,
      price: 400,
    });
    expect(o).toMatchObject({ status: 'rejected', reason: 'insufficient buying power' });
    expect(fake.orders).toHaveLength(0);
  });

  it('a timeout after the venue accepted: the retry finds the order, exactly one exists at the venue', async () => {
    fake.delayOrderAnswers(3_000);
    const o = await broker.submit({
      clientOrderId: 'al-slow',
      symbol: 'SPY',
      side: 'buy',
      type: 'market',
      qty: 1,
    });
    expect(o).toMatchObject({ clientOrderId: 'al-slow', status: 'accepted' });
    expect(fake.orders).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    // the same signal submitted again (a restarted runner): Alpaca says duplicate, we answer the order
    const again = await broker.submit({
      clientOrderId: 'al-slow',
      symbol: 'SPY',
      side: 'buy',
      type: 'market',
      qty: 1,
    });
    expect(again.brokerOrderId).toBe(o.brokerOrderId);
    expect(fake.orders).toHaveLength(1);
  });
});

describe('alpaca order updates, cancel, positions', () => {
  it('partial fill then fill arrive as updates; positions and account follow', async () => {
    const updates: OrderUpdate[] = [];
    const off = broker.onUpdate((u) => updates.push(u));
    await broker.submit({
      clientOrderId: 'al-pf',
      symbol: 'SPY',
      side: 'buy',
      type: 'limit',
      qty: 10,
      price: 401,
    });
    fake.fill('al-pf', 4, 400);
    await broker.pollOnce();
    fake.fill('al-pf', 6, 401);
    await broker.pollOnce();
    off();
    expect(updates.map((u) => [u.order.status, u.order.filledQty, u.fill?.qty])).toEqual([
      ['partially_filled', 4, 4],
      ['filled', 10, 6],
    ]);
    // the second fill's price from the averages: (10·400.6 − 4·400) / 6 = 401
    expect(updates[1]?.fill?.price).toBeCloseTo(401, 9);
    expect(await broker.positions()).toEqual([{ symbol: 'SPY', qty: 10, avgPrice: 400.6 }]);
    // 10000 − 4·400 − 6·401
    expect(await broker.account()).toEqual({ currency: 'USD', cash: 5994, equity: 10_000 });
  });

  it('cancel, and cancelling a filled order answers it as it ended', async () => {
    await broker.submit({
      clientOrderId: 'al-c1',
      symbol: 'SPY',
      side: 'buy',
      type: 'limit',
      qty: 1,
      price: 300,
    });
    expect(await broker.cancel('al-c1')).toMatchObject({ status: 'cancelled' });
    await broker.submit({
      clientOrderId: 'al-c2',
      symbol: 'SPY',
      side: 'buy',
      type: 'limit',
      qty: 1,
      price: 300,
    });
    fake.fill('al-c2', 1, 300);
    expect(await broker.cancel('al-c2')).toMatchObject({ status: 'filled', filledQty: 1, avgPrice: 300 });
    expect((await broker.orders()).length).toBe(0);
    expect((await broker.orders({ all: true })).map((o) => [o.clientOrderId, o.status])).toEqual([
      ['al-c1', 'cancelled'],
      ['al-c2', 'filled'],
    ]);
  });
});

describe('alpaca credentials', () => {
  it('a wrong secret is refused; neither key nor secret reaches the error or the log', async () => {
    const lines: string[] = [];
    const log = {
      info: (...a: unknown[]) => void lines.push(JSON.stringify(a)),
      warn: (...a: unknown[]) => void lines.push(JSON.stringify(a)),
    };
    const bad = new AlpacaBroker({
      apiKey: KEY,
      apiSecret: `${SECRET}x`,
      baseUrl: fake.baseUrl,
      timeoutMs: 5_000,
      log,
    });
    const err = await bad.account().catch((e: unknown) => e);
    const err2 = await bad
      .submit({ clientOrderId: 'k', symbol: 'SPY', side: 'buy', type: 'market', qty: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VenueAuthError);
    expect(err2).toBeInstanceOf(VenueAuthError);
    const seen = [err, err2].flatMap((e) => [
      String((e as Error).message),
      String((e as Error).stack),
      JSON.stringify(e),
    ]);
    const text = [...seen, ...lines].join('\n');
    expect(text).toContain('request is not authorized');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(SECRET);
  });
});
