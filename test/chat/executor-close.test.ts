import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresExecutor } from '../../src/chat/executor/postgres.ts';
import { UnavailableError } from '../../src/core/errors.ts';
import type { Db, Queryable } from '../../src/store/db.ts';
import { openStore } from '../../src/store/open.ts';
import { createTempDatabase } from '../store/backends.ts';

/**
 * CI saw `serve` on PostgreSQL outlive SIGTERM by more than 20 s: the executor's close cancelled the chat
 * sessions once, and a cancel that reaches a session between two statements stops nothing (PostgreSQL
 * ignores it while idle), so the next statement ran to its 60 s limit. Close must stop a run in every
 * phase, on the machine's real server.
 */
describe('chat executor on PostgreSQL: close() stops the runs in flight', () => {
  let dbUrl: { url: string; drop(): Promise<void> };
  let store: Awaited<ReturnType<typeof openStore>>;
  let home: string;
  const limits = { timeoutMs: 60_000, maxConcurrent: 2 };

  beforeAll(async () => {
    dbUrl = await createTempDatabase('chatclose');
    home = mkdtempSync(join(tmpdir(), 'mp-chat-close-'));
    store = await openStore({ home, databaseUrl: dbUrl.url });
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await dbUrl?.drop();
    rmSync(home, { recursive: true, force: true });
  });

  async function sessions(): Promise<number> {
    const r = await store.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%pg_sleep%'`,
    );
    return r.rows[0]?.n ?? -1;
  }

  it('a statement running when close() comes', async () => {
    const ex = postgresExecutor(store.db);
    const run = ex.run(['SELECT pg_sleep(30)'], limits).then(
      () => 'answered',
      (e: unknown) => e,
    );
    for (let i = 0; i < 100 && (await sessions()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    await ex.close();
    const err = await run;
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(await sessions()).toBe(0);
  }, 30_000);

  /**
   * The store with a gate in the chat pool's transactions: every statement the executor sends waits while
   * `hold(sql)` is true, on a real PostgreSQL session opened for it (checked out, transaction begun). The
   * gate only orders the phases; every statement runs on the server.
   */
  function gated(db: Db, hold: (sql: string) => boolean) {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let waiting!: () => void;
    const reached = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    const wait = async (sql: string) => {
      if (!hold(sql)) return;
      waiting();
      await gate;
    };
    const openSibling = db.openSibling?.bind(db);
    const wrapped: Db = {
      ...db,
      query: db.query.bind(db),
      openSibling: async (o) => {
        const sib = await (openSibling as NonNullable<Db['openSibling']>)(o);
        return {
          ...sib,
          query: sib.query.bind(sib),
          close: sib.close.bind(sib),
          transaction: (fn) =>
            sib.transaction((tx) => {
              const g: Queryable = {
                ...tx,
                query: async (sql, params) => {
                  await wait(sql);
                  return tx.query(sql, params);
                },
                exec: async (sql) => {
                  await wait(sql);
                  return tx.exec(sql);
                },
              };
              return fn(g);
            }),
        } as Db;
      },
    };
    return { db: wrapped, reached, open: () => open() };
  }

  it('close() before the run has named its session (nothing to cancel yet)', async () => {
    const g = gated(store.db, (sql) => sql.includes('pg_backend_pid'));
    const ex = postgresExecutor(g.db);
    const run = ex.run(['SELECT pg_sleep(30)'], limits).then(
      () => 'answered',
      (e: unknown) => e,
    );
    await g.reached;
    const closing = ex.close();
    g.open();
    const t0 = performance.now();
    const err = await run;
    await closing;
    expect(err).toBeInstanceOf(UnavailableError);
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(await sessions()).toBe(0);
  }, 30_000);

  it('close() between two statements, when a cancel finds the session idle', async () => {
    const g = gated(store.db, (sql) => sql.includes('pg_sleep'));
    const ex = postgresExecutor(g.db);
    const run = ex.run(['SELECT 1 AS one', 'SELECT pg_sleep(30)'], limits).then(
      () => 'answered',
      (e: unknown) => e,
    );
    await g.reached;
    // the first statement has answered and the second is not sent: the session is idle in its transaction
    const closing = ex.close();
    await new Promise((r) => setTimeout(r, 200));
    g.open();
    const t0 = performance.now();
    const err = await run;
    await closing;
    expect(err).toBeInstanceOf(UnavailableError);
    expect(String((err as Error).message)).toMatch(/shutting down/);
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(await sessions()).toBe(0);
  }, 30_000);

  it('a run after close() is refused at once', async () => {
    const ex = postgresExecutor(store.db);
    await ex.close();
    await expect(ex.run(['SELECT 1'], limits)).rejects.toThrow(/closed/);
  });
});
