/**
 * Live VaR off the stream's event loop. A Monte Carlo run takes tens to hundreds of milliseconds; on the
 * stream's thread it delayed every trade and depeg alert queued behind it. Here it runs in one worker thread
 * (var-worker.ts), started on first use and reused. A request made while a run is in flight waits for the
 * next slot, and later requests replace it (latest wins): all of their callers get the result of the run
 * that was made with the latest inputs. `close()` terminates the worker, ending a run in flight.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Portfolio } from '../../core/portfolio.ts';
import type { MarketModel, MonteCarloOptions, VarResult } from '../../risk/montecarlo.ts';
import { packVarRequest, type VarReply } from './var-message.ts';

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = new URL(FROM_SOURCE ? './var-worker.ts' : './var-worker.js', import.meta.url);

/**
 * From dist/ the entry is the compiled .js beside this file. From src/ (tsx, vitest) it is TypeScript: a
 * worker does not get the parent's tsx hooks (and on Node 20 `--import tsx` in its execArgv runs after its
 * entry is loaded, and hooks registered by `module.register` inside it do not apply), so a small script
 * registers tsx's CommonJS hook in the worker and requires the entry through it.
 */
function newWorker(): Worker {
  if (!FROM_SOURCE) return new Worker(ENTRY);
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const boot = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(fileURLToPath(ENTRY))});`;
  return new Worker(boot, { eval: true });
}

type VarArgs = [Portfolio, MarketModel, MonteCarloOptions];

interface Waiter {
  resolve(r: VarResult): void;
  reject(e: Error): void;
}

interface Run {
  id: number;
  waiters: Waiter[];
}

export class VarWorker {
  private worker: Worker | undefined;
  private running: Run | undefined;
  private queued: { args: VarArgs; waiters: Waiter[] } | undefined;
  private nextId = 0;
  private closed = false;
  /** Simulations started in the worker (coalesced requests count once). */
  runs = 0;

  /** `monteCarloVar(portfolio, model, options)` in the worker thread: the same numbers for the same seed. */
  compute(portfolio: Portfolio, model: MarketModel, options: MonteCarloOptions): Promise<VarResult> {
    if (this.closed) return Promise.reject(new Error('live VaR worker is closed'));
    return new Promise<VarResult>((resolve, reject) => {
      const waiter = { resolve, reject };
      const args: VarArgs = [portfolio, model, options];
      if (this.running) {
        this.queued = { args, waiters: [...(this.queued?.waiters ?? []), waiter] };
        return;
      }
      this.start(args, [waiter]);
    });
  }

  /** Terminates the worker; a run in flight and queued requests are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.fail(new Error('live VaR worker closed'));
    await worker?.terminate();
  }

  private start(args: VarArgs, waiters: Waiter[]): void {
    const id = this.nextId++;
    let packed: ReturnType<typeof packVarRequest>;
    try {
      packed = packVarRequest(id, ...args);
    } catch (err) {
      for (const w of waiters) w.reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const worker = this.spawn();
    this.running = { id, waiters };
    this.runs++;
    // a run in flight keeps the process alive; an idle worker does not
    worker.ref();
    worker.postMessage(packed.request, packed.transfer);
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const worker = newWorker();
    worker.unref();
    worker.on('message', (m: VarReply) => this.settle(m));
    const lost = (err: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.fail(err);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`live VaR worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(m: VarReply): void {
    const run = this.running;
    if (!run || run.id !== m.id) return;
    this.running = undefined;
    this.worker?.unref();
    if ('result' in m) for (const w of run.waiters) w.resolve(m.result);
    else for (const w of run.waiters) w.reject(new Error(m.error));
    const next = this.queued;
    this.queued = undefined;
    if (next && !this.closed) this.start(next.args, next.waiters);
  }

  private fail(err: Error): void {
    const waiters = [...(this.running?.waiters ?? []), ...(this.queued?.waiters ?? [])];
    this.running = undefined;
    this.queued = undefined;
    for (const w of waiters) w.reject(err);
  }
}
