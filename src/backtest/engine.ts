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
}

const FIELD_INDEX: Readonly<Record<BarField, number>> = { open: 0, high: 1, low: 2, close: 3 };

/** Runs `strategy` over `series` and returns the equity curve, fills and trades. Pure: no I/O. */
export function runEngine(
  series: readonly BarColumns[],
  strategy: Strategy,
  config: EngineConfig = {},
): EngineResult {
  const timeline = buildTimeline(series);
  const symbols = series.map((s) => s.symbol);
  if (new Set(symbols).size !== symbols.length)
    throw new ValidationError(`duplicate symbols in ${symbols.join(',')}`);
  const n = symbols.length;
  const steps = timeline.ts.length;
  const fill = config.fill ?? 'next_open';
  const costs: CostModel = { ...ZERO_COSTS, ...config.costs };
  const initialCash = config.initialCash ?? 100_000;
  const pf = new Portfolio(symbols, initialCash, costs);
  const cols = series.map((s) => [s.open, s.high, s.low, s.close] as const);
  const index = new Map(symbols.map((s, i) => [s, i]));
  const last = new Int32Array(n).fill(-1);
  const cur = new Int32Array(n).fill(-1);
  const equity = new Float64Array(steps);
  const exposure = new Float64Array(steps);
  let pending: Pending[] = [];
  let peak = initialCash;
  let halted: EngineResult['halted'] = null;
  let step = -1;
  let lastSym = '';
  let lastIdx = -1;

  const idx = (symbol: string): number => {
    if (symbol === lastSym) return lastIdx;
    const i = index.get(symbol);
    if (i === undefined) throw new ValidationError(`unknown symbol ${symbol} (have ${symbols.join(',')})`);
    lastSym = symbol;
    lastIdx = i;
    return i;
  };

  const ctx: StrategyContext = {
    get step() {
      return step;
    },
    get ts() {
      return step < 0 ? Number.NaN : (timeline.ts[step] ?? Number.NaN);
    },
    symbols,
    has: (symbol) => (cur[idx(symbol)] ?? -1) >= 0,
    count: (symbol) => (last[idx(symbol)] ?? -1) + 1,
    price(symbol, field = 'close', lag = 0) {
      if (lag < 0)
        throw new LookAheadError(
          `strategy ${strategy.name} asked for ${symbol} ${field} ${-lag} bar(s) ahead`,
        );
      const i = idx(symbol);
      const k = (last[i] ?? -1) - lag;
      const col = cols[i]?.[FIELD_INDEX[field]];
      return k < 0 || col === undefined ? Number.NaN : (col[k] ?? Number.NaN);
    },
    close(symbol) {
      const i = idx(symbol);
      const k = last[i] ?? -1;
      return k < 0 ? Number.NaN : (cols[i]?.[3][k] ?? Number.NaN);
    },
    history(symbol, field, count) {
      const i = idx(symbol);
      const end = (last[i] ?? -1) + 1;
      const col = cols[i]?.[FIELD_INDEX[field]] ?? new Float64Array(0);
      // A copy, not a view: a view's buffer would expose the whole column, future bars included.
      return col.slice(Math.max(0, end - Math.max(0, count)), end);
    },
    position: (symbol) => pf.qty[idx(symbol)] ?? 0,
    get cash() {
      return pf.cash;
    },
    get equity() {
      return pf.equity();
    },
    state: {},
  };

  const ts = (s: number): number => timeline.ts[s] ?? Number.NaN;

  /** Quantity to trade so that instrument i is `weight` of equity at quoted price px. */
  const targetQty = (i: number, weight: number, px: number): number => {
    const e = pf.equity();
    const delta = (weight * e) / px - (pf.qty[i] ?? 0);
    if (Math.abs(delta * px) < 1e-9 * Math.max(1, Math.abs(e))) return 0;
    if (delta > 0 && (costs.feeBps > 0 || costs.feeFixed > 0 || costs.slippageBps > 0)) {
      // Spend about delta·px including fees and slippage, so an all-in buy does not overdraw cash.
      const exec = px * (1 + costs.slippageBps / 10_000) * (1 + costs.feeBps / 10_000);
      return Math.max(0, (delta * px - costs.feeFixed) / exec);
    }
    return delta;
  };

  /** Fills resting orders of instrument i against its bar k; market orders at `marketPx`. */
  const processPending = (i: number, k: number, marketPx: number, onlyMarket: boolean): void => {
    if (pending.length === 0) return;
    const c = cols[i];
    if (c === undefined) return;
    const open = c[0][k] ?? Number.NaN;
    const high = c[1][k] ?? Number.NaN;
    const low = c[2][k] ?? Number.NaN;
    const keep: Pending[] = [];
    for (const o of pending) {
      if (o.i !== i) {
        keep.push(o);
        continue;
      }
      let px = Number.NaN;
      if (o.type === 'market') px = marketPx;
      else if (!onlyMarket) {
        const buy = o.qty > 0 || o.weight > 0;
        if (o.type === 'limit') {
          if (buy && low <= o.price) px = Math.min(open, o.price);
          else if (!buy && high >= o.price) px = Math.max(open, o.price);
        } else if (buy && high >= o.price) px = Math.max(open, o.price);
        else if (!buy && low <= o.price) px = Math.min(open, o.price);
      }
      if (!Number.isNaN(px)) {
        const q = !Number.isNaN(o.weight) ? targetQty(i, o.weight, px) : o.qty;
        if (q !== 0) pf.execute(i, q, px, ts(step), o.reason);
      } else if (!onlyMarket && --o.ttl > 0) keep.push(o);
      else if (onlyMarket) keep.push(o);
    }
    pending = keep;
  };

  const hasStops = config.stopLoss !== undefined || config.takeProfit !== undefined;
  const stopsAndTargets = (i: number, k: number): void => {
    const q = pf.qty[i] ?? 0;
    if (q === 0 || !hasStops) return;
    const c = cols[i];
    if (c === undefined) return;
    const open = c[0][k] ?? Number.NaN;
    const high = c[1][k] ?? Number.NaN;
    const low = c[2][k] ?? Number.NaN;
    const avg = pf.avgCost[i] ?? 0;
    const long = q > 0;
    if (config.stopLoss !== undefined) {
      const stop = long ? avg * (1 - config.stopLoss) : avg * (1 + config.stopLoss);
      if (long ? low <= stop : high >= stop) {
        pf.execute(i, -q, long ? Math.min(open, stop) : Math.max(open, stop), ts(step), 'stop_loss');
        return;
      }
    }
    if (config.takeProfit !== undefined) {
      const take = long ? avg * (1 + config.takeProfit) : avg * (1 - config.takeProfit);
      if (long ? high >= take : low <= take) {
        pf.execute(i, -q, long ? Math.max(open, take) : Math.min(open, take), ts(step), 'take_profit');
      }
    }
  };

  const submit = (action: StrategyAction): void => {
    if (action.cancelAll) pending = [];
    const reason = action.reason ?? strategy.name;
    if (action.targets !== undefined) {
      const entries = Object.entries(action.targets);
      let scale = 1;
      const lim = config.exposureLimit;
      if (lim !== undefined) {
        const e = pf.equity();
        const w = lim.symbols.map((s) => {
          const t = action.targets?.[s];
          if (t !== undefined) return t;
          const i = index.get(s);
          return i === undefined || e === 0 ? 0 : ((pf.qty[i] ?? 0) * (pf.mark[i] ?? 0)) / e;
        });
        scale = exposureScale(w, lim.matrix, lim.max);
      }
      for (const [symbol, weight] of entries) {
        if (!Number.isFinite(weight)) throw new ValidationError(`target weight for ${symbol} is ${weight}`);
        const i = idx(symbol);
        // A new target replaces earlier unfilled targets of the same instrument.
        pending = pending.filter((o) => !(o.i === i && !Number.isNaN(o.weight)));
        pending.push({
          i,
          qty: 0,
          type: 'market',
          price: Number.NaN,
          weight: weight * scale,
          ttl: 1,
          reason,
        });
      }
    }
    for (const o of action.orders ?? []) addOrder(o, reason);
  };

  const addOrder = (o: OrderRequest, reason: string): void => {
    const type = o.type ?? 'market';
    if (!Number.isFinite(o.qty) || o.qty === 0)
      throw new ValidationError(`order for ${o.symbol} needs a non-zero finite qty, got ${o.qty}`);
    if (type !== 'market' && !(typeof o.price === 'number' && o.price > 0)) {
      throw new ValidationError(`${type} order for ${o.symbol} needs a positive price`);
    }
    pending.push({
      i: idx(o.symbol),
      qty: o.qty,
      type,
      price: o.price ?? Number.NaN,
      weight: Number.NaN,
      ttl: o.ttlBars ?? Number.POSITIVE_INFINITY,
      reason: o.reason ?? reason,
    });
  };

  strategy.init?.(ctx);
  for (step = 0; step < steps; step++) {
    // 1. Which instruments have a bar now; resting orders and stops fill against that bar.
    for (let i = 0; i < n; i++) {
      const map = timeline.local[i];
      const k = map === null || map === undefined ? step : (map[step] ?? -1);
      cur[i] = k;
      if (k < 0) continue;
      const c = cols[i];
      if (c === undefined) continue;
      if (fill === 'next_open') {
        pf.mark[i] = c[0][k] ?? Number.NaN;
        processPending(i, k, c[0][k] ?? Number.NaN, false);
        stopsAndTargets(i, k);
      } else {
        stopsAndTargets(i, k);
        pf.mark[i] = c[3][k] ?? Number.NaN;
        processPending(i, k, c[3][k] ?? Number.NaN, false);
      }
      pf.tickHeld(i);
      last[i] = k;
      pf.mark[i] = c[3][k] ?? Number.NaN;
    }
    // 2. Drawdown limit: flatten and stop listening to the strategy.
    let e = pf.equity();
    if (e > peak) peak = e;
    if (
      halted === null &&
      config.maxDrawdown !== undefined &&
      peak > 0 &&
      (peak - e) / peak >= config.maxDrawdown
    ) {
      halted = { ts: ts(step), drawdown: (peak - e) / peak };
      pending = [];
      for (let i = 0; i < n; i++) {
        const q = pf.qty[i] ?? 0;
        if (q !== 0)
          pending.push({
            i,
            qty: -q,
            type: 'market',
            price: Number.NaN,
            weight: Number.NaN,
            ttl: 1,
            reason: 'drawdown_halt',
          });
      }
    }
    // 3. The strategy sees bars up to now and decides.
    if (halted === null) {
      const action = strategy.onBar(ctx);
      if (action !== undefined) submit(action);
    }
    // 4. Research fill model: market orders trade on the close just seen.
    if (fill === 'same_close' && pending.length > 0) {
      for (let i = 0; i < n; i++) {
        const k = cur[i] ?? -1;
        if (k >= 0) processPending(i, k, cols[i]?.[3][k] ?? Number.NaN, true);
      }
      e = pf.equity();
    }
    equity[step] = e;
    let gross = 0;
    for (let i = 0; i < n; i++) {
      const q = pf.qty[i] ?? 0;
      if (q !== 0) gross += Math.abs(q * (pf.mark[i] ?? 0));
    }
    exposure[step] = e > 0 ? gross / e : 0;
  }

  return {
    symbols,
    ts: timeline.ts,
    equity,
    exposure,
    fills: pf.fills,
    trades: pf.trades,
    initialCash,
    cash: pf.cash,
    realised: pf.realised,
    unrealised: pf.unrealised(),
    fees: pf.feesPaid,
    tradedNotional: pf.tradedNotional,
    halted,
  };
}
