/**
 * Alpaca order updates from the `trade_updates` stream against the loopback Alpaca (REST + `/stream`, binary
 * frames as the paper endpoint sends, text frames too): updates arrive through the stream with the REST poller
 * idle; a stream that refuses the key pair leaves polling in charge; a stream dropped mid-order reconnects and
 * one catch-up poll delivers the fill made in the gap, stored once even when the stream repeats it later.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AlpacaBroker, type AlpacaBrokerOptions } from '../../src/execution/alpaca.ts';
import type { OrderUpdate, SubmitOrder } from '../../src/execution/broker.ts';
import type { Db } from '../../src/store/db.ts';
import { applyOrderUpdate, getOrder, insertOrder, listPositions } from '../../src/store/repos/execution.ts';
import { testBackends } from '../store/backends.ts';
import { type FakeAlpaca, type FakeAlpacaOptions, startFakeAlpaca } from './fake-alpaca.ts';

const KEY = 'PKSTREAMKEY0001';
const SECRET = 'alpaca-stream-secret-0001';

const limitBuy = (clientOrderId: string, qty: number): SubmitOrder => ({
  clientOrderId,
  symbol: 'SPY',
  side: 'buy',
  type: 'limit',
  qty,
  price: 401,
});

/** GETs that read an order's status (what the poller sends per tracked order). */
const statusGets = (fake: FakeAlpaca) =>
  fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v2/orders')).length;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let fake: FakeAlpaca | undefined;
let broker: AlpacaBroker | undefined;

async function start(
  fakeOpts: Partial<FakeAlpacaOptions>,
  brokerOpts: Partial<AlpacaBrokerOptions>,
  lines: string[] = [],
): Promise<{ fake: FakeAlpaca; broker: AlpacaBroker }> {
  fake = await startFakeAlpaca({ apiKey: KEY, apiSecret: SECRET, cash: 10_000, ...fakeOpts });
  const log = {
    info: (...a: unknown[]) => void lines.push(JSON.stringify(a)),
    warn: (...a: unknown[]) => void lines.push(JSON.stringify(a)),
  };
  broker = new AlpacaBroker({
    apiKey: KEY,
    apiSecret: SECRET,
    baseUrl: fake.baseUrl,
    timeoutMs: 1000,
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

describe.each(['binary', 'text'] as const)('alpaca updates through trade_updates (%s frames)', (frames) => {
  it('partial fill then fill arrive through the stream; the poller sends no status GET meanwhile', async () => {
    // pollMs 50: were the poller running, the open order would be looked up ~6 times in the 300 ms before
    // its first fill
    const { fake, broker } = await start({ streamFrames: frames }, { pollMs: 50 });
    const updates: OrderUpdate[] = [];
    broker.onUpdate((u) => updates.push(u));
    await vi.waitFor(() => expect(broker.streamState).toBe('live'), { timeout: 3000 });
    const getsBefore = statusGets(fake);

    const ack = await broker.submit(limitBuy('st-1', 10));
    expect(ack).toMatchObject({ status: 'accepted', filledQty: 0 });
    await pause(300);
    fake.fill('st-1', 4, 400);
    await vi.waitFor(() => expect(updates).toHaveLength(1), { timeout: 2000 });
    fake.fill('st-1', 6, 401);
    await vi.waitFor(() => expect(updates).toHaveLength(2), { timeout: 2000 });

    expect(updates.map((u) => [u.order.status, u.order.filledQty, u.fill?.qty, u.fill?.price])).toEqual([
      ['partially_filled', 4, 4, 400],
      ['filled', 10, 6, 401],
    ]);
    // the venue's execution ids name the fills (the fake's events carry them)
    const executions = fake.streamEvents.filter((e) => e.executionId !== undefined).map((e) => e.executionId);
    expect(updates.map((u) => u.fill?.fillId)).toEqual(executions);
    // average from Alpaca's order object: (4·400 + 6·401) / 10 = 400.6
    expect(updates[1]?.order.avgPrice).toBeCloseTo(400.6, 9);
    expect(statusGets(fake) - getsBefore).toBe(0);
    expect(fake.streamEvents.map((e) => [e.event, e.delivered])).toEqual([
      ['new', 1],
      ['partial_fill', 1],
      ['fill', 1],
    ]);
  });
});

describe('alpaca stream refused', () => {
  it('a key pair the stream refuses: polling keeps delivering updates; no key or secret in the log', async () => {
    const lines: string[] = [];
    const { fake, broker } = await start(
      { streamApiSecret: 'another-secret' },
      { pollMs: 50, streamReconnect: { authRetryMs: 60_000 } },
      lines,
    );
    const updates: OrderUpdate[] = [];
    broker.onUpdate((u) => updates.push(u));
    await vi.waitFor(() => expect(broker.streamState).toBe('unauthorized'), { timeout: 3000 });

    await broker.submit(limitBuy('rf-1', 10));
    fake.fill('rf-1', 4, 400);
    await vi.waitFor(() => expect(updates).toHaveLength(1), { timeout: 2000 });
    fake.fill('rf-1', 6, 401);
    await vi.waitFor(() => expect(updates).toHaveLength(2), { timeout: 2000 });

    expect(updates.map((u) => [u.order.status, u.order.filledQty, u.fill?.qty])).toEqual([
      ['partially_filled', 4, 4],
      ['filled', 10, 6],
    ]);
    expect(fake.streamAuths).toEqual([{ authorized: false }]); // one try, the next only after authRetryMs
    expect(fake.streamEvents.every((e) => e.delivered === 0)).toBe(true);
    expect(statusGets(fake)).toBeGreaterThan(0);
    const text = lines.join('\n');
    expect(text).toContain('authorization refused');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(SECRET);
  });
});

describe('alpaca stream lost', () => {
  it('live, then dropped and refused on reconnect: polling resumes and delivers the next fill', async () => {
    const { fake, broker } = await start(
      {},
      { pollMs: 50, streamReconnect: { initialMs: 20, maxMs: 100, authRetryMs: 60_000 } },
    );
    const updates: OrderUpdate[] = [];
    broker.onUpdate((u) => updates.push(u));
    await vi.waitFor(() => expect(broker.streamState).toBe('live'), { timeout: 3000 });
    await broker.submit(limitBuy('lost-1', 10));
    fake.fill('lost-1', 4, 400);
    await vi.waitFor(() => expect(updates).toHaveLength(1), { timeout: 2000 });
    const getsWhileLive = statusGets(fake);

    fake.setStreamSecret('revoked');
    fake.dropStreams();
    await vi.waitFor(() => expect(broker.streamState).toBe('unauthorized'), { timeout: 3000 });
    fake.fill('lost-1', 6, 401);
    await vi.waitFor(() => expect(updates).toHaveLength(2), { timeout: 2000 });
    expect(updates.map((u) => [u.order.status, u.order.filledQty, u.fill?.qty])).toEqual([
      ['partially_filled', 4, 4],
      ['filled', 10, 6],
    ]);
    expect(fake.streamEvents.at(-1)).toMatchObject({ event: 'fill', delivered: 0 });
    expect(statusGets(fake)).toBeGreaterThan(getsWhileLive);
  });
});

const backends = (await testBackends('exec_alpaca_stream')).filter((b) => b.name === 'pglite');

for (const backend of backends) {
  describe(`alpaca stream dropped mid-order, stored on ${backend.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await backend.open();
    });
    afterAll(async () => {
      await backend.dispose(db);
    });

    it('reconnect + one catch-up poll deliver the fill made in the gap; a repeated event stores nothing', async () => {
      // pollMs 60 s: nothing but the stream and the catch-up poll can deliver within this test
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
            fill: u.fill === undefined ? undefined : { ...u.fill, broker: 'alpaca' },
          }),
        );
      });
      await vi.waitFor(() => expect(broker.streamState).toBe('live'), { timeout: 3000 });

      const order = limitBuy('gap-1', 10);
      await insertOrder(db, { ...order, broker: 'alpaca', limitPrice: order.price, strategy: 'test' });
      const ack = await broker.submit(order);
      await applyOrderUpdate(db, 'gap-1', ack.status, { brokerOrderId: ack.brokerOrderId });
      fake.fill('gap-1', 4, 400);
      await vi.waitFor(() => expect(updates).toHaveLength(1), { timeout: 2000 });
      const getsBefore = statusGets(fake);

      fake.dropStreams();
      fake.fill('gap-1', 6, 401); // nobody listening: this event is lost, as it would be at Alpaca
      expect(fake.streamEvents.at(-1)).toMatchObject({ event: 'fill', delivered: 0 });

      await vi.waitFor(() => expect(updates).toHaveLength(2), { timeout: 3000 });
      expect(broker.streamReconnects).toBe(1);
      expect(broker.streamState).toBe('live');
      expect(statusGets(fake) - getsBefore).toBe(1); // the one catch-up look-up of the open order
      expect(updates[1]).toMatchObject({ order: { status: 'filled', filledQty: 10 }, fill: { qty: 6 } });
      // derived from the averages: (10·400.6 − 4·400) / 6 = 401
      expect(updates[1]?.fill?.price).toBeCloseTo(401, 9);

      // the stream delivers the gap's fill after all (late, repeated): already accounted for
      fake.resendLastEvent('gap-1');
      await pause(200);
      expect(updates).toHaveLength(2);
      await chain;

      const stored = await getOrder(db, 'gap-1');
      expect(stored).toMatchObject({ status: 'filled', filled_qty: 10 });
      const fills = await db.query<{ n: number | string; qty: number | string }>(
        `SELECT COUNT(*) AS n, SUM(qty) AS qty FROM execution.fills WHERE broker = 'alpaca'`,
      );
      expect(fills.rows.map((r) => [Number(r.n), Number(r.qty)])).toEqual([[2, 10]]);
      const positions = await listPositions(db, { broker: 'alpaca' });
      expect(positions.map((p) => [p.symbol, Number(p.qty)])).toEqual([['SPY', 10]]);
    });
  });
}
