import { setTimeout as sleep } from 'node:timers/promises';
import { UnavailableError } from '../../core/errors.ts';
import type { Db, Queryable } from '../../store/db.ts';
import { QueryTimeoutError } from '../errors.ts';
import { ConcurrencyLimiter } from './limiter.ts';
import type { ChatExecutor, ChatLimits, ChatRun, RowsCheck } from './types.ts';

/** The role migration 080 creates; chat statements switch to it when the session may. */
const READ_ONLY_ROLE = 'marketpipe_chat_ro';

export interface PostgresExecutorOptions {
  /** Connections of the chat pool (chat runs in flight at most). @defaultValue 2 */
  poolSize?: number;
  /**
   * Memory of each sort or hash before it spills to temporary files, kB. It does not cap an aggregate's
   * own state (a `string_agg` of one group grows in memory): the time limit and the row cap do.
   * @defaultValue 8192
   */
  workMemKb?: number;
  /** Temporary file space of one statement, kB (superuser-only setting; skipped otherwise). @defaultValue 262144 */
  tempFileLimitKb?: number;
}

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

interface SessionRights {
  role: boolean;
  tempFileLimit: boolean;
}

/**
 * Chat on PostgreSQL: a pool of its own (`openSibling`, sessions with `default_transaction_read_only`),
 * so chat statements never take the app's connections, each statement in a READ ONLY transaction as the
 * read-only role `marketpipe_chat_ro` (migration 080 creates it and grants it to the migrating user when
 * that user may; a session that is not a member runs without it, on the read-only transaction alone) with `statement_timeout`, `work_mem`, `temp_file_limit` and
 * `idle_in_transaction_session_timeout` set locally. The server enforces every limit.
 */
export function postgresExecutor(db: Db, opts: PostgresExecutorOptions = {}): ChatExecutor {
  const open = db.openSibling?.bind(db);
  if (!open) throw new Error('postgresExecutor needs a PostgreSQL store');
  const poolSize = Math.max(1, opts.poolSize ?? 2);
  const workMemKb = Math.max(64, Math.floor(opts.workMemKb ?? 8192));
  const tempKb = Math.max(0, Math.floor(opts.tempFileLimitKb ?? 262_144));
  const limiter = new ConcurrencyLimiter();
  let pool: Promise<Db> | null = null;
  let rights: Promise<SessionRights> | null = null;
  let closed = false;
  /** Server pids of the chat connections inside a run, cancelled on close so shutdown does not wait. */
  const running = new Set<number>();

  const poolOf = (): Promise<Db> => {
    pool ??= open({ max: poolSize, connectTimeoutMs: 5_000, readOnly: true });
    return pool;
  };
  const rightsOf = (p: Db): Promise<SessionRights> => {
    rights ??= p
      .query<SessionRights>(
        `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1 AND pg_has_role(current_user, oid, 'MEMBER')) AS role,
                has_parameter_privilege('temp_file_limit', 'SET') AS "tempFileLimit"`,
        [READ_ONLY_ROLE],
      )
      .then((r) => r.rows[0] ?? { role: false, tempFileLimit: false });
    return rights;
  };

  const stopIfClosed = (): void => {
    if (closed) throw new UnavailableError('chat query stopped: the server is shutting down');
  };

  /**
   * Cancels the statements of the runs in flight until none is left. A cancel that reaches a session
   * between two statements, or before the server has read the next one, stops nothing (PostgreSQL ignores
   * it while idle), so it is repeated; sessions still busy after `graceMs` are terminated.
   */
  async function stopRunning(graceMs: number): Promise<void> {
    const deadline = performance.now() + graceMs;
    while (running.size > 0) {
      const fn = performance.now() < deadline ? 'pg_cancel_backend' : 'pg_terminate_backend';
      await db
        .query(`SELECT ${fn}(pid) FROM unnest($1::int[]) AS pid`, [[...running]])
        .catch(() => undefined);
      if (fn === 'pg_terminate_backend') return;
      await sleep(50);
    }
  }

  async function prepare(tx: Queryable, limits: ChatLimits, r: SessionRights): Promise<void> {
    const ms = Math.max(1, Math.floor(limits.timeoutMs));
    const settings = [
      'SET TRANSACTION READ ONLY',
      `SET LOCAL statement_timeout = ${ms}`,
      `SET LOCAL idle_in_transaction_session_timeout = ${ms + 1000}`,
      `SET LOCAL work_mem = '${workMemKb}kB'`,
      // a hash may use work_mem × this; keep it at 1 so work_mem is the bound
      'SET LOCAL hash_mem_multiplier = 1',
    ];
    if (r.tempFileLimit) settings.push(`SET LOCAL temp_file_limit = '${tempKb}kB'`);
    // the role last: it may not SET the superuser-only parameters itself
    if (r.role) settings.push(`SET LOCAL ROLE ${READ_ONLY_ROLE}`);
    for (const s of settings) await tx.exec(s);
  }

  return {
    kind: 'postgres',
    async run(statements: readonly string[], limits: ChatLimits, check?: RowsCheck): Promise<ChatRun> {
      if (closed) throw new Error('chat executor is closed');
      const release = limiter.acquire(Math.min(limits.maxConcurrent, poolSize));
      try {
        const p = await poolOf();
        const r = await rightsOf(p);
        let pid: number | undefined;
        const results = await p
          .transaction(async (tx) => {
            pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
            if (pid !== undefined) running.add(pid);
            stopIfClosed();
            await prepare(tx, limits, r);
            const out: Record<string, unknown>[][] = [];
            for (const [i, s] of statements.entries()) {
              // close() may come between two statements, when a cancel finds nothing to stop
              stopIfClosed();
              const rows = (await tx.query(s)).rows;
              check?.(i, rows);
              out.push(rows);
            }
            return out;
          })
          .finally(() => {
            if (pid !== undefined) running.delete(pid);
          });
        return { results, as_of: null };
      } catch (err) {
        if (closed)
          throw new UnavailableError('chat query stopped: the server is shutting down', { cause: err });
        if (sqlState(err) === '57014') {
          throw new QueryTimeoutError(
            `query stopped after ${limits.timeoutMs} ms (chat.timeout_ms); narrow it with filters or aggregates`,
            { cause: err },
          );
        }
        throw err;
      } finally {
        release();
      }
    },
    async close(): Promise<void> {
      closed = true;
      await stopRunning(2_000);
      const p = pool;
      pool = null;
      if (p) await (await p.catch(() => null))?.close();
    },
  };
}
