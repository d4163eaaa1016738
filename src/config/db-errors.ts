import { AppError, UnavailableError } from '../core/errors.ts';

/**
 * SQLSTATE classes that mean the statement itself was wrong (bad data, a constraint, bad SQL, a raised
 * exception), so retrying cannot help. Everything else a database call throws — connection refused or
 * reset, "database does not exist", "not accepting connections", admin shutdown, too many clients, a
 * closed driver — means the database is not answering.
 * @see https://www.postgresql.org/docs/15/errcodes-appendix.html
 */
const STATEMENT_CLASSES = new Set(['22', '23', '25', '2B', '40', '42', '44', 'P0']);

function sqlState(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when `err` (thrown by a Db call) means the database is unreachable rather than the query bad. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof UnavailableError) return true;
  if (err instanceof AppError) return false;
  const state = sqlState(err);
  return state === undefined || !STATEMENT_CLASSES.has(state.slice(0, 2));
}

/** Runs a database call; an unreachable database becomes an UnavailableError (HTTP 503). */
export async function guardDb<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError || !isUnavailable(err)) throw err;
    throw new UnavailableError(`database unavailable: cannot ${what}`, { cause: err });
  }
}
