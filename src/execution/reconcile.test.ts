import { describe, expect, it } from 'vitest';
import type { BrokerOrder } from './broker.ts';
import { newFills } from './order-poller.ts';
import { reconcile, type StoredOrder } from './reconcile.ts';

const stored = (o: Partial<StoredOrder> & { clientOrderId: string }): StoredOrder => ({
  symbol: 'BTC',
  side: 'buy',
  status: 'accepted',
  filledQty: 0,
  avgPrice: Number.NaN,
  brokerOrderId: `v-${o.clientOrderId}`,
  ...o,
});
const venue = (o: Partial<BrokerOrder> & { clientOrderId: string }): BrokerOrder => ({
  symbol: 'BTC',
  side: 'buy',
  type: 'limit',
  qty: 1,
  status: 'accepted',
  filledQty: 0,
  avgPrice: Number.NaN,
  brokerOrderId: `v-${o.clientOrderId}`,
  updatedAt: 1_700_000_000_000,
  ...o,
});
const noPositions = { storedPositions: [], venuePositions: [] };

describe('reconcile orders', () => {
  it('agreeing books give nothing to do', () => {
    const r = reconcile({
      storedOrders: [
        stored({ clientOrderId: 'a' }),
        stored({ clientOrderId: 'b', status: 'filled', filledQty: 1, avgPrice: 10 }),
      ],
      venueOrders: [
        venue({ clientOrderId: 'a' }),
        venue({ clientOrderId: 'b', status: 'filled', filledQty: 1, avgPrice: 10 }),
      ],
      storedPositions: [{ symbol: 'BTC', qty: 1 }],
      venuePositions: [{ symbol: 'BTC', qty: 1, avgPrice: 10 }],
    });
    expect(r).toEqual({ transitions: [], mismatches: [] });
  });

  it('a fill and a cancel done while we were down become reconciled transitions with the implied fills', () => {
    const r = reconcile({
      storedOrders: [
        stored({ clientOrderId: 'f', status: 'partially_filled', filledQty: 0.25, avgPrice: 100 }),
        stored({ clientOrderId: 'c' }),
      ],
      venueOrders: [
        venue({ clientOrderId: 'f', status: 'filled', filledQty: 1, avgPrice: 103 }),
        venue({ clientOrderId: 'c', status: 'cancelled' }),
      ],
      storedPositions: [{ symbol: 'BTC', qty: 0.25 }],
      venuePositions: [{ symbol: 'BTC', qty: 1, avgPrice: 103 }],
    });
    expect(r.mismatches).toEqual([]);
    expect(r.transitions.map((t) => [t.clientOrderId, t.from, t.to, t.reason, t.filledQty])).toEqual([
      ['f', 'partially_filled', 'filled', 'reconciled', 1],
      ['c', 'accepted', 'cancelled', 'reconciled', 0],
    ]);
    // the missing 0.75 at (1·103 − 0.25·100) / 0.75 = 104
    const fill = r.transitions[0]?.fill;
    expect(fill?.qty).toBeCloseTo(0.75, 12);
    expect(fill?.price).toBeCloseTo(104, 9);
    expect(fill?.fillId).toBe('v-f:1');
    expect(r.transitions[1]?.fill).toBeUndefined();
  });

  it('a further partial fill is a partially_filled → partially_filled transition', () => {
    const r = reconcile({
      storedOrders: [
        stored({ clientOrderId: 'p', status: 'partially_filled', filledQty: 0.1, avgPrice: 50 }),
      ],
      venueOrders: [venue({ clientOrderId: 'p', status: 'partially_filled', filledQty: 0.3, avgPrice: 50 })],
      storedPositions: [{ symbol: 'BTC', qty: 0.1 }],
      venuePositions: [{ symbol: 'BTC', qty: 0.3, avgPrice: 50 }],
    });
    expect(r.transitions).toHaveLength(1);
    expect(r.transitions[0]).toMatchObject({
      from: 'partially_filled',
      to: 'partially_filled',
      filledQty: 0.3,
    });
    expect(r.mismatches).toEqual([]);
  });

  it('differences the state machine cannot explain are mismatches, never transitions', () => {
    const r = reconcile({
      storedOrders: [
        stored({ clientOrderId: 'gone' }),
        stored({ clientOrderId: 'old', status: 'filled', filledQty: 1, avgPrice: 1 }), // aged out: fine
        stored({ clientOrderId: 'term', status: 'cancelled' }),
        stored({ clientOrderId: 'less', status: 'partially_filled', filledQty: 0.5, avgPrice: 1 }),
        stored({ clientOrderId: 'back', status: 'partially_filled', filledQty: 0.5, avgPrice: 1 }),
      ],
      venueOrders: [
        venue({ clientOrderId: 'term', status: 'filled', filledQty: 1, avgPrice: 2 }),
        venue({ clientOrderId: 'less', status: 'partially_filled', filledQty: 0.2, avgPrice: 1 }),
        venue({ clientOrderId: 'back', status: 'rejected', filledQty: 0.5, avgPrice: 1 }),
        venue({ clientOrderId: 'manual', side: 'sell', qty: 2, status: 'accepted' }),
      ],
      ...noPositions,
    });
    expect(r.transitions).toEqual([]);
    expect(r.mismatches.map((m) => [m.kind, m.clientOrderId])).toEqual([
      ['order_missing_at_venue', 'gone'],
      ['order_status', 'term'],
      ['order_fill', 'less'],
      ['order_status', 'back'],
      ['order_unknown', 'manual'],
    ]);
    expect(r.mismatches[1]?.message).toBe(
      'order term is cancelled (0 filled) here, filled (1 filled) at the venue',
    );
  });
});

describe('reconcile positions', () => {
  it('compares positions after the reconciled fills; a difference is a mismatch', () => {
    const r = reconcile({
      storedOrders: [stored({ clientOrderId: 's', side: 'sell', status: 'accepted' })],
      venueOrders: [venue({ clientOrderId: 's', side: 'sell', status: 'filled', filledQty: 1, avgPrice: 5 })],
      storedPositions: [
        { symbol: 'BTC', qty: 3 },
        { symbol: 'SOL', qty: 1 },
      ],
      venuePositions: [
        { symbol: 'BTC', qty: 2, avgPrice: Number.NaN }, // 3 − 1 sold: agrees
        { symbol: 'ETH', qty: 4, avgPrice: Number.NaN }, // held at the venue only
      ],
    });
    expect(r.mismatches.map((m) => [m.kind, m.symbol, m.stored, m.venue])).toEqual([
      ['position', 'ETH', { qty: 0 }, { qty: 4 }],
      ['position', 'SOL', { qty: 1 }, { qty: 0 }],
    ]);
    const known = reconcile(
      {
        storedOrders: [],
        venueOrders: [],
        storedPositions: [{ symbol: 'BTC', qty: 2 }],
        venuePositions: [
          { symbol: 'BTC', qty: 2, avgPrice: 1 },
          { symbol: 'ETH', qty: 4, avgPrice: 1 },
        ],
      },
      { onlyKnownSymbols: true },
    );
    expect(known.mismatches).toEqual([]);
  });
});

describe('newFills', () => {
  it('skips the trades already accounted for by the known filled quantity', () => {
    const t = (id: string, qty: number, ts: number) => ({
      clientOrderId: 'x',
      fillId: id,
      symbol: 'BTC',
      side: 'buy' as const,
      qty,
      price: 1,
      fee: 0,
      ts,
    });
    const trades = [t('3', 0.5, 30), t('1', 0.25, 10), t('2', 0.25, 20)];
    expect(newFills(trades, 0).map((f) => f.fillId)).toEqual(['1', '2', '3']);
    expect(newFills(trades, 0.5).map((f) => f.fillId)).toEqual(['3']);
    expect(newFills(trades, 1)).toEqual([]);
  });
});
