/**
 * Live VaR in a worker thread (src/live/alerts/var-worker-client.ts): the same numbers as on the stream's
 * thread, later requests coalesced, depeg alerts not held up by a simulation in flight, and nothing left
 * running after close().
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DepegMonitor } from '../../src/live/alerts/depeg-monitor.ts';
import { type LiveVar, RiskMonitor } from '../../src/live/alerts/risk-monitor.ts';
import { realClock } from '../../src/live/alerts/timers.ts';
import { VarWorker } from '../../src/live/alerts/var-worker-client.ts';
import { monteCarloVar, type VarResult } from '../../src/risk/montecarlo.ts';
import { BOOK, MODEL, OPTIONS } from './var-inputs.ts';

/** Everything but the wall-clock time of the simulation. */
const numbers = ({ simulation_time_ms: _t, ...rest }: VarResult) => rest;

describe('live VaR worker: the same numbers as the in-thread computation', () => {
  it('returns monteCarloVar’s result for the same inputs and seed, scenarios and depegs included', async () => {
    const worker = new VarWorker();
    try {
      for (const seed of [1, 20260105]) {
        const opts = { ...OPTIONS, seed, simulations: 20_000 };
        const inWorker = await worker.compute(BOOK, MODEL, opts);
        const inThread = monteCarloVar(BOOK, MODEL, opts);
        expect(numbers(inWorker)).toEqual(numbers(inThread));
        expect(inWorker.depeg_hits).toBeGreaterThan(0);
      }
      // the caller's arrays are copied before their buffers are transferred: still usable here
      expect(Array.from(MODEL.correlation)).toHaveLength(9);
      expect(worker.runs).toBe(2);
    } finally {
      await worker.close();
    }
  });

  it('coalesces requests made during a run: the latest inputs win, one run for all of them', async () => {
    const worker = new VarWorker();
    try {
      const first = worker.compute(BOOK, MODEL, { ...OPTIONS, seed: 1, simulations: 200_000 });
      const later = [2, 3, 4].map((seed) =>
        worker.compute(BOOK, MODEL, { ...OPTIONS, seed, simulations: 10_000 }),
      );
      const [a, ...rest] = await Promise.all([first, ...later]);
      expect(a?.seed).toBe(1);
      expect(rest.map((r) => r.seed)).toEqual([4, 4, 4]);
      expect(numbers(rest[0] as VarResult)).toEqual(
        numbers(monteCarloVar(BOOK, MODEL, { ...OPTIONS, seed: 4, simulations: 10_000 })),
      );
      expect(worker.runs).toBe(2);
    } finally {
      await worker.close();
    }
  });
});

/**
 * A depeg alert (USDC 2 % under its peg, held 100 ms) raised while a ~1 s live VaR runs: how long after the
 * hold it fires. The same setup with the VaR on the monitors' thread shows the delay the worker removes.
 */
async function alertDelayDuringVar(computeIn: 'worker' | 'thread'): Promise<number> {
  const HOLD_MS = 100;
  const config = {
    getFloat: (_c: string, key: string, fallback?: number) =>
      key === 'depeg_min_seconds' ? HOLD_MS / 1000 : (fallback ?? Number.NaN),
  };
  const opts = { ...OPTIONS, simulations: 3_000_000 };
  const worker = computeIn === 'worker' ? new VarWorker() : undefined;
  const computeVar = async (): Promise<LiveVar> => {
    // the event loop turns once first, as the risk service's store reads do
    await new Promise((r) => setImmediate(r));
    const r = worker ? await worker.compute(BOOK, MODEL, opts) : monteCarloVar(BOOK, MODEL, opts);
    return { portfolio: BOOK.name, ...r };
  };
  let fired: ((at: number) => void) | undefined;
  const alert = new Promise<number>((r) => {
    fired = r;
  });
  const depeg = new DepegMonitor({
    pegs: new Map([['USDC', 1]]),
    config,
    clock: realClock,
    onEvent: (e) => {
      if (e.kind === 'depeg') fired?.(performance.now());
    },
  });
  let varDone = false;
  const risk = new RiskMonitor({
    symbols: new Set(['BTC']),
    computeVar: async () => {
      const v = await computeVar();
      varDone = true;
      return v;
    },
    config,
    clock: realClock,
    log: { warn: () => undefined },
  });
  const tick = (symbol: string, price: number) => {
    const t = { symbol, price, ts: Date.now(), venues: ['binance'] };
    depeg.onComposite(t);
    risk.onComposite(t);
  };
  try {
    tick('USDC', 1);
    tick('BTC', 60_000);
    tick('BTC', 58_000); // -3.3 %: a live VaR starts
    const t0 = performance.now();
    tick('USDC', 0.98); // the depeg starts its hold
    const delay = (await alert) - t0 - HOLD_MS;
    expect(varDone, 'the alert was measured while the VaR ran').toBe(computeIn === 'thread');
    return delay;
  } finally {
    await worker?.close();
    await risk.close();
    await depeg.close();
  }
}

describe('live VaR worker: alerts are not delayed by a VaR in flight', () => {
  it('fires a depeg alert on time while a ~1 s VaR runs in the worker (the same VaR in-thread holds it)', async () => {
    const inThread = await alertDelayDuringVar('thread');
    const inWorker = await alertDelayDuringVar('worker');
    // quiet machine: ~1-5 ms here against the bench's 50 ms p99 target (bench/stream.ts); the bound is wider
    // because the suite shares 2 cores, and relative: at most a quarter of the in-thread delay, 200 ms at most
    expect(
      inThread,
      'the same VaR on the thread must delay the alert, else this test proves nothing',
    ).toBeGreaterThan(200);
    expect(inWorker).toBeLessThan(Math.min(200, inThread / 4));
  }, 30_000);
});

describe('live VaR worker: close()', () => {
  it('terminates the worker during a long run: the run is rejected and the process exits', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/live/fixtures/var-worker-close.ts'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const t0 = performance.now();
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 15_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    // 200 M simulations take minutes (3 M take ~1 s in the alert test above): only terminate() ends it sooner
    expect(code, `child output: ${out}`).toBe(0);
    expect(out).toContain('closed; run rejected: live VaR worker closed');
    expect(performance.now() - t0).toBeLessThan(15_000);
  }, 20_000);
});
