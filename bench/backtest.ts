/**
 * Backtest speed: the event-driven engine running the built-in MA crossover against a bare Float64Array
 * loop doing the same crossover (same signals, next-open fills, same equity curve) in the same run; and
 * Monte Carlo of the strategy over 100 simulated 10-year daily GBM paths against a bare loop that draws
 * the same paths and runs the same bare crossover.
 * Budget (DESIGN.md): ≥ 1,000,000 bars/s for one strategy on one asset; 100 paths × 10 years in seconds.
 *
 * Run alone: node --import tsx bench/backtest.ts
 */
import { backtest } from '../src/backtest/backtest.ts';
import { runEngine } from '../src/backtest/engine.ts';
import { type MarketModel, simulateMarket } from '../src/backtest/simulator/models.ts';
import { monteCarlo, pathSeed } from '../src/backtest/simulator/montecarlo.ts';
import { maCrossover } from '../src/backtest/strategies/ma-crossover.ts';
import type { BarColumns } from '../src/backtest/types.ts';

const FAST = 10;
const SLOW = 30;

/**
 * Same crossover as `maCrossover` with `entry: 'state'` (long above, flat below from the first bar both
 * averages exist), all-in at the next open; final equity.
 */
function bareCrossover(s: BarColumns, cash0: number): number {
  const { open, close } = s;
  const n = close.length;
  const fb = new Float64Array(FAST);
  const sb = new Float64Array(SLOW);
  let fs = 0;
  let ss = 0;
  let cash = cash0;
  let qty = 0;
  let signal = 0;
  let pending = -1;
  let equity = cash0;
  for (let k = 0; k < n; k++) {
    if (pending >= 0) {
      const px = open[k] as number;
      const e = cash + qty * px;
      const target = pending === 1 ? e / px : 0;
      cash -= (target - qty) * px;
      qty = target;
      pending = -1;
    }
    const c = close[k] as number;
    fs += c - (fb[k % FAST] as number);
    fb[k % FAST] = c;
    ss += c - (sb[k % SLOW] as number);
    sb[k % SLOW] = c;
    if (k >= SLOW - 1) {
      const f = fs / FAST;
      const sl = ss / SLOW;
      const next = f > sl ? 1 : f < sl ? 0 : signal;
      if (next !== signal) {
        signal = next;
        pending = next;
      }
    }
    equity = cash + qty * c;
  }
  return equity;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function time<T>(fn: () => T, reps: number): { ms: number; out: T } {
  const t: number[] = [];
  let out = fn();
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    out = fn();
    t.push(performance.now() - t0);
  }
  return { ms: median(t), out };
}

const fmt = (x: number, d = 1): string =>
  x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

export async function run(): Promise<void> {
  const bars = 1_000_000;
  const hourly = Float64Array.from({ length: bars }, (_, k) => Date.UTC(2000, 0, 1) + k * 3_600_000);
  const model: MarketModel = { kind: 'gbm', symbols: ['X'], drift: [0], vol: [0.004] };
  const [series] = simulateMarket(model, hourly, [100], 1);
  if (series === undefined) throw new Error('no series');

  const bare = time(() => bareCrossover(series, 100_000), 5);
  const engine = time(
    () =>
      runEngine([series], maCrossover({ fast: FAST, slow: SLOW, entry: 'state' }), { initialCash: 100_000 }),
    5,
  );
  const full = time(
    () =>
      backtest([series], maCrossover({ fast: FAST, slow: SLOW, entry: 'state' }), { initialCash: 100_000 }),
    3,
  );
  const engineFinal = engine.out.equity[bars - 1] ?? Number.NaN;
  const same = Math.abs(engineFinal / bare.out - 1) < 1e-9;

  // Monte Carlo: 100 paths × 10 years of exchange days (2520 bars).
  const paths = 100;
  const days = 2521;
  const ts = Float64Array.from(
    { length: days },
    (_, k) => Date.UTC(2015, 0, 1) + k * 86_400_000 * (365.25 / 252),
  );
  const daily: MarketModel = { kind: 'gbm', symbols: ['X'], drift: [0.0003], vol: [0.012] };
  const mc = time(
    () =>
      monteCarlo({
        model: daily,
        factory: maCrossover,
        params: { fast: FAST, slow: SLOW, entry: 'state' },
        ts,
        start: [100],
        paths,
        seed: 7,
      }),
    3,
  );
  const mcBare = time(() => {
    let acc = 0;
    for (let p = 0; p < paths; p++) {
      const [s] = simulateMarket(daily, ts, [100], pathSeed(7, p));
      if (s !== undefined) acc += bareCrossover(s, 100_000);
    }
    return acc;
  }, 3);

  const rate = (n: number, ms: number): string => `${fmt(n / ms / 1000, 2)} M bars/s`;
  const rows = [
    ['case', 'bars', 'median ms', 'rate', 'vs bare loop'],
    ['bare loop: MA(10/30) crossover', fmt(bars, 0), fmt(bare.ms), rate(bars, bare.ms), '1.00×'],
    [
      'engine: runEngine + maCrossover',
      fmt(bars, 0),
      fmt(engine.ms),
      rate(bars, engine.ms),
      `${fmt(engine.ms / bare.ms, 2)}×`,
    ],
    [
      'backtest(): + benchmark + metrics',
      fmt(bars, 0),
      fmt(full.ms),
      rate(bars, full.ms),
      `${fmt(full.ms / bare.ms, 2)}×`,
    ],
    [
      'bare: 100 GBM paths × 10y + crossover',
      fmt(paths * (days - 1), 0),
      fmt(mcBare.ms),
      rate(paths * (days - 1), mcBare.ms),
      '1.00×',
    ],
    [
      'monteCarlo(): 100 paths × 10y (+bench)',
      fmt(paths * (days - 1), 0),
      fmt(mc.ms),
      rate(paths * (days - 1), mc.ms),
      `${fmt(mc.ms / mcBare.ms, 2)}×`,
    ],
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  for (const r of rows)
    process.stdout.write(
      `${r.map((v, c) => (c === 0 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0))).join('  ')}\n`,
    );
  process.stdout.write(
    `engine final equity ${fmt(engineFinal, 2)} vs bare ${fmt(bare.out, 2)} (${same ? 'identical' : 'DIFFERENT'}); ` +
      `${engine.out.fills.length} fills. Budget: ≥ 1 M bars/s → ${bars / engine.ms / 1000 >= 1 ? 'met' : 'MISSED'}.\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
