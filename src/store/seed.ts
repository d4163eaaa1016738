import { loadUniverse } from '../universe.ts';
import type { Queryable } from './db.ts';
import type { MigrationHook } from './migrate.ts';
import { upsertInstruments } from './repos/instruments.ts';

/**
 * Loads the shipped universe (universe/default.json) into a store that holds no instrument yet, and records
 * it in `ops.store_seeds`. Run once per store, by migration 092's hook: a store created now gets the
 * universe, a store that already has instruments (a user's own list) is left exactly as it is.
 */
async function seedDefaultUniverse(tx: Queryable): Promise<void> {
  const have = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM market_data.instruments');
  const existing = Number(have.rows[0]?.n ?? 0);
  let loaded = 0;
  let note: string;
  if (existing === 0) {
    const list = loadUniverse();
    await upsertInstruments(tx, list);
    loaded = list.length;
    note = 'default universe loaded into a new store';
  } else {
    note = `store already held ${existing} instruments: left as they were`;
  }
  await tx.query(
    `INSERT INTO ops.store_seeds (name, instruments, note) VALUES ('default_universe', $1, $2)
     ON CONFLICT (name) DO NOTHING`,
    [loaded, note],
  );
}

/** The migration hooks every store open applies (see `migrate`). */
export const STORE_HOOKS: Readonly<Record<number, MigrationHook>> = Object.freeze({
  92: seedDefaultUniverse,
});
