import { AppError, ValidationError } from '../core/errors.ts';
import { type CostModel, ZERO_COSTS } from './costs.ts';
import { Portfolio } from './portfolio.ts';
import { exposureScale } from './risk-limits.ts';
import { buildTimeline } from './timeline.ts';
import type {
  BarColumns,
  BarField,
  Fill,
  FillModel,
  OrderRequest,
  OrderType,
  Strategy,
  StrategyAction,
  StrategyContext,
  Trade,
} from './types.ts';

/** A strategy asked for data after the current bar. */
export class LookAheadError extends AppError {
  override readonly code = 'look_ahead';
}

export interface EngineConfig {
  /** @defaultValue 100000 */
  initialCash?: number;
  /** @defaultValue 'next_open' */
  fill?: FillModel;
  costs?: Partial<CostModel>;
  /** Exit a position when it loses this fraction from its average cost (e.g. 0.05). */
  stopLoss?: number;
  /** Exit a position when it gains this fraction from its average cost. */
  takeProfit?: number;
  /** Halt trading (flatten, ignore the strategy) once equity falls this fraction below its peak. */
  maxDrawdown?: number;
  /** Scale target weights so that √(wᵀCw) ≤ max; `symbols` orders the matrix rows. */
  exposureLimit?: { symbols: readonly string[]; matrix: ArrayLike<ArrayLike<number>>; max: number };
}

export interface EngineResult {
  symbols: string[];
  ts: Float64Array;
  equity: Float64Array;
  /** Gross exposure / equity at each step's close. */
  exposure: Float64Array;
  fills: Fill[];
  trades: Trade[];
  initialCash: number;
  cash: number;
  realised: number;
  unrealised: number;
  fees: number;
  tradedNotional: number;
  halted: { ts: number; drawdown: number } | null;
}

interface Pending {
  i: number;
  qty: number;
  type: OrderType;
  price: number;
  /** Target weight when this is a target order (qty decided at fill time), else NaN. */
  weight: number;
  ttl: number;
  reason: string;
  /** Time of the step on which the strategy decided it (the signal time). */
  decidedTs: number;
}

const FIELD_INDEX: Readonly<Record<BarField, number>> = { open: 0, high: 1, low: 2, close: 3 };

/**
 * The price at which a resting `limit` or `stop` order fills against a bar, or NaN when the bar does not
 * reach it: a limit buy fills when the low reaches the price (at the price, or the open when it gaps
 * through), a stop buy when the high reaches it; sells mirror this. Shared by the engine and the paper broker.
 */
export function touchPrice(
  type: 'limit' | 'stop',
  buy: boolean,
  price: number,
  open: number,
  high: number,
  low: number,
): number {
  if (type === 'limit') {
    if (buy && low <= price) return Math.min(open, price);
    if (!buy && high >= price) return Math.max(open, price);
  } else if (buy && high >= price) return Math.max(open, price);
  else if (!buy && low <= price) return Math.min(open, price);
  return Number.NaN;
}

/**
 * Executes what the engine's fill model decided: signed `qty` of instrument `i` at quoted `price` on the
 * step at `ts`, for an order the strategy decided at `decidedTs` (`seq`: the order's place among the
 * executions of this step). Returns false when the execution was refused (pre-trade risk): the model then
 * keeps no fill. The default books it in the engine's portfolio.
 */
export type EngineExecutor = (
  i: number,
  qty: number,
  price: number,
  ts: number,
  reason: string,
  decidedTs: number,
  seq: number,
) => boolean;

/** One instrument's OHLC columns as the engine reads them (the live runner appends to them). */
export interface EngineColumns {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/**
 * The engine driven one step at a time: the same loop `runEngine` runs over stored bars, for a runner that
 * feeds bars as they come (replay or live) and routes each execution through `execute` (risk, store, a
 * broker). `step(ts, barIndex)` is one step of the merged timeline; `barIndex(i)` gives instrument i's bar
 * index in its columns at that step, or -1 when it has no bar then.
 */
export class EngineStepper {
  readonly symbols: string[];
  readonly portfolio: Portfolio;
  readonly initialCash: number;
  /** Equity and gross exposure / equity after the last step. */
  equity = Number.NaN;
  exposure = 0;
  halted: EngineResult['halted'] = null;
  /** Index of the current step (-1 before the first). */
  stepIndex = -1;
  private readonly cols: Array<readonly [Float64Array, Float64Array, Float64Array, Float64Array]>;
  private readonly lengths: Int32Array;
  private readonly index: Map<string, number>;
  private readonly last: Int32Array;
  private readonly cur: Int32Array;
  private readonly fill: FillModel;
  private readonly costs: CostModel;
  private readonly ctx: StrategyContext;
  private pending: Pending[] = [];
  private peak: number;
  private now = Number.NaN;
  private seq = 0;
  private lastSym = '';
  private lastIdx = -1;
  private readonly execute: EngineExecutor;
  private readonly hasStops: boolean;

  constructor(
    symbols: readonly string[],
    columns: readonly EngineColumns[],
    private readonly strategy: Strategy,
    private readonly config: EngineConfig = {},
    execute?: EngineExecutor,
  ) {
    this.symbols = [...symbols];
    if (new Set(symbols).size !== symbols.length)
      throw new ValidationError(`duplicate symbols in ${symbols.join(',')}`);
    const n = symbols.length;
    this.fill = config.fill ?? 'next_open';
    this.costs = { ...ZERO_COSTS, ...config.costs };
    this.initialCash = config.initialCash ?? 100_000;
    this.portfolio = new Portfolio(this.symbols, this.initialCash, this.costs);
    this.cols = columns.map((c) => [c.open, c.high, c.low, c.close] as const);
    this.lengths = Int32Array.from(columns, (c) => c.close.length);
    this.index = new Map(this.symbols.map((s, i) => [s, i]));
    this.last = new Int32Array(n).fill(-1);
    this.cur = new Int32Array(n).fill(-1);
    this.peak = this.initialCash;
    this.hasStops = config.stopLoss !== undefined || config.takeProfit !== undefined;
    const pf = this.portfolio;
    this.execute =
      execute ??
      ((i, qty, price, ts, reason) => {
        pf.execute(i, qty, price, ts, reason);
        return true;
      });
    const self = this;
    const cols = this.cols;
    const last = this.last;
    const cur = this.cur;
    this.ctx = {
      get step() {
        return self.stepIndex;
      },
      get ts() {
        return self.now;
      },
      symbols: this.symbols,
      has: (symbol) => (cur[self.idx(symbol)] ?? -1) >= 0,
      count: (symbol) => (last[self.idx(symbol)] ?? -1) + 1,
      price(symbol, field = 'close', lag = 0) {
        if (lag < 0)
          throw new LookAheadError(
            `strategy ${strategy.name} asked for ${symbol} ${field} ${-lag} bar(s) ahead`,
          );
        const i = self.idx(symbol);
        const k = (last[i] ?? -1) - lag;
        const col = cols[i]?.[FIELD_INDEX[field]];
        return k < 0 || col === undefined ? Number.NaN : (col[k] ?? Number.NaN);
      },
      close(symbol) {
        const i = self.idx(symbol);
        const k = last[i] ?? -1;
        return k < 0 ? Number.NaN : (cols[i]?.[3][k] ?? Number.NaN);
      },
      history(symbol, field, count) {
        const i = self.idx(symbol);
        const end = (last[i] ?? -1) + 1;
        const col = cols[i]?.[FIELD_INDEX[field]] ?? new Float64Array(0);
        // A copy, not a view: a view's buffer would expose the whole column, future bars included.
        return col.slice(Math.max(0, end - Math.max(0, count)), end);
      },
      position: (symbol) => pf.qty[self.idx(symbol)] ?? 0,
      get cash() {
        return pf.cash;
      },
      get equity() {
        return pf.equity();
      },
      state: {},
    };
  }

  /** Index of `symbol` (ValidationError when the run does not trade it). */
  idx(symbol: string): number {
    if (symbol === this.lastSym) return this.lastIdx;
    const i = this.index.get(symbol);
    if (i === undefined)
      throw new ValidationError(`unknown symbol ${symbol} (have ${this.symbols.join(',')})`);
    this.lastSym = symbol;
    this.lastIdx = i;
    return i;
  }

  /** Calls the strategy's `init` (once, before the first step). */
  init(): void {
    this.strategy.init?.(this.ctx);
  }

  /** Appends a bar of instrument i (growing its columns); returns its bar index. */
  append(i: number, open: number, high: number, low: number, close: number): number {
    const c = this.cols[i];
    if (c === undefined) throw new RangeError(`instrument index ${i} is outside the run`);
    const k = this.lengths[i] ?? 0;
    if (k >= c[0].length) {
      const grown = c.map((col) => {
        const g = new Float64Array(Math.max(16, col.length * 2));
        g.set(col);
        return g;
      });
      this.cols[i] = grown as unknown as readonly [Float64Array, Float64Array, Float64Array, Float64Array];
    }
    const g = this.cols[i];
    if (g === undefined) throw new RangeError(`instrument index ${i} is outside the run`);
    g[0][k] = open;
    g[1][k] = high;
    g[2][k] = low;
    g[3][k] = close;
    this.lengths[i] = k + 1;
    return k;
  }

  private exec(i: number, qty: number, price: number, reason: string, decidedTs: number): boolean {
    return this.execute(i, qty, price, this.now, reason, decidedTs, this.seq++);
  }

  /** Quantity to trade so that instrument i is `weight` of equity at quoted price px. */
  private targetQty(i: number, weight: number, px: number): number {
    const pf = this.portfolio;
    const costs = this.costs;
    const e = pf.equity();
    const delta = (weight * e) / px - (pf.qty[i] ?? 0);
    if (Math.abs(delta * px) < 1e-9 * Math.max(1, Math.abs(e))) return 0;
    if (delta > 0 && (costs.feeBps > 0 || costs.feeFixed > 0 || costs.slippageBps > 0)) {
      // Spend about delta·px including fees and slippage, so an all-in buy does not overdraw cash.
      const exec = px * (1 + costs.slippageBps / 10_000) * (1 + costs.feeBps / 10_000);
      return Math.max(0, (delta * px - costs.feeFixed) / exec);
    }
    return delta;
  }

  /** Fills resting orders of instrument i against its bar k; market orders at `marketPx`. */
  private processPending(i: number, k: number, marketPx: number, onlyMarket: boolean): void {
    if (this.pending.length === 0) return;
    const c = this.cols[i];
    if (c === undefined) return;
    const open = c[0][k] ?? Number.NaN;
    const high = c[1][k] ?? Number.NaN;
    const low = c[2][k] ?? Number.NaN;
    const keep: Pending[] = [];
    for (const o of this.pending) {
      if (o.i !== i) {
        keep.push(o);
        continue;
      }
      let px = Number.NaN;
      if (o.type === 'market') px = marketPx;
      else if (!onlyMarket) px = touchPrice(o.type, o.qty > 0 || o.weight > 0, o.price, open, high, low);
      if (!Number.isNaN(px)) {
        const q = !Number.isNaN(o.weight) ? this.targetQty(i, o.weight, px) : o.qty;
        if (q !== 0) this.exec(i, q, px, o.reason, o.decidedTs);
      } else if (!onlyMarket && --o.ttl > 0) keep.push(o);
      else if (onlyMarket) keep.push(o);
    }
    this.pending = keep;
  }

  private stopsAndTargets(i: number, k: number): void {
    const pf = this.portfolio;
    const config = this.config;
    const q = pf.qty[i] ?? 0;
    if (q === 0 || !this.hasStops) return;
    const c = this.cols[i];
    if (c === undefined) return;
    const open = c[0][k] ?? Number.NaN;
    const high = c[1][k] ?? Number.NaN;
    const low = c[2][k] ?? Number.NaN;
    const avg = pf.avgCost[i] ?? 0;
    const long = q > 0;
    if (config.stopLoss !== undefined) {
      const stop = long ? avg * (1 - config.stopLoss) : avg * (1 + config.stopLoss);
      if (long ? low <= stop : high >= stop) {
        this.exec(i, -q, long ? Math.min(open, stop) : Math.max(open, stop), 'stop_loss', this.now);
        return;
      }
    }
    if (config.takeProfit !== undefined) {
      const take = long ? avg * (1 + config.takeProfit) : avg * (1 - config.takeProfit);
      if (long ? high >= take : low <= take) {
        this.exec(i, -q, long ? Math.max(open, take) : Math.min(open, take), 'take_profit', this.now);
      }
    }
  }

  private submit(action: StrategyAction): void {
    if (action.cancelAll) this.pending = [];
    const reason = action.reason ?? this.strategy.name;
    const pf = this.portfolio;
    if (action.targets !== undefined) {
      const entries = Object.entries(action.targets);
      let scale = 1;
      const lim = this.config.exposureLimit;
      if (lim !== undefined) {
        const e = pf.equity();
        const w = lim.symbols.map((s) => {
          const t = action.targets?.[s];
          if (t !== undefined) return t;
          const i = this.index.get(s);
          return i === undefined || e === 0 ? 0 : ((pf.qty[i] ?? 0) * (pf.mark[i] ?? 0)) / e;
        });
        scale = exposureScale(w, lim.matrix, lim.max);
      }
      for (const [symbol, weight] of entries) {
        if (!Number.isFinite(weight)) throw new ValidationError(`target weight for ${symbol} is ${weight}`);
        const i = this.idx(symbol);
        // A new target replaces earlier unfilled targets of the same instrument.
        this.pending = this.pending.filter((o) => !(o.i === i && !Number.isNaN(o.weight)));
        this.pending.push({
          i,
          qty: 0,
          type: 'market',
          price: Number.NaN,
          weight: weight * scale,
          ttl: 1,
          reason,
          decidedTs: this.now,
        });
      }
    }
    for (const o of action.orders ?? []) this.addOrder(o, reason);
  }

  private addOrder(o: OrderRequest, reason: string): void {
    const type = o.type ?? 'market';
    if (!Number.isFinite(o.qty) || o.qty === 0)
      throw new ValidationError(`order for ${o.symbol} needs a non-zero finite qty, got ${o.qty}`);
    if (type !== 'market' && !(typeof o.price === 'number' && o.price > 0)) {
      throw new ValidationError(`${type} order for ${o.symbol} needs a positive price`);
    }
    this.pending.push({
      i: this.idx(o.symbol),
      qty: o.qty,
      type,
      price: o.price ?? Number.NaN,
      weight: Number.NaN,
      ttl: o.ttlBars ?? Number.POSITIVE_INFINITY,
      reason: o.reason ?? reason,
      decidedTs: this.now,
    });
  }

  /** One step at time `ts`; `barIndex(i)` is instrument i's bar index now, or -1 when it has no bar. */
  step(ts: number, barIndex: (i: number) => number): void {
    const pf = this.portfolio;
    const n = this.symbols.length;
    const cur = this.cur;
    this.stepIndex++;
    this.now = ts;
    this.seq = 0;
    // 1. Which instruments have a bar now; resting orders and stops fill against that bar.
    for (let i = 0; i < n; i++) {
      const k = barIndex(i);
      cur[i] = k;
      if (k < 0) continue;
      const c = this.cols[i];
      if (c === undefined) continue;
      if (this.fill === 'next_open') {
        pf.mark[i] = c[0][k] ?? Number.NaN;
        this.processPending(i, k, c[0][k] ?? Number.NaN, false);
        this.stopsAndTargets(i, k);
      } else {
        this.stopsAndTargets(i, k);
        pf.mark[i] = c[3][k] ?? Number.NaN;
        this.processPending(i, k, c[3][k] ?? Number.NaN, false);
      }
      pf.tickHeld(i);
      this.last[i] = k;
      pf.mark[i] = c[3][k] ?? Number.NaN;
    }
    // 2. Drawdown limit: flatten and stop listening to the strategy.
    let e = pf.equity();
    if (e > this.peak) this.peak = e;
    const peak = this.peak;
    if (
      this.halted === null &&
      this.config.maxDrawdown !== undefined &&
      peak > 0 &&
      (peak - e) / peak >= this.config.maxDrawdown
    ) {
      this.halted = { ts, drawdown: (peak - e) / peak };
      this.pending = [];
      for (let i = 0; i < n; i++) {
        const q = pf.qty[i] ?? 0;
        if (q !== 0)
          this.pending.push({
            i,
            qty: -q,
            type: 'market',
            price: Number.NaN,
            weight: Number.NaN,
            ttl: 1,
            reason: 'drawdown_halt',
            decidedTs: ts,
          });
      }
    }
    // 3. The strategy sees bars up to now and decides.
    if (this.halted === null) {
      const action = this.strategy.onBar(this.ctx);
      if (action !== undefined) this.submit(action);
    }
    // 4. Research fill model: market orders trade on the close just seen.
    if (this.fill === 'same_close' && this.pending.length > 0) {
      for (let i = 0; i < n; i++) {
        const k = cur[i] ?? -1;
        if (k >= 0) this.processPending(i, k, this.cols[i]?.[3][k] ?? Number.NaN, true);
      }
      e = pf.equity();
    }
    this.equity = e;
    let gross = 0;
    for (let i = 0; i < n; i++) {
      const q = pf.qty[i] ?? 0;
      if (q !== 0) gross += Math.abs(q * (pf.mark[i] ?? 0));
    }
    this.exposure = e > 0 ? gross / e : 0;
  }
}

/** Runs `strategy` over `series` and returns the equity curve, fills and trades. Pure: no I/O. */
export function runEngine(
  series: readonly BarColumns[],
  strategy: Strategy,
  config: EngineConfig = {},
): EngineResult {
  const timeline = buildTimeline(series);
  const engine = new EngineStepper(
    series.map((s) => s.symbol),
    series,
    strategy,
    config,
  );
  const steps = timeline.ts.length;
  const equity = new Float64Array(steps);
  const exposure = new Float64Array(steps);
  let step = 0;
  const barIndex = (i: number): number => {
    const map = timeline.local[i];
    return map === null || map === undefined ? step : (map[step] ?? -1);
  };
  engine.init();
  for (step = 0; step < steps; step++) {
    engine.step(timeline.ts[step] ?? Number.NaN, barIndex);
    equity[step] = engine.equity;
    exposure[step] = engine.exposure;
  }
  const pf = engine.portfolio;
  return {
    symbols: engine.symbols,
    ts: timeline.ts,
    equity,
    exposure,
    fills: pf.fills,
    trades: pf.trades,
    initialCash: engine.initialCash,
    cash: pf.cash,
    realised: pf.realised,
    unrealised: pf.unrealised(),
    fees: pf.feesPaid,
    tradedNotional: pf.tradedNotional,
    halted: engine.halted,
  };
}
