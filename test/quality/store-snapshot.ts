/**
 * Every row of every table of the store as text, to show what a release changed and that nothing else did.
 */
import type { Queryable } from '../../src/store/db.ts';

export type StoreSnapshot = Map<string, string[]>;

/** Rows of every base table outside the system schemas (and TimescaleDB's `_timescaledb*` internals). */
export async function snapshotStore(db: Queryable): Promise<StoreSnapshot> {
  const tables = await db.query<{ name: string }>(
    `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name
       FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
        AND table_schema NOT LIKE 'pg\\_%' AND table_schema NOT LIKE '\\_%'
      ORDER BY 1`,
  );
  const out: StoreSnapshot = new Map();
  for (const { name } of tables.rows) {
    const rows = await db.query<{ r: string }>(`SELECT t::text AS r FROM ${name} t ORDER BY 1`);
    out.set(
      name,
      rows.rows.map((x) => x.r),
    );
  }
  return out;
}

export interface TableChange {
  added: string[];
  removed: string[];
}

/** Rows of `a` not matched one for one in `b` (a multiset difference). */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const r of b) left.set(r, (left.get(r) ?? 0) + 1);
  const out: string[] = [];
  for (const r of a) {
    const n = left.get(r) ?? 0;
    if (n > 0) left.set(r, n - 1);
    else out.push(r);
  }
  return out;
}

/** Tables whose rows differ between two snapshots, with the rows only in `after` and only in `before`. */
export function storeChanges(before: StoreSnapshot, after: StoreSnapshot): Record<string, TableChange> {
  const out: Record<string, TableChange> = {};
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(name) ?? [];
    const a = after.get(name) ?? [];
    const added = minus(a, b);
    const removed = minus(b, a);
    if (added.length > 0 || removed.length > 0) out[name] = { added, removed };
  }
  return out;
}
