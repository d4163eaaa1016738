import { describe, expect, it } from 'vitest';
import { tradeUpdateToOrderUpdate } from './alpaca.ts';
import { alpacaStreamUrl } from './alpaca-stream.ts';
import { frameText } from './venue-stream.ts';

describe('alpaca stream url', () => {
  it('is the trading endpoint with ws/wss and path /stream', () => {
    // https://docs.alpaca.markets/docs/websocket-streaming: wss://paper-api.alpaca.markets/stream
    expect(alpacaStreamUrl('https://paper-api.alpaca.markets')).toBe('wss://paper-api.alpaca.markets/stream');
    expect(alpacaStreamUrl('https://api.alpaca.markets/v2')).toBe('wss://api.alpaca.markets/stream');
    expect(alpacaStreamUrl('http://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/stream');
  });
});

describe('alpaca frames', () => {
  it('decodes text and binary frames alike (paper sends binary)', () => {
    const text = '{"stream":"listening","data":{"streams":["trade_updates"]}}';
    const buf = Buffer.from(text);
    expect(frameText(buf)).toBe(text);
    expect(frameText(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer)).toBe(
      text,
    );
    expect(frameText([buf.subarray(0, 10), buf.subarray(10)])).toBe(text);
  });
});

describe('alpaca trade_updates events', () => {
  const order = {
    id: 'ord-1',
    client_order_id: 'c-1',
    symbol: 'SPY',
    side: 'buy',
    type: 'limit',
    qty: '10',
    filled_qty: '4',
    filled_avg_price: '400',
    limit_price: '401',
    status: 'partially_filled',
    created_at: '2026-12-04T15:00:00Z',
    updated_at: '2026-12-04T15:00:01Z',
  };

  it('a partial_fill is the order state plus the execution, named by execution_id', () => {
    const u = tradeUpdateToOrderUpdate({
      event: 'partial_fill',
      execution_id: 'ex-1',
      price: '400',
      qty: '4',
      position_qty: '4',
      timestamp: '2026-12-04T15:00:01.5Z',
      order,
    });
    expect(u.order).toMatchObject({
      clientOrderId: 'c-1',
      status: 'partially_filled',
      filledQty: 4,
      avgPrice: 400,
    });
    expect(u.fill).toEqual({
      clientOrderId: 'c-1',
      fillId: 'ex-1',
      symbol: 'SPY',
      side: 'buy',
      qty: 4,
      price: 400,
      fee: 0,
      ts: Date.parse('2026-12-04T15:00:01.5Z'),
    });
  });

  it('other events carry the order only', () => {
    const u = tradeUpdateToOrderUpdate({
      event: 'canceled',
      timestamp: '2026-12-04T15:00:02Z',
      order: { ...order, status: 'canceled' },
    });
    expect(u).toEqual({ order: expect.objectContaining({ status: 'cancelled', filledQty: 4 }) });
  });

  it('a message without an order is refused', () => {
    expect(() => tradeUpdateToOrderUpdate({ event: 'fill' })).toThrow();
  });
});
