import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, UnavailableError } from '../../src/core/errors.ts';
import { openStore } from '../../src/store/open.ts';
import { describeTarget, openPostgres } from '../../src/store/postgres.ts';
import { createTempDatabase } from './backends.ts';

describe('openStore modes', () => {
  let tmp: { url: string; drop(): Promise<void> };
  let home: string;
  beforeAll(async () => {
    tmp = await createTempDatabase('store');
    home = mkdtempSync(join(tmpdir(), 'mp-open-'));
  });
  afterAll(async () => {
    await tmp.drop();
    rmSync(home, { recursive: true, force: true });
  });

  it('uses DATABASE_URL when given, migrating on open and not again on the next open', async () => {
    const first = await openStore({ home, databaseUrl: tmp.url });
    expect(first.mode).toBe('postgres');
    expect(first.migrations.applied.length).toBeGreaterThan(0);
    expect(first.timescale.enabled).toBe(false);
    await first.close();
    await first.close(); // idempotent
    const second = await openStore({ home, databaseUrl: tmp.url });
    expect(second.migrations.applied).toEqual([]);
    await second.close();
  });

  it('lets several processes open a fresh PostgreSQL database at once; each migration applies once', async () => {
    const fresh = await createTempDatabase('store');
    try {
      const stores = await Promise.all([1, 2, 3].map(() => openStore({ home, databaseUrl: fresh.url })));
      const applied = stores.map((s) => s.migrations.applied.length).sort((a, b) => a - b);
      expect(applied.slice(0, 2)).toEqual([0, 0]);
      expect(applied[2]).toBeGreaterThan(0);
      const r = await stores[0]?.db.query<{ n: number; d: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT version)::int AS d FROM ops.migrations',
      );
      expect(r?.rows[0]?.n).toBe(applied[2]);
      expect(r?.rows[0]?.d).toBe(applied[2]);
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await fresh.drop();
    }
  });

  it('opens a migrated in-memory store', async () => {
    const mem = await openStore({ home, memory: true });
    expect(mem.mode).toBe('memory');
    const r = await mem.db.query<{ n: number }>('SELECT count(*)::int AS n FROM market_data.instruments');
    expect(r.rows).toEqual([{ n: 0 }]);
    await mem.close();
  });
});

describe('database errors are one clear line without secrets', () => {
  it('an unreachable DATABASE_URL is an UnavailableError naming host:port, never the password', async () => {
    const err = await openStore({ home: tmpdir(), databaseUrl: 'postgres://bob:s3cret@127.0.0.1:1/x' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toBe('database at 127.0.0.1:1 is not reachable');
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('a missing database is an UnavailableError naming it', async () => {
    const err = await openPostgres('postgres://postgres@127.0.0.1:5432/mp_store_does_not_exist').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toBe(
      'database "mp_store_does_not_exist" does not exist at 127.0.0.1:5432',
    );
  });

  it('a malformed URL is a ConfigError', async () => {
    await expect(openPostgres('mysql://x')).rejects.toBeInstanceOf(ConfigError);
    expect(describeTarget('postgres://u:p@db.example:6543/app')).toBe('db.example:6543');
    expect(describeTarget('postgresql:///app?host=/var/run/postgresql')).toBe('/var/run/postgresql:5432');
  });
});

describe('postgres listener', () => {
  let tmp: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    tmp = await createTempDatabase('store');
  });
  afterAll(async () => tmp.drop());

  it('re-subscribes after its connection is killed', async () => {
    const db = await openPostgres(tmp.url);
    try {
      const got: string[] = [];
      await db.listen('mp_reconnect', (p) => got.push(p));
      const admin = new pg.Client({ connectionString: tmp.url });
      await admin.connect();
      try {
        const killed = await admin.query(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
            WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
        );
        expect(killed.rowCount).toBe(1);
        // Keep notifying until the listener is back (first retry after 250 ms).
        const deadline = Date.now() + 10_000;
        while (got.length === 0 && Date.now() < deadline) {
          await db.notify('mp_reconnect', 'again');
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await admin.end();
      }
      expect(got[0]).toBe('again');
    } finally {
      await db.close();
    }
  });
});
