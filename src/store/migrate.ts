import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db, Queryable } from './db.ts';

/** Folder of the numbered migrations `NNN_name.sql`, applied in number order. */
/** @public Also read from dist/ by the compiled-bin test. */
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f));
  const list = files.map((file) => ({
    version: Number(file.slice(0, 3)),
    name: file.slice(4, -4),
    sql: readFileSync(join(dir, file), 'utf8'),
  }));
  list.sort((a, b) => a.version - b.version);
  for (let i = 1; i < list.length; i++) {
    const prev = list[i - 1];
    const cur = list[i];
    if (prev && cur && prev.version === cur.version) {
      throw new Error(`two migrations share version ${cur.version}: ${prev.name}, ${cur.name}`);
    }
  }
  return list;
}

/**
 * Work that belongs to one migration but needs code, not SQL (e.g. loading the shipped universe): run in the
 * same transaction right after the migration's SQL, so it happens exactly once per store, when that
 * migration is applied.
 */
export type MigrationHook = (tx: Queryable) => Promise<void>;

export interface MigrateOptions {
  /** Hooks by migration version. @defaultValue none (schema only, as the test harnesses want) */
  hooks?: Readonly<Record<number, MigrationHook>>;
}

export interface MigrateResult {
  applied: string[];
  current: number;
}

/**
 * Applies every migration not yet recorded in `ops.migrations`, each in its own transaction, in order.
 * Safe to call on every start: applied ones are skipped. `options.hooks` run with their migration.
 */
export async function migrate(
  db: Db,
  migrations = loadMigrations(),
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ops;
    CREATE TABLE IF NOT EXISTS ops.migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    );`);
  const done = await db.query<{ version: number }>('SELECT version FROM ops.migrations');
  const have = new Set(done.rows.map((r) => Number(r.version)));
  const applied: string[] = [];
  for (const m of migrations) {
    if (have.has(m.version)) continue;
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await options.hooks?.[m.version]?.(tx);
      await tx.query('INSERT INTO ops.migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    });
    applied.push(`${String(m.version).padStart(3, '0')}_${m.name}`);
  }
  const last = migrations.at(-1);
  return { applied, current: last ? last.version : 0 };
}
