import { describe, expect, it } from 'vitest';
import type { OrderUpdate } from './broker.ts';
import { PaperBroker } from './paper.ts';

const T = Date.UTC(2024, 0, 2);

describe('paper broker', () => {
  it('fills a market order at the quote with the backtest costs; a repeated client id places nothing', async () => {
    // 10 bps slippage: buy at 100 × 1.001 = 100.1; fee 20 bps of 2 × 100.1 = 0.4004 (src/backtest/costs.ts)
    const b = new PaperBroker({
      symbols: ['SPY'],
      initialCash: 1000,
      costs: { feeBps: 20, slippageBps: 10 },
    });
    const updates: OrderUpdate[] = [];
    b.onUpdate((u) => updates.push(u));
    b.quote('SPY', 100, T);
    const o = await b.submit({ clientOrderId: 'c1', symbol: 'SPY', side: 'buy', type: 'market', qty: 2 });
    expect(o).toMatchObject({ status: 'filled', filledQty: 2, updatedAt: T });
    expect(o.avgPrice).toBeCloseTo(100.1, 12);
    expect(updates[0]?.fill).toMatchObject({ fillId: 'c1:1', qty: 2, ts: T });
    expect(updates[0]?.fill?.fee).toBeCloseTo(0.4004, 12);
    const again = await b.submit({ clientOrderId: 'c1', symbol: 'SPY', side: 'buy', type: 'market', qty: 2 });
    expect(again.status).toBe('filled');
    expect(updates).toHaveLength(1);
    expect(await b.positions()).toEqual([{ symbol: 'SPY', qty: 2, avgPrice: o.avgPrice }]);
    expect((await b.account()).cash).toBeCloseTo(1000 - 200.2 - 0.4004, 9);
  });

  it('rests a limit order until a bar reaches it (the engine touchPrice rule), cancels, rejects', async () => {
    const b = new PaperBroker({ symbols: ['BTC'] });
    expect(
      (await b.submit({ clientOrderId: 'n', symbol: 'BTC', side: 'buy', type: 'market', qty: 1 })).reason,
    ).toBe('no price for BTC yet');
    b.quote('BTC', 100, T);
    const lim = await b.submit({
      clientOrderId: 'l',
      symbol: 'BTC',
      side: 'buy',
      type: 'limit',
      qty: 1,
      price: 95,
    });
    expect(lim.status).toBe('accepted');
    b.onBar('BTC', { ts: T + 1, open: 99, high: 101, low: 96, close: 97 });
    expect((await b.orders())[0]?.status).toBe('accepted');
    // the next bar gaps down through the limit: filled at the open, 94
    b.onBar('BTC', { ts: T + 2, open: 94, high: 96, low: 93, close: 95 });
    const [filled] = await b.orders({ all: true }).then((os) => os.filter((x) => x.clientOrderId === 'l'));
    expect(filled).toMatchObject({ status: 'filled', avgPrice: 94 });
    const stop = await b.submit({
      clientOrderId: 's',
      symbol: 'BTC',
      side: 'sell',
      type: 'stop',
      qty: 1,
      price: 80,
    });
    expect(stop.status).toBe('accepted');
    expect((await b.cancel('s')).status).toBe('cancelled');
    expect((await b.orders()).length).toBe(0);
    expect(
      (await b.submit({ clientOrderId: 'x', symbol: 'ETH', side: 'buy', type: 'market', qty: 1 })).reason,
    ).toBe('paper broker does not trade ETH');
  });
});
