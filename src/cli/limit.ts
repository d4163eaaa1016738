/**
 * Long tables: `--limit N` and `--all` for commands whose output grows with the store (every pair of
 * instruments, every depeg event…). A terminal table shows `DEFAULT_ROW_LIMIT` rows and a line saying how
 * many were left out; `--json` prints everything unless `--limit` is given, so scripts never lose rows silently.
 */
import { UsageError } from '../core/errors.ts';

/** Rows a terminal table shows when neither `--limit` nor `--all` is given. */
export const DEFAULT_ROW_LIMIT = 50;

export interface LimitFlags {
  limit?: string;
  all?: boolean;
}

/** Help of `--limit <n>`; `what` names the rows ("pairs", "events"). Pair it with `.option('--all', …)`. */
export function limitHelp(what = 'rows'): string {
  return `print at most N ${what} (default: ${DEFAULT_ROW_LIMIT} in a table, all with --json)`;
}

/** What the flags ask for, checked before anything runs: a number, `all`, or the default (undefined). */
export function parseRowLimit(flags: LimitFlags): number | 'all' | undefined {
  if (flags.limit !== undefined && flags.all) throw new UsageError('--limit and --all: give one of them');
  if (flags.all) return 'all';
  if (flags.limit === undefined) return undefined;
  const n = Number(flags.limit);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--limit: expected a positive whole number, got "${flags.limit}"`);
  return n;
}

/** The rows to print and how many were left out. */
export function limitRows<T>(
  rows: readonly T[],
  asked: number | 'all' | undefined,
  json: boolean,
): { rows: T[]; omitted: number } {
  const cap = asked === 'all' || (asked === undefined && json) ? rows.length : (asked ?? DEFAULT_ROW_LIMIT);
  return { rows: rows.slice(0, cap), omitted: Math.max(0, rows.length - cap) };
}

/** The line under a cut table. */
export function omittedLine(omitted: number, what = 'rows'): string {
  return `… ${omitted.toLocaleString('en-US')} more ${what} not shown (--limit N or --all)`;
}
