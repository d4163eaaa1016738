import { AppError, ValidationError } from '../core/errors.ts';
import type { Db } from '../store/db.ts';
import { type ChartSuggestion, suggestChart } from './chart.ts';
import { QueryRefusedError } from './errors.ts';
import { type ChatExecutor, createChatExecutor } from './executor/index.ts';
import { knownColumns } from './schema-context.ts';
import { type GuardOptions, guardSql, limitedSql } from './sql-guard.ts';

export interface ExecuteOptions extends GuardOptions {
  /** Rows returned at most; one more is fetched to tell that the result was cut. @defaultValue 1000 */
  maxRows?: number;
  /** Wall-clock limit of the run, ms; past it the statement is stopped (QueryTimeoutError). @defaultValue 10000 */
  timeoutMs?: number;
  /**
   * Planner cost budget: a query whose estimated total cost (EXPLAIN, after the row cap) is above it is
   * refused before it runs. Only a first, cheap refusal: estimates can be far off, so the time limit is
   * what bounds a run. @defaultValue 5e7
   */
  maxCost?: number;
  /** Chat runs in flight at most (per executor); more are refused with ChatBusyError. @defaultValue 2 */
  maxConcurrent?: number;
  /**
   * Where statements run (see executor/). @defaultValue one made for this call from `db` and closed after
   */
  executor?: ChatExecutor;
}

export interface ExecuteResult {
  sql: string;
  columns: string[];
  rows: Record<string, unknown>[];
  row_count: number;
  /** More rows existed than `maxRows`; only the first `maxRows` are returned. */
  truncated: boolean;
  /** Planner's estimated total cost of the capped query. */
  cost: number;
  chart: ChartSuggestion | null;
  duration_ms: number;
  /** When the data read was current: null for the live store, the copy's time on the embedded store. */
  as_of: string | null;
}

const DEFAULTS = { maxRows: 1000, timeoutMs: 10_000, maxCost: 5e7, maxConcurrent: 2 } as const;

function jsonSafe(v: unknown): unknown {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return `<${v.byteLength} bytes>`;
  if (Array.isArray(v)) return v.map(jsonSafe);
  return v;
}

function planCost(rows: Record<string, unknown>[]): number {
  const first = rows[0];
  const raw = first ? Object.values(first)[0] : undefined;
  const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan?: { 'Total Cost'?: number } }[];
  const cost = doc?.[0]?.Plan?.['Total Cost'];
  return typeof cost === 'number' ? cost : Number.POSITIVE_INFINITY;
}

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Guards `sql`, then runs it through a chat executor (read-only, under a wall-clock limit the engine or a
 * worker kill enforces, at most `maxConcurrent` at once) after checking its planned cost, returning at
 * most `maxRows` rows. Refusals throw QueryRefusedError, a stopped query QueryTimeoutError, a full
 * executor ChatBusyError, a query the database rejects ValidationError — each with a one-line reason.
 */
export async function executeGuarded(db: Db, sql: string, opts: ExecuteOptions = {}): Promise<ExecuteResult> {
  const maxRows = opts.maxRows ?? DEFAULTS.maxRows;
  const timeoutMs = Math.max(1, Math.floor(opts.timeoutMs ?? DEFAULTS.timeoutMs));
  const maxCost = opts.maxCost ?? DEFAULTS.maxCost;
  const guardOpts = { ...opts, columns: opts.columns ?? (await knownColumns(db)) };
  const guarded = await guardSql(sql, guardOpts);
  const limited = await limitedSql(guarded, maxRows, guardOpts);
  const executor = opts.executor ?? createChatExecutor(db, { poolSize: 1 });
  const t0 = performance.now();
  try {
    const limits = { timeoutMs, maxConcurrent: opts.maxConcurrent ?? DEFAULTS.maxConcurrent };
    let cost = Number.POSITIVE_INFINITY;
    // the budget is checked between the EXPLAIN and the statement, in the same slot and time limit
    const run = await executor.run([`EXPLAIN (FORMAT JSON) ${limited}`, limited], limits, (i, rows) => {
      if (i !== 0) return;
      cost = planCost(rows);
      if (cost > maxCost) {
        throw new QueryRefusedError(
          `query too expensive: estimated cost ${Math.round(cost).toExponential(2)} exceeds the budget ${maxCost.toExponential(2)} (add filters or aggregate)`,
        );
      }
    });
    const res = run.results[1] ?? [];
    const truncated = res.length > maxRows;
    const rows = res.slice(0, maxRows).map((r) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) out[k] = jsonSafe(v);
      return out;
    });
    const columns = Object.keys(res[0] ?? {});
    return {
      sql: guarded.sql,
      columns,
      rows,
      row_count: rows.length,
      truncated,
      cost,
      chart: suggestChart(columns, rows),
      duration_ms: Math.round(performance.now() - t0),
      as_of: run.as_of,
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    const state = sqlState(err);
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if (state === '53400' || state === '53200' || state === '54000')
      throw new QueryRefusedError(
        `query stopped: it needs more memory or temporary space than chat allows (${message})`,
        { cause: err },
      );
    if (state === '25006' || state === '42501')
      throw new QueryRefusedError(`refused by the database: ${message}`, { cause: err });
    throw new ValidationError(`query failed: ${message}`, { cause: err });
  } finally {
    if (!opts.executor) await executor.close();
  }
}
