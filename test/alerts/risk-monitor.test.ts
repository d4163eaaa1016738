import { describe, expect, it } from 'vitest';
import type { PubSub } from '../../src/cache/index.ts';
import { type LiveVar, RiskMonitor } from '../../src/live/alerts/risk-monitor.ts';
import { ManualClock } from '../support/manual-clock.ts';

const T0 = Date.parse('2026-01-05T12:00:00Z');

function setup(values: Record<string, number> = {}) {
  const clock = new ManualClock(T0);
  const published: Array<Record<string, unknown>> = [];
  const pubsub = {
    publish: async (_channel: string, m: Record<string, unknown>) => void published.push(m),
  } as unknown as PubSub;
  let calls = 0;
  const monitor = new RiskMonitor({
    symbols: new Set(['USDC', 'BTC']),
    computeVar: async (): Promise<LiveVar> => {
      calls++;
      return {
        portfolio: 'default',
        var_95: calls,
        var_99: calls * 2,
        cvar_95: calls,
        expected_loss: 0,
        worst_case: 0,
        best_case: 0,
        simulations: 1000,
        horizon_days: 30,
        simulation_time_ms: 1,
      };
    },
    config: { getFloat: (c, k, fallback) => values[`${c}.${k}`] ?? fallback ?? Number.NaN },
    clock,
    pubsub,
    log: { warn: () => undefined },
  });
  const tick = (symbol: string, price: number) =>
    monitor.onComposite({ symbol, price, ts: clock.now(), venues: ['binance'] });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { clock, published, monitor, tick, calls: () => calls, settle };
}

describe('live risk: significant moves trigger a throttled VaR', () => {
  it('ignores moves under the threshold and symbols the portfolio does not hold', async () => {
    const { tick, calls, settle } = setup();
    tick('BTC', 60_000);
    tick('BTC', 60_500); // +0.83 %, under the default 1 %
    tick('ETH', 3000);
    tick('ETH', 1000);
    await settle();
    expect(calls()).toBe(0);
  });

  it('runs at once, then at most once per 10 s, the held-back move run at the end of the window', async () => {
    const { clock, tick, calls, published, settle } = setup();
    tick('BTC', 60_000);
    tick('BTC', 61_000); // +1.67 %: runs now
    await settle();
    expect(calls()).toBe(1);
    clock.advance(2000);
    tick('BTC', 62_000); // +1.6 % from the last VaR's 61,000: held (only 2 s since the last run)
    clock.advance(3000);
    tick('USDC', 1);
    tick('USDC', 0.97); // -3 %: still held; the latest trigger replaces the earlier one
    await settle();
    expect(calls()).toBe(1);
    clock.advanceTo(T0 + 9999);
    await settle();
    expect(calls()).toBe(1);
    clock.advanceTo(T0 + 10_000);
    await settle();
    expect(calls()).toBe(2);
    expect(published.map((m) => [m.type, (m.trigger as { symbol: string }).symbol])).toEqual([
      ['risk_update', 'BTC'],
      ['risk_update', 'USDC'],
    ]);
    expect(published[1]).toMatchObject({ ts: new Date(T0 + 10_000).toISOString(), var_95: 2 });
  });

  it('takes threshold and interval from the config', async () => {
    const { clock, tick, calls, settle } = setup({
      'alerts.risk_move_threshold': 0.005,
      'alerts.risk_min_interval_seconds': 1,
    });
    tick('BTC', 60_000);
    tick('BTC', 60_400); // +0.67 % > 0.5 %
    await settle();
    clock.advance(1000);
    tick('BTC', 61_000);
    await settle();
    expect(calls()).toBe(2);
  });
});
