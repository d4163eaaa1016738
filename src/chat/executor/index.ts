import type { Db } from '../../store/db.ts';
import { QueryTimeoutError } from '../errors.ts';
import { ConcurrencyLimiter } from './limiter.ts';
import { type PgliteExecutorOptions, pgliteExecutor } from './pglite.ts';
import { type PostgresExecutorOptions, postgresExecutor } from './postgres.ts';
import type { ChatExecutor, ChatLimits, ChatRun, RowsCheck } from './types.ts';

export type { ChatExecutor } from './types.ts';

export interface ChatExecutorOptions extends PostgresExecutorOptions, PgliteExecutorOptions {}

/**
 * The store's own session, for stores that offer neither a second pool nor a snapshot. The limits are
 * the database's `statement_timeout` only: a store that cannot enforce it (PGlite reached through
 * another process's socket) is not bounded here.
 */
function inlineExecutor(db: Db): ChatExecutor {
  const limiter = new ConcurrencyLimiter();
  return {
    kind: 'inline',
    async run(statements: readonly string[], limits: ChatLimits, check?: RowsCheck): Promise<ChatRun> {
      const release = limiter.acquire(limits.maxConcurrent);
      try {
        const results = await db.transaction(async (tx) => {
          await tx.exec('SET TRANSACTION READ ONLY');
          await tx.exec(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(limits.timeoutMs))}`);
          const out: Record<string, unknown>[][] = [];
          for (const [i, s] of statements.entries()) {
            const rows = (await tx.query(s)).rows;
            check?.(i, rows);
            out.push(rows);
          }
          return out;
        });
        return { results, as_of: null };
      } catch (err) {
        if ((err as { code?: unknown } | null)?.code === '57014') {
          throw new QueryTimeoutError(`query stopped after ${limits.timeoutMs} ms (chat.timeout_ms)`, {
            cause: err,
          });
        }
        throw err;
      } finally {
        release();
      }
    },
    close: async () => undefined,
  };
}

/**
 * The executor for `db`: its own pool on PostgreSQL, worker threads on copies of the embedded store, the
 * store's session otherwise. Nothing is opened until the first run.
 */
export function createChatExecutor(db: Db, opts: ChatExecutorOptions = {}): ChatExecutor {
  if (db.openSibling) return postgresExecutor(db, opts);
  if (db.snapshot) return pgliteExecutor(db, opts);
  return inlineExecutor(db);
}
