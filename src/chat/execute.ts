import { AppError, TimeoutError, ValidationError } from '../core/errors.ts';
import type { Db, Queryable } from '../store/db.ts';
import { type ChartSuggestion, suggestChart } from './chart.ts';
import { QueryRefusedError } from './errors.ts';
import { type GuardOptions, guardSql, limitedSql } from './sql-guard.ts';

/** The role migration 080 creates; guarded queries switch to it when the session may. */
export const READ_ONLY_ROLE = 'marketpipe_chat_ro';

export interface ExecuteOptions extends GuardOptions {
  /** Rows returned at most; one more is fetched to tell that the result was cut. @defaultValue 1000 */
  maxRows?: number;
  /** Statement timeout in milliseconds (server PostgreSQL; PGlite relies on the cost budget). @defaultValue 30000 */
  timeoutMs?: number;
  /**
   * Planner cost budget: a query whose estimated total cost (EXPLAIN, after the row cap) is above it is
   * refused before it runs. This is what stops an endless query on PGlite, which cannot cancel a running
   * statement. @defaultValue 5e7
   */
  maxCost?: number;
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
}

const DEFAULTS = { maxRows: 1000, timeoutMs: 30_000, maxCost: 5e7 } as const;

function jsonSafe(v: unknown): unknown {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return `<${v.byteLength} bytes>`;
  if (Array.isArray(v)) return v.map(jsonSafe);
  return v;
}

async function mayUseReadOnlyRole(tx: Queryable): Promise<boolean> {
  const res = await tx.query<{ ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1 AND pg_has_role(current_user, oid, 'MEMBER')) AS ok`,
    [READ_ONLY_ROLE],
  );
  return res.rows[0]?.ok === true;
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
 * Guards `sql`, then runs it in a READ ONLY transaction as the read-only role with a statement timeout,
 * after checking its planned cost, returning at most `maxRows` rows. Refusals throw QueryRefusedError, a
 * cancelled query TimeoutError, a query the database rejects ValidationError — each with a one-line reason.
 */
export async function executeGuarded(db: Db, sql: string, opts: ExecuteOptions = {}): Promise<ExecuteResult> {
  const maxRows = opts.maxRows ?? DEFAULTS.maxRows;
  const timeoutMs = Math.max(1, Math.floor(opts.timeoutMs ?? DEFAULTS.timeoutMs));
  const maxCost = opts.maxCost ?? DEFAULTS.maxCost;
  const guarded = await guardSql(sql, opts);
  const limited = await limitedSql(guarded, maxRows, opts);
  const t0 = performance.now();
  try {
    return await db.transaction(async (tx) => {
      await tx.exec('SET TRANSACTION READ ONLY');
      await tx.exec(`SET LOCAL statement_timeout = ${timeoutMs}`);
      if (await mayUseReadOnlyRole(tx)) await tx.exec(`SET LOCAL ROLE ${READ_ONLY_ROLE}`);
      const plan = await tx.query(`EXPLAIN (FORMAT JSON) ${limited}`);
      const cost = planCost(plan.rows);
      if (cost > maxCost) {
        throw new QueryRefusedError(
          `query too expensive: estimated cost ${Math.round(cost).toExponential(2)} exceeds the budget ${maxCost.toExponential(2)} (add filters or aggregate)`,
        );
      }
      const res = await tx.query(limited);
      const truncated = res.rows.length > maxRows;
      const rows = res.rows.slice(0, maxRows).map((r) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r)) out[k] = jsonSafe(v);
        return out;
      });
      const columns = Object.keys(res.rows[0] ?? {});
      return {
        sql: guarded.sql,
        columns,
        rows,
        row_count: rows.length,
        truncated,
        cost,
        chart: suggestChart(columns, rows),
        duration_ms: Math.round(performance.now() - t0),
      };
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    const state = sqlState(err);
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if (state === '57014')
      throw new TimeoutError(`query cancelled after ${timeoutMs} ms (statement timeout)`, { cause: err });
    if (state === '25006' || state === '42501')
      throw new QueryRefusedError(`refused by the database: ${message}`, { cause: err });
    throw new ValidationError(`query failed: ${message}`, { cause: err });
  }
}
