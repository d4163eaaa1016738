/**
 * `trade run`: a backtest strategy module, unchanged, driven bar by bar by the backtest's own engine
 * (EngineStepper) on stored bars (replay) or on bars as they are stored (live), every execution the engine's
 * fill model decides going through pre-trade risk, the store (`execution.*`), the audit chain and a broker.
 *
 * Parity: the engine decides when and at what quoted price an order trades exactly as in `backtest`; the paper
 * broker books it with the same Portfolio code (slippage, fees). So a paper replay's fills equal the
 * backtest's. A refused order is not booked in the engine's model either, so the strategy sees what happened.
 *
 * Live bars: polled from `market_data.bars` (what `stream` writes), not taken from pub/sub: the store is the
 * record in every deployment (embedded or scaled out), a poll after a pause sees every bar stored meanwhile,
 * and a 1m bar is complete only once stored, so nothing is lost to a missed message.
 *
 * Client order ids are a hash of (strategy, params, broker, symbols, symbol, signal time, sequence): a re-run
 * of the same replay, or a retry, finds the orders already stored and sends nothing twice.
 *
 * External brokers (`external: true`) receive orders only with `live` and config `trading.live_enabled`;
 * otherwise the run is a dry run that logs what it would send. A dry run needs no keys: without them the venue
 * is a keyless stand-in (keyless-venue.ts) that is never called. Broker keys are never logged (nothing here
 * sees them: the broker holds them).
 */
import { createHash } from 'node:crypto';
import type { AdjustMode } from '../analytics/adjust.ts';
import { chainEntries, insertChained } from '../audit/chain.ts';
import { type EngineConfig, EngineStepper } from '../backtest/engine.ts';
import { loadSeries } from '../backtest/series-reader.ts';
import { resolveStrategy } from '../backtest/strategies/index.ts';
import { buildTimeline } from '../backtest/timeline.ts';
import type { Trade } from '../backtest/types.ts';
import type { PubSub } from '../cache/cache.ts';
import type { ConfigStore } from '../config/store.ts';
import { ConfigError, UsageError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { DAY_MS, toIso } from '../core/time.ts';
import type { Interval, TimeRange } from '../core/types.ts';
import type { Db } from '../store/db.ts';
import { listAlerts } from '../store/repos/alerts.ts';
import {
  activeHalt,
  applyOrderUpdate,
  insertOrderWithDecision,
  setHalt,
  strategyScope,
  transitionOrder,
  upsertAccount,
} from '../store/repos/execution.ts';
import type { Broker, BrokerOrderType, OrderStatus, OrderUpdate, SubmitOrder } from './broker.ts';
import { KeylessVenue } from './keyless-venue.ts';
import { reconcileBroker } from './reconcile-service.ts';
import {
  checkOrder,
  DAILY_LOSS_HALT_ACTOR,
  haltState,
  type RiskLimits,
  type RiskState,
  type RiskVerdict,
  riskLimitsFrom,
} from './risk.ts';

export interface TradeRunDeps {
  db: Db;
  config: ConfigStore;
  log: Logger;
  broker: Broker;
  /** Depeg alerts arrive here (`depeg_alerts`); without it only the alerts open at start count. */
  pubsub?: PubSub;
  now?: () => number;
}

export interface TradeRunRequest {
  strategy: string;
  symbols: string[];
  params?: Record<string, unknown>;
  /** @defaultValue '1d' for replay, '1m' live */
  interval?: Interval;
  /** @defaultValue 'split' (as `backtest`) */
  adjust?: AdjustMode;
  /** Fill model, cash and costs: the backtest's engine options. */
  engine?: EngineConfig;
  /** Stored bars to replay; absent: live on bars as they are stored. */
  replay?: TimeRange;
  /** Live: stop after this long (ms). @defaultValue until `signal` aborts */
  forMs?: number;
  /** Send orders to an external broker (with config trading.live_enabled). */
  live?: boolean;
  /** Live: how often new bars are looked for (ms). @defaultValue 5000 */
  pollMs?: number;
  /** Live: bars of history run through the strategy before trading starts. @defaultValue 500 */
  warmupBars?: number;
  /**
   * Sending to an external broker: how often orders and positions are reconciled with the venue (ms); they
   * are also reconciled once before the first order. @defaultValue 60000
   */
  reconcileMs?: number;
  signal?: AbortSignal;
}

interface FillJson {
  ts: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  fee: number;
  client_order_id: string;
}

export interface TradeRunResult {
  run_id: string;
  strategy: string;
  symbols: string[];
  broker: string;
  mode: 'replay' | 'live';
  dry_run: boolean;
  from: string | null;
  to: string | null;
  bars: number;
  orders: number;
  filled: number;
  rejected: number;
  /** Orders already stored under the same client order id (a re-run): not sent again. */
  duplicates: number;
  /** The broker's fills of this run. */
  fills: FillJson[];
  /** Round trips in the engine's model (the backtest's `trades`). */
  trades: Array<{
    symbol: string;
    entry_ts: string;
    exit_ts: string;
    qty: number;
    entry_price: number;
    exit_price: number;
    pnl: number;
  }>;
  final_equity: number;
  /** Dry run: what would have been sent. */
  would_send: Array<{ client_order_id: string; symbol: string; side: string; qty: number; price: number }>;
  rejections: Array<{ client_order_id: string; symbol: string; rule: string; message: string }>;
  halted: { scope: string; reason: string } | null;
  /** Reconciliations with an external broker this run (none for paper or a dry run). */
  reconciled: Array<{ applied: number; mismatches: number; alerts: number }>;
  duration_ms: number;
}

/** Deterministic client order id of one strategy signal (32 characters, within every venue's limit). */
function clientOrderId(parts: {
  strategy: string;
  params: Record<string, unknown>;
  broker: string;
  symbols: readonly string[];
  symbol: string;
  signalTs: number;
  seq: number;
}): string {
  const params = JSON.stringify(
    Object.fromEntries(Object.entries(parts.params).sort(([a], [b]) => a.localeCompare(b))),
  );
  const h = createHash('sha256')
    .update(
      [
        parts.strategy,
        params,
        parts.broker,
        parts.symbols.join(','),
        parts.symbol,
        parts.signalTs,
        parts.seq,
      ].join('|'),
    )
    .digest('hex');
  return `mp${h.slice(0, 30)}`;
}

/** The run id shown with results: a hash of what determines the run. */
function runIdOf(req: TradeRunRequest, broker: string): string {
  const key = JSON.stringify([req.strategy, req.params ?? {}, broker, req.symbols, req.replay ?? 'live']);
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

interface Queued {
  order: SubmitOrder;
  price: number;
  ts: number;
  verdict: RiskVerdict;
}

/** The engine's fill model decides price and time, so what reaches a broker is a market order. */
const MARKET: BrokerOrderType = 'market';

export async function runTrade(deps: TradeRunDeps, req: TradeRunRequest): Promise<TradeRunResult> {
  const t0 = performance.now();
  const { db, config, log, broker } = deps;
  if (req.symbols.length === 0) throw new UsageError('trade run needs at least one symbol');
  const params = req.params ?? {};
  const { factory } = await resolveStrategy(req.strategy);
  const strategy = factory(params);
  const liveEnabled = config.getBool('trading', 'live_enabled', false);
  const dryRun = broker.external && !(req.live === true && liveEnabled);
  if (!dryRun && broker instanceof KeylessVenue) throw new ConfigError(broker.missingKeys);
  if (broker.external && !dryRun)
    log.warn({ broker: broker.name }, 'trade run: LIVE orders to an external broker');
  else if (broker.external)
    log.info(
      { broker: broker.name, live_flag: req.live === true, live_enabled: liveEnabled },
      'trade run: dry run (needs --live and config trading.live_enabled = true to send orders)',
    );
  const limits: RiskLimits = riskLimitsFrom(config);
  const runId = runIdOf(req, broker.name);
  const actor = `trade:${strategy.name}`;
  const quoteCurrency = (await broker.account().catch(() => undefined))?.currency ?? 'USD';

  // What the risk check knows, refreshed between steps.
  let halt = await activeHalt(db, strategy.name);
  let haltReadAt = performance.now();
  const depegged = new Set(
    (await listAlerts(db, { type: 'depeg', limit: 500 }))
      .filter((a) => a.state === 'open')
      .map((a) => a.asset),
  );
  const unsub = await deps.pubsub?.subscribe('depeg_alerts', (m) => {
    const msg = m as unknown as { type?: string; alert?: { asset?: string } };
    const asset = msg.alert?.asset;
    if (asset === undefined) return;
    if (msg.type === 'depeg_alert') depegged.add(asset);
    else if (msg.type === 'depeg_recovery') depegged.delete(asset);
  });

  const result: TradeRunResult = {
    run_id: runId,
    strategy: strategy.name,
    symbols: req.symbols,
    broker: broker.name,
    mode: req.replay === undefined ? 'live' : 'replay',
    dry_run: dryRun,
    from: null,
    to: null,
    bars: 0,
    orders: 0,
    filled: 0,
    rejected: 0,
    duplicates: 0,
    fills: [],
    trades: [],
    final_equity: Number.NaN,
    would_send: [],
    rejections: [],
    halted: null,
    reconciled: [],
    duration_ms: 0,
  };

  // Broker updates are stored in arrival order, one after the other.
  let chain: Promise<void> = Promise.resolve();
  const applyUpdate = async (u: OrderUpdate): Promise<void> => {
    const o = u.order;
    const f = u.fill;
    const { transitioned, fillInserted: inserted } = await applyOrderUpdate(db, o.clientOrderId, o.status, {
      reason: o.reason,
      brokerOrderId: o.brokerOrderId,
      filledQty: o.filledQty,
      avgPrice: o.avgPrice,
      at: o.updatedAt,
      fill: f === undefined ? undefined : { ...f, broker: broker.name },
    });
    if (!transitioned)
      log.warn(
        { client_order_id: o.clientOrderId, status: o.status },
        'trade run: broker update not applied',
      );
    if (f !== undefined && inserted) {
      result.fills.push({
        ts: toIso(f.ts),
        symbol: f.symbol,
        side: f.side,
        qty: f.qty,
        price: f.price,
        fee: f.fee,
        client_order_id: f.clientOrderId,
      });
    }
  };
  const seen = new Map<string, OrderStatus>();
  const offUpdates = broker.onUpdate((u) => {
    seen.set(u.order.clientOrderId, u.order.status);
    chain = chain
      .then(() => applyUpdate(u))
      .catch((err) => log.error({ err }, 'trade run: storing an update failed'));
  });

  // An external broker we send to is reconciled with the store before the first order and then periodically,
  // in line with the stored updates (reconcile-service.ts: differences become alerts, never overwrites).
  const reconcileNow = (): Promise<void> => {
    chain = chain
      .then(async () => {
        // positions only in symbols we have records of: what else the account holds is not ours to flag
        const r = await reconcileBroker({ db, broker, log, onlyKnownSymbols: true });
        result.reconciled.push({
          applied: r.applied.length,
          mismatches: r.mismatches.length,
          alerts: r.alerts.length,
        });
      })
      .catch((err) => log.error({ err }, 'trade run: reconciliation failed'));
    return chain;
  };
  let reconcileTimer: ReturnType<typeof setInterval> | undefined;
  if (broker.external && !dryRun) {
    await reconcileNow();
    reconcileTimer = setInterval(() => void reconcileNow(), req.reconcileMs ?? 60_000);
    reconcileTimer.unref();
  }

  // The engine, executions routed through risk into a queue that is sent after each step.
  let queue: Queued[] = [];
  let engine: EngineStepper | undefined;
  let trading = true;
  let dayStart = Number.NaN;
  let dayStartEquity = Number.NaN;
  const execute = (
    i: number,
    qty: number,
    price: number,
    ts: number,
    reason: string,
    signalTs: number,
    seq: number,
  ) => {
    const e = engine;
    if (e === undefined || !trading) return false;
    const pf = e.portfolio;
    const symbol = e.symbols[i] ?? '';
    const order: SubmitOrder = {
      clientOrderId: clientOrderId({
        strategy: strategy.name,
        params,
        broker: broker.name,
        symbols: req.symbols,
        symbol,
        signalTs,
        seq,
      }),
      symbol,
      side: qty > 0 ? 'buy' : 'sell',
      type: MARKET,
      qty: Math.abs(qty),
    };
    const positions = new Map<string, number>();
    const marks = new Map<string, number>();
    e.symbols.forEach((s, k) => {
      positions.set(s, pf.qty[k] ?? 0);
      marks.set(s, pf.mark[k] ?? 0);
    });
    const state: RiskState = {
      halt: halt === undefined ? undefined : haltState(halt),
      positions,
      marks,
      dailyPnl: Number.isNaN(dayStartEquity) ? 0 : pf.equity() - dayStartEquity,
      depegged,
      quoteCurrency,
    };
    const verdict = checkOrder({ symbol, side: order.side, qty: order.qty, price }, state, limits);
    queue.push({ order, price, ts, verdict });
    if (!verdict.allowed) return false;
    pf.execute(i, qty, price, ts, reason);
    return true;
  };

  const flush = async (): Promise<void> => {
    const items = queue;
    queue = [];
    for (const q of items) {
      const { order, verdict } = q;
      result.orders++;
      if (dryRun) {
        if (verdict.allowed) {
          result.would_send.push({
            client_order_id: order.clientOrderId,
            symbol: order.symbol,
            side: order.side,
            qty: order.qty,
            price: q.price,
          });
          log.info(
            { client_order_id: order.clientOrderId, symbol: order.symbol, side: order.side, qty: order.qty },
            'trade run (dry run): would send',
          );
        } else {
          result.rejected++;
          result.rejections.push({
            client_order_id: order.clientOrderId,
            symbol: order.symbol,
            rule: verdict.rule,
            message: verdict.message,
          });
        }
        continue;
      }
      // One transaction, three statements: the order, its creation event and risk decision (taking the
      // audit lock when new), the audit chain's head, then the risk and order entries chained after it.
      const created = await db.transaction(async (tx) => {
        const rule = verdict.allowed ? null : verdict.rule;
        const ins = await insertOrderWithDecision(
          tx,
          {
            clientOrderId: order.clientOrderId,
            broker: broker.name,
            strategy: strategy.name,
            runId,
            symbol: order.symbol,
            side: order.side,
            type: order.type,
            qty: order.qty,
            limitPrice: order.price,
            at: q.ts,
          },
          {
            clientOrderId: order.clientOrderId,
            strategy: strategy.name,
            broker: broker.name,
            symbol: order.symbol,
            allowed: verdict.allowed,
            rule,
            detail: verdict.detail,
            at: q.ts,
          },
          { takeAuditLock: true },
        );
        if (!ins.created) return false;
        const entries = await chainEntries(
          tx,
          [
            {
              kind: 'risk',
              actor,
              action: verdict.allowed ? 'allow' : 'refuse',
              subject: `order ${order.clientOrderId}`,
              detail: { rule, ...(verdict.allowed ? {} : { message: verdict.message }), ...verdict.detail },
            },
            {
              kind: 'order',
              actor,
              action: verdict.allowed ? 'submit' : 'reject',
              subject: `order ${order.clientOrderId}`,
              detail: {
                broker: broker.name,
                run_id: runId,
                symbol: order.symbol,
                side: order.side,
                type: order.type,
                qty: order.qty,
                price: q.price,
              },
            },
          ],
          { lockHeld: true },
        );
        await insertChained(tx, entries);
        if (!verdict.allowed)
          await transitionOrder(tx, order.clientOrderId, 'rejected', {
            reason: `risk:${verdict.rule}: ${verdict.message}`,
            at: q.ts,
          });
        return true;
      });
      if (!created) {
        result.duplicates++;
        continue;
      }
      // a daily-loss breach halts the strategy for new exposure (a reducing halt: exits still pass)
      const breach = verdict.allowed
        ? verdict.reduceOnly?.message
        : verdict.rule === 'max_daily_loss'
          ? verdict.message
          : undefined;
      if (breach !== undefined && halt === undefined) {
        halt = await setHalt(
          db,
          strategyScope(strategy.name),
          breach,
          DAILY_LOSS_HALT_ACTOR,
          q.ts,
          'daily_loss',
        );
        log.warn(
          { strategy: strategy.name, reason: halt.reason },
          'trade run: daily loss limit reached, strategy halted for new exposure (orders that reduce a position still pass)',
        );
      }
      if (!verdict.allowed) {
        result.rejected++;
        result.rejections.push({
          client_order_id: order.clientOrderId,
          symbol: order.symbol,
          rule: verdict.rule,
          message: verdict.message,
        });
        continue;
      }
      if (verdict.reduceOnly !== undefined)
        log.info(
          { client_order_id: order.clientOrderId, symbol: order.symbol, reason: verdict.detail.reduce_only },
          'trade run: reducing order allowed after the daily loss limit',
        );
      if (isQuoting(broker)) broker.quote(order.symbol, q.price, q.ts);
      const sent = await broker.submit(order);
      // the paper broker reports through onUpdate while submitting: store its answer only when it says more
      if (seen.get(order.clientOrderId) !== sent.status)
        chain = chain.then(() => applyUpdate({ order: sent }));
      await chain;
      seen.delete(order.clientOrderId);
      if (sent.status === 'filled') result.filled++;
    }
  };

  const afterStep = async (ts: number): Promise<void> => {
    const e = engine;
    if (e === undefined) return;
    const day = Math.floor(ts / DAY_MS);
    if (day !== dayStart) {
      dayStart = day;
      dayStartEquity = e.equity;
    }
    if (queue.length > 0) await flush();
    // the kill switch is re-read at most once a second of wall time (and set at once by this run's own breach)
    const wall = performance.now();
    if (wall - haltReadAt >= 1000) {
      haltReadAt = wall;
      halt = await activeHalt(db, strategy.name);
    }
  };

  try {
    if (req.replay !== undefined) {
      const interval = req.interval ?? '1d';
      const series = await loadSeries(db, req.symbols, interval, req.replay, req.adjust ?? 'split');
      const timeline = buildTimeline(series);
      engine = new EngineStepper(req.symbols, series, strategy, req.engine ?? {}, execute);
      const e = engine;
      let step = 0;
      const barIndex = (i: number): number => {
        const map = timeline.local[i];
        return map === null || map === undefined ? step : (map[step] ?? -1);
      };
      e.init();
      for (step = 0; step < timeline.ts.length; step++) {
        if (req.signal?.aborted) break;
        const ts = timeline.ts[step] ?? Number.NaN;
        if (step === 0) {
          dayStart = Math.floor(ts / DAY_MS);
          dayStartEquity = e.initialCash;
        }
        e.step(ts, barIndex);
        result.bars++;
        await afterStep(ts);
      }
      result.from = timeline.ts.length > 0 ? toIso(timeline.ts[0] ?? 0) : null;
      result.to = timeline.ts.length > 0 ? toIso(timeline.ts[timeline.ts.length - 1] ?? 0) : null;
    } else {
      await runLive(
        deps,
        req,
        strategy,
        execute,
        afterStep,
        (e) => {
          engine = e;
        },
        (on) => {
          trading = on;
        },
        result,
      );
    }
    await chain;
  } finally {
    clearInterval(reconcileTimer);
    offUpdates();
    await unsub?.();
  }
  const e = engine;
  if (e !== undefined) {
    result.final_equity = e.portfolio.equity();
    result.trades = e.portfolio.trades.map(tradeJson);
  }
  if (!dryRun) {
    const acc = await broker.account().catch(() => undefined);
    if (acc !== undefined) await upsertAccount(db, { broker: broker.name, ...acc });
  }
  result.halted = halt === undefined ? null : { scope: halt.scope, reason: halt.reason };
  result.duration_ms = Math.round(performance.now() - t0);
  return result;
}

function tradeJson(t: Trade): TradeRunResult['trades'][number] {
  return {
    symbol: t.symbol,
    entry_ts: toIso(t.entryTs),
    exit_ts: toIso(t.exitTs),
    qty: t.qty,
    entry_price: t.entryPrice,
    exit_price: t.exitPrice,
    pnl: t.pnl,
  };
}

/** A broker that takes quotes from the runner (the paper broker). */
function isQuoting(b: Broker): b is Broker & { quote(symbol: string, price: number, ts: number): void } {
  return typeof (b as { quote?: unknown }).quote === 'function';
}

type Executor = ConstructorParameters<typeof EngineStepper>[4];

/** Live: warm up on stored history (no orders), then step on each new stored bar until `forMs` or abort. */
async function runLive(
  deps: TradeRunDeps,
  req: TradeRunRequest,
  strategy: ReturnType<Awaited<ReturnType<typeof resolveStrategy>>['factory']>,
  execute: NonNullable<Executor>,
  afterStep: (ts: number) => Promise<void>,
  setEngine: (e: EngineStepper) => void,
  setTrading: (on: boolean) => void,
  result: TradeRunResult,
): Promise<void> {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const interval = req.interval ?? '1m';
  const n = req.symbols.length;
  const empty = () => ({
    open: new Float64Array(64),
    high: new Float64Array(64),
    low: new Float64Array(64),
    close: new Float64Array(64),
  });
  const engine = new EngineStepper(req.symbols, req.symbols.map(empty), strategy, req.engine ?? {}, execute);
  setEngine(engine);
  engine.init();
  let lastTs = Number.NEGATIVE_INFINITY;
  const present = new Int32Array(n).fill(-1);
  const barIndex = (i: number): number => present[i] ?? -1;

  const readNew = async (after: number, limit: number) => {
    const res = await db.query<{
      symbol: string;
      ts: Date | string;
      open: number;
      high: number;
      low: number;
      close: number;
    }>(
      `SELECT * FROM (
         SELECT i.symbol, b.ts, b.open, b.high, b.low, b.close FROM market_data.bars b
           JOIN market_data.instruments i ON i.id = b.instrument_id
          WHERE i.symbol = ANY($1) AND b.interval = $2 AND b.ts > $3
          ORDER BY b.ts DESC LIMIT $4) x ORDER BY ts`,
      [req.symbols, interval, new Date(Number.isFinite(after) ? after : 0), limit],
    );
    return res.rows.map((r) => ({ ...r, ts: new Date(r.ts).getTime() }));
  };
  const stepBars = async (rows: Awaited<ReturnType<typeof readNew>>): Promise<void> => {
    let k = 0;
    while (k < rows.length) {
      const ts = rows[k]?.ts ?? Number.NaN;
      present.fill(-1);
      while (k < rows.length && rows[k]?.ts === ts) {
        const r = rows[k];
        k++;
        if (r === undefined) continue;
        const i = req.symbols.indexOf(r.symbol);
        if (i >= 0) present[i] = engine.append(i, r.open, r.high, r.low, r.close);
      }
      if (result.from === null) result.from = toIso(ts);
      result.to = toIso(ts);
      engine.step(ts, barIndex);
      result.bars++;
      lastTs = ts;
      await afterStep(ts);
    }
  };

  // Warm-up: the strategy sees history but nothing trades.
  setTrading(false);
  await stepBars(await readNew(Number.NEGATIVE_INFINITY, (req.warmupBars ?? 500) * n));
  setTrading(true);
  const until = req.forMs === undefined ? Number.POSITIVE_INFINITY : now() + req.forMs;
  const pollMs = req.pollMs ?? 5000;
  while (!req.signal?.aborted && now() < until) {
    await stepBars(await readNew(lastTs, 10_000));
    const wait = Math.min(pollMs, Math.max(0, until - now()));
    if (wait <= 0) break;
    await new Promise<void>((resolve) => {
      const onAbort = () => {
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(() => {
        req.signal?.removeEventListener('abort', onAbort);
        resolve();
      }, wait);
      req.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
