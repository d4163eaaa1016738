/**
 * Strategy definitions, backtest runs (`strategies.performance`) and their fills (`strategies.signals`).
 * Runs are written in one transaction: the run row, then its fills by COPY.
 */
import type { Queryable } from '../db.ts';

export interface StrategyDefinition {
  name: string;
  kind: 'builtin' | 'module';
  params: Record<string, unknown>;
  description?: string;
}

export interface SignalRow {
  ts: number;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  fee: number;
  reason: string;
}

/** Equity curve as stored: parallel arrays (epoch ms, strategy equity, benchmark equity). */
interface StoredEquity {
  ts: number[];
  equity: number[];
  benchmark?: number[];
}

export interface NewRun {
  strategy: string;
  symbols: string[];
  interval: string;
  from: number;
  to: number;
  params: Record<string, unknown>;
  config: Record<string, unknown>;
  mode: 'historical' | 'simulated';
  simulation?: Record<string, unknown> | null;
  scenario?: Record<string, unknown> | null;
  metrics: Record<string, unknown>;
  benchmark?: Record<string, unknown> | null;
  equity?: StoredEquity | null;
  trades: unknown[];
}

export interface RunRow extends NewRun {
  id: number;
  createdAt: number;
  signals?: SignalRow[];
}

/** JSON for a jsonb parameter; non-finite numbers (e.g. an infinite profit factor) become null. */
function json(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

function parsed<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export async function upsertDefinition(db: Queryable, d: StrategyDefinition): Promise<number> {
  const res = await db.query<{ id: number }>(
    `INSERT INTO strategies.definitions (name, kind, params, description)
     VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, params = EXCLUDED.params,
       description = CASE WHEN EXCLUDED.description = '' THEN strategies.definitions.description
                          ELSE EXCLUDED.description END,
       updated_at = now()
     RETURNING id`,
    [d.name, d.kind, json(d.params) ?? '{}', d.description ?? ''],
  );
  return Number(res.rows[0]?.id);
}

export async function listDefinitions(db: Queryable): Promise<Array<StrategyDefinition & { id: number }>> {
  const res = await db.query<{
    id: number;
    name: string;
    kind: 'builtin' | 'module';
    params: unknown;
    description: string;
  }>('SELECT id, name, kind, params, description FROM strategies.definitions ORDER BY name');
  return res.rows.map((r) => ({
    id: Number(r.id),
    name: r.name,
    kind: r.kind,
    params: parsed(r.params),
    description: r.description,
  }));
}

/** Stores a run and its fills in one transaction; returns the run id. */
export async function insertRun(
  db: Queryable & { transaction?: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T> },
  run: NewRun,
  signals: readonly SignalRow[],
): Promise<number> {
  const write = async (tx: Queryable): Promise<number> => {
    const res = await tx.query<{ id: string | number }>(
      `INSERT INTO strategies.performance
         (strategy, symbols, interval, from_ts, to_ts, params, config, mode, simulation, scenario, metrics,
          benchmark, equity, trades)
       VALUES ($1, $2::text[], $3, $4::timestamptz, $5::timestamptz, $6::jsonb, $7::jsonb, $8, $9::jsonb,
               $10::jsonb, $11::jsonb, $12::jsonb, $13::jsonb, $14::jsonb)
       RETURNING id`,
      [
        run.strategy,
        run.symbols,
        run.interval,
        new Date(run.from).toISOString(),
        new Date(run.to).toISOString(),
        json(run.params) ?? '{}',
        json(run.config) ?? '{}',
        run.mode,
        json(run.simulation),
        json(run.scenario),
        json(run.metrics) ?? '{}',
        json(run.benchmark),
        json(run.equity),
        json(run.trades) ?? '[]',
      ],
    );
    const id = Number(res.rows[0]?.id);
    if (signals.length > 0) {
      await tx.copyRows(
        'strategies.signals',
        ['run_id', 'seq', 'ts', 'symbol', 'side', 'qty', 'price', 'fee', 'reason'],
        signals.map((s, i) => [id, i, new Date(s.ts), s.symbol, s.side, s.qty, s.price, s.fee, s.reason]),
      );
    }
    return id;
  };
  return db.transaction ? db.transaction(write) : write(db);
}

interface RunDbRow {
  id: string | number;
  strategy: string;
  symbols: string[];
  interval: string;
  from_ms: number;
  to_ms: number;
  params: unknown;
  config: unknown;
  mode: 'historical' | 'simulated';
  simulation: unknown;
  scenario: unknown;
  metrics: unknown;
  benchmark: unknown;
  equity: unknown;
  trades: unknown;
  created_ms: number;
}

const RUN_COLUMNS = `id, strategy, symbols, interval, (extract(epoch FROM from_ts) * 1000)::float8 AS from_ms,
  (extract(epoch FROM to_ts) * 1000)::float8 AS to_ms, params, config, mode, simulation, scenario, metrics,
  benchmark, equity, trades, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms`;

function toRun(r: RunDbRow): RunRow {
  return {
    id: Number(r.id),
    strategy: r.strategy,
    symbols: r.symbols,
    interval: r.interval,
    from: Number(r.from_ms),
    to: Number(r.to_ms),
    params: parsed(r.params),
    config: parsed(r.config),
    mode: r.mode,
    simulation: parsed(r.simulation),
    scenario: parsed(r.scenario),
    metrics: parsed(r.metrics),
    benchmark: parsed(r.benchmark),
    equity: parsed(r.equity),
    trades: parsed(r.trades),
    createdAt: Number(r.created_ms),
  };
}

async function listSignals(db: Queryable, runId: number): Promise<SignalRow[]> {
  const res = await db.query<{
    ts_ms: number;
    symbol: string;
    side: 'buy' | 'sell';
    qty: number;
    price: number;
    fee: number;
    reason: string;
  }>(
    `SELECT (extract(epoch FROM ts) * 1000)::float8 AS ts_ms, symbol, side, qty, price, fee, reason
       FROM strategies.signals WHERE run_id = $1 ORDER BY seq`,
    [runId],
  );
  return res.rows.map((r) => ({
    ts: Number(r.ts_ms),
    symbol: r.symbol,
    side: r.side,
    qty: Number(r.qty),
    price: Number(r.price),
    fee: Number(r.fee),
    reason: r.reason,
  }));
}

/** One run, or null; with its fills when `withSignals`. */
export async function getRun(
  db: Queryable,
  id: number,
  options: { withSignals?: boolean } = {},
): Promise<RunRow | null> {
  const res = await db.query<RunDbRow>(`SELECT ${RUN_COLUMNS} FROM strategies.performance WHERE id = $1`, [
    id,
  ]);
  const row = res.rows[0];
  if (row === undefined) return null;
  const run = toRun(row);
  if (options.withSignals) run.signals = await listSignals(db, id);
  return run;
}

/** Latest runs first, without equity curves, trades or fills. */
export async function listRuns(
  db: Queryable,
  options: { strategy?: string; limit?: number; symbol?: string } = {},
): Promise<Array<Omit<RunRow, 'equity' | 'trades'>>> {
  const res = await db.query<RunDbRow>(
    `SELECT ${RUN_COLUMNS.replace('benchmark, equity, trades,', 'benchmark, NULL AS equity, NULL AS trades,')}
       FROM strategies.performance
      WHERE ($1::text IS NULL OR strategy = $1) AND ($3::text IS NULL OR $3 = ANY (symbols))
      ORDER BY created_at DESC, id DESC
      LIMIT $2`,
    [options.strategy ?? null, options.limit ?? 50, options.symbol ?? null],
  );
  return res.rows.map((r) => {
    const { equity: _e, trades: _t, ...rest } = toRun(r);
    return rest;
  });
}
