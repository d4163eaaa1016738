import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DepegEvent, DepegMonitor } from '../../src/live/alerts/depeg-monitor.ts';
import type { ParamReader } from '../../src/live/alerts/timers.ts';
import type { CompositeTick } from '../../src/live/types.ts';
import { ManualClock } from '../support/manual-clock.ts';

const T0 = Date.parse('2026-01-05T12:00:00Z');

/** A config whose values the test changes between ticks (as a hot reload does). */
function params(values: Record<string, number>): ParamReader & { values: Record<string, number> } {
  return {
    values,
    getFloat: (category, key, fallback) => values[`${category}.${key}`] ?? fallback ?? Number.NaN,
  };
}

function setup(values: Record<string, number> = {}, start = T0) {
  const clock = new ManualClock(start);
  const events: DepegEvent[] = [];
  const config = params(values);
  const monitor = new DepegMonitor({
    pegs: new Map([
      ['USDC', 1],
      ['EURC', 1.08],
    ]),
    config,
    clock,
    onEvent: (e) => events.push(e),
  });
  const tick = (symbol: string, price: number, at = clock.now()) => {
    clock.advanceTo(at);
    monitor.onComposite({ symbol, price, ts: at, venues: ['binance', 'kraken'] });
  };
  return { clock, events, monitor, tick, config };
}

describe('depeg monitor: hold, once per episode, recovery', () => {
  it('raises the alert when the hold elapses even if no further tick arrives, once per episode', () => {
    const { clock, events, tick } = setup();
    tick('USDC', 1.0001);
    tick('USDC', 0.994, T0 + 1000); // 0.6 % off: beyond the default 0.5 %
    clock.advanceTo(T0 + 1000 + 4999);
    expect(events, 'nothing before the 5 s hold').toHaveLength(0);
    clock.advanceTo(T0 + 1000 + 5000);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'depeg',
      asset: 'USDC',
      peg: 1,
      threshold: 0.005,
      holdSeconds: 5,
      at: T0 + 6000,
      crossedAt: T0 + 1000,
      price: 0.994,
      venues: ['binance', 'kraken'],
    });
    // further off-peg ticks in the same episode raise nothing more, but the worst price is kept
    tick('USDC', 0.95, T0 + 10_000);
    tick('USDC', 0.97, T0 + 20_000);
    clock.advance(60_000);
    expect(events).toHaveLength(1);
    // back inside: recovery after the same hold
    tick('USDC', 0.999, T0 + 100_000);
    clock.advanceTo(T0 + 104_999);
    expect(events).toHaveLength(1);
    clock.advanceTo(T0 + 105_000);
    expect(events[1]).toMatchObject({ kind: 'recovery', at: T0 + 105_000, worst: 0.95, last: 0.999 });
    // a new crossing is a new episode
    tick('USDC', 1.006, T0 + 200_000);
    clock.advance(5000);
    expect(events.map((e) => e.kind)).toEqual(['depeg', 'recovery', 'depeg']);
  });

  it('raises nothing when a tick comes back inside before the hold elapses', () => {
    const { clock, events, tick } = setup();
    tick('USDC', 0.99, T0);
    tick('USDC', 0.9995, T0 + 4000);
    clock.advance(60_000);
    expect(events).toHaveLength(0);
    expect(clock.pending(), 'the hold timer was cancelled').toBe(0);
  });

  it('keeps the episode open when the price dips back out during the recovery hold', () => {
    const { clock, events, tick } = setup();
    tick('USDC', 0.98, T0);
    clock.advance(5000);
    tick('USDC', 1.0, T0 + 10_000);
    tick('USDC', 0.98, T0 + 12_000);
    clock.advance(60_000);
    expect(events.map((e) => e.kind)).toEqual(['depeg']);
  });

  it('judges each stablecoin against its own peg and ignores other symbols', () => {
    const { clock, events, tick } = setup();
    tick('EURC', 1.08 * 0.997, T0); // 0.3 % off its 1.08 peg: inside
    tick('BTC', 50_000, T0);
    tick('EURC', 1.0, T0 + 1000); // 7.4 % off
    clock.advance(10_000);
    expect(events.map((e) => [e.asset, e.kind])).toEqual([['EURC', 'depeg']]);
  });

  it('reads threshold and hold from the config at each tick (hot reload)', () => {
    const { clock, events, tick, config } = setup({ 'alerts.depeg_threshold': 0.02 });
    tick('USDC', 0.99, T0);
    clock.advance(10_000);
    expect(events, '1 % off is inside a 2 % threshold').toHaveLength(0);
    config.values['alerts.depeg_threshold'] = 0.005;
    config.values['alerts.depeg_min_seconds'] = 1;
    tick('USDC', 0.99, clock.now());
    clock.advance(1000);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ threshold: 0.005, holdSeconds: 1 });
  });
});

/**
 * The SVB night from real data: Kraken USDC/USD hourly bars (samples/USDC_kraken_hourly_2023-03.csv, see
 * samples/README.md) turned into a composite path of four ticks per hour: open at :00, then the two extremes
 * at :15 and :30 (high first on a falling bar, low first on a rising one — the usual O-H-L-C path
 * convention), close at :59.
 */
function svbPath(): CompositeTick[] {
  const text = readFileSync(
    join(import.meta.dirname, '../../samples/USDC_kraken_hourly_2023-03.csv'),
    'utf8',
  );
  const ticks: CompositeTick[] = [];
  for (const line of text.trim().split('\n').slice(1)) {
    const [hour, o, h, l, c] = line.split(',');
    const t = Date.parse(String(hour));
    const [open, high, low, close] = [o, h, l, c].map(Number) as [number, number, number, number];
    const [first, second] = close < open ? [high, low] : [low, high];
    const venues = ['kraken'];
    ticks.push({ symbol: 'USDC', price: open, ts: t, venues });
    ticks.push({ symbol: 'USDC', price: first, ts: t + 15 * 60_000, venues });
    ticks.push({ symbol: 'USDC', price: second, ts: t + 30 * 60_000, venues });
    ticks.push({ symbol: 'USDC', price: close, ts: t + 59 * 60_000, venues });
  }
  return ticks;
}

describe('depeg monitor on the USDC SVB night (real Kraken hourly data)', () => {
  it('raises the first alert 5 s after the composite first leaves the 0.5 % band, one per episode', () => {
    const path = svbPath();
    const { clock, events, monitor } = setup({}, path[0]?.ts);
    for (const t of path) {
      clock.advanceTo(t.ts);
      monitor.onComposite(t);
    }
    clock.advance(3_600_000);
    const depegs = events.filter((e) => e.kind === 'depeg');
    // Kraken's 2023-03-10T22:00Z bar (open 0.9976, low 0.99, close 0.9933) is the first whose low is more
    // than 0.5 % under 1 (the 21:00 bar's low 0.9952 is 0.48 % off); the falling bar puts its low at :30.
    expect(depegs[0]).toMatchObject({
      asset: 'USDC',
      price: 0.99,
      crossedAt: Date.parse('2023-03-10T22:30:00Z'),
    });
    expect(new Date(depegs[0]?.at ?? 0).toISOString()).toBe('2023-03-10T22:30:05.000Z');
    // The 23:00 bar rises back to 0.9988 at :30: recovery 5 s later; the 00:00 bar falls to 0.99 again.
    const first = events.slice(0, 3).map((e) => `${e.kind}@${new Date(e.at).toISOString()}`);
    expect(first).toEqual([
      'depeg@2023-03-10T22:30:05.000Z',
      'recovery@2023-03-10T23:30:05.000Z',
      'depeg@2023-03-11T00:30:05.000Z',
    ]);
    // Independently: ticks are ≥ 14 min apart, far longer than the 5 s hold, so every maximal run of
    // consecutive off-peg ticks is exactly one episode.
    let runs = 0;
    let inRun = false;
    for (const t of path) {
      const off = Math.abs(t.price - 1) > 0.005;
      if (off && !inRun) runs++;
      inRun = off;
    }
    expect(depegs).toHaveLength(runs);
    // alternating, never two alerts for one episode
    for (let i = 0; i < events.length; i++) expect(events[i]?.kind).toBe(i % 2 === 0 ? 'depeg' : 'recovery');
    // the worst composite of the night is the Kraken low of 2023-03-11T07:00Z, 0.874
    expect(Math.min(...events.map((e) => e.worst))).toBe(0.874);
  });
});
