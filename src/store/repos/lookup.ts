import { NotFoundError } from '../../core/errors.ts';
import { toIso } from '../../core/time.ts';
import type { Queryable } from '../db.ts';

/** The id of an instrument, or NotFoundError in the wording every command shows. */
export async function instrumentId(db: Queryable, symbol: string): Promise<number> {
  const res = await db.query<{ id: number }>('SELECT id FROM market_data.instruments WHERE symbol = $1', [
    symbol,
  ]);
  const row = res.rows[0];
  if (!row) throw new NotFoundError(`unknown instrument "${symbol}" (see marketpipe instruments list)`);
  return Number(row.id);
}

/** Years 0001 and 9999: outside them an epoch-ms bound is passed as ±infinity (ISO strings stop there). */
const MIN_MS = -62_135_596_800_000;
const MAX_MS = 253_402_300_799_999;

/** An epoch-ms bound as a `timestamptz` parameter. */
export function tsParam(ms: number): string {
  if (ms < MIN_MS) return '-infinity';
  if (ms > MAX_MS) return 'infinity';
  return toIso(ms);
}

/** A [from, to) range as two `timestamptz` parameters. */
export function rangeParams(range: { from: number; to: number }): [string, string] {
  return [tsParam(range.from), tsParam(range.to)];
}
