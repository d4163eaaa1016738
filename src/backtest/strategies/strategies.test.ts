import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../risk/rng.ts';
import { runEngine } from '../engine.ts';
import { seriesOf } from '../testing/series.ts';
import { resolveStrategy, STRATEGIES } from './index.ts';

/** A seeded random walk of closes. */
function walk(seed: number, n: number, start = 100, vol = 0.01): number[] {
  const rng = new Rng(seed);
  const out: number[] = [];
  let p = start;
  for (let k = 0; k < n; k++) {
    p *= Math.exp(vol * rng.normal());
    out.push(p);
  }
  return out;
}

describe('mean reversion', () => {
  it('bollinger: buys below the lower band and exits at the middle', () => {
    // 20 flat bars at 100, a drop to 90 (below 100 − 2σ), then back to 100.
    const closes = [...Array(20).fill(100), 90, 95, 101, 101];
    const r = runEngine([seriesOf('X', closes)], STRATEGIES['mean-reversion']?.({ window: 20 }) ?? fail());
    expect(r.fills.map((f) => [f.side, f.reason])).toEqual([
      ['buy', 'bollinger_long'],
      ['sell', 'bollinger_exit'],
    ]);
  });

  it('rsi: buys when RSI(3) < 30 and exits above 70', () => {
    const closes = [100, 101, 102, 103, 99, 96, 93, 95, 98, 101, 104, 104];
    const r = runEngine(
      [seriesOf('X', closes)],
      STRATEGIES['mean-reversion']?.({ mode: 'rsi', period: 3 }) ?? fail(),
    );
    expect(r.fills.map((f) => f.side)).toEqual(['buy', 'sell']);
  });
});

describe('pair trade', () => {
  it('trades a mean-reverting spread with a hedge ratio near the true 2', () => {
    const b = walk(1, 600, 50);
    const rng = new Rng(2);
    let e = 0;
    const a = b.map((x) => {
      e = 0.8 * e + 0.6 * rng.normal();
      return 2 * x + 5 + e;
    });
    const r = runEngine(
      [seriesOf('A', a), seriesOf('B', b)],
      STRATEGIES['pair-trade']?.({ lookback: 60 }) ?? fail(),
    );
    expect(r.trades.length).toBeGreaterThan(5);
    // Each entry is short one leg, long the other.
    const first = r.fills.slice(0, 2);
    expect(new Set(first.map((f) => f.side)).size).toBe(2);
    // Quantity ratio B/A ≈ β ≈ 2 (OLS on the lookback window).
    const [fa, fb] = [first.find((f) => f.symbol === 'A'), first.find((f) => f.symbol === 'B')];
    expect((fb?.qty ?? 0) / (fa?.qty ?? 1)).toBeGreaterThan(1.5);
    expect((fb?.qty ?? 0) / (fa?.qty ?? 1)).toBeLessThan(2.5);
  });
});

describe('switch', () => {
  it('rotates into the strongest by momentum', () => {
    const up = Array.from({ length: 80 }, (_, k) => 100 * 1.01 ** k);
    const down = Array.from({ length: 80 }, (_, k) => 100 * 0.995 ** k);
    const r = runEngine(
      [seriesOf('UP', up), seriesOf('DOWN', down)],
      STRATEGIES.switch?.({ lookback: 10, every: 5 }) ?? fail(),
    );
    expect(r.fills.filter((f) => f.side === 'buy').map((f) => f.symbol)).toEqual(['UP']);
  });
});

describe('fly', () => {
  it('buys the 1:−2:1 fly when it is cheap: wings long, body short twice', () => {
    const a = walk(3, 300, 100, 0.005);
    const rng = new Rng(4);
    const bBody = a.map((x) => x * Math.exp(0.002 * rng.normal()));
    const c = a.map((x, k) => x * Math.exp(0.002 * rng.normal() + (k === 200 ? -0.05 : 0)));
    const r = runEngine(
      [seriesOf('A', a), seriesOf('B', bBody), seriesOf('C', c)],
      STRATEGIES.fly?.({ lookback: 40 }) ?? fail(),
    );
    expect(r.trades.length).toBeGreaterThan(0);
    const at = r.fills.filter((f) => f.ts === seriesOf('A', a).ts[201]);
    expect(at.map((f) => [f.symbol, f.side])).toEqual([
      ['A', 'buy'],
      ['B', 'sell'],
      ['C', 'buy'],
    ]);
    const qa = at[0]?.qty ?? 0;
    expect((at[1]?.qty ?? 0) / qa).toBeGreaterThan(1.9);
    expect((at[1]?.qty ?? 0) / qa).toBeLessThan(2.1);
  });
});

describe('every built-in strategy runs on a random market', () => {
  const series = ['A', 'B', 'C'].map((s, i) => seriesOf(s, walk(10 + i, 400)));
  for (const [name, factory] of Object.entries(STRATEGIES)) {
    it(name, () => {
      const r = runEngine(series, factory({}));
      expect(r.equity.every(Number.isFinite)).toBe(true);
      expect(r.fills.length).toBeGreaterThan(0);
    });
  }
});

describe('user strategy loaded by path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-strategy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports a TypeScript module exporting a factory', async () => {
    const file = join(dir, 'always-long.ts');
    writeFileSync(
      file,
      `export default (params: Record<string, unknown> = {}) => ({
        name: 'always-long', params,
        onBar: (ctx: { step: number; symbols: readonly string[] }) =>
          ctx.step === 0 ? { targets: { [ctx.symbols[0] ?? '']: Number(params.weight ?? 1) } } : undefined,
      });\n`,
    );
    const { factory, kind } = await resolveStrategy(file);
    expect(kind).toBe('module');
    const r = runEngine([seriesOf('X', [10, 10, 20])], factory({ weight: 0.5 }), { initialCash: 100 });
    expect(r.equity[2]).toBeCloseTo(150, 9);
  });

  it('names unknown strategies and bad modules clearly', async () => {
    await expect(resolveStrategy('nope')).rejects.toThrow(/unknown strategy nope/);
    const bad = join(dir, 'bad.ts');
    writeFileSync(bad, 'export const x = 1;\n');
    await expect(resolveStrategy(bad)).rejects.toThrow(/must export/);
  });
});

function fail(): never {
  throw new Error('strategy missing from registry');
}
