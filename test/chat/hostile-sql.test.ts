import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryRefusedError, QueryTimeoutError } from '../../src/chat/errors.ts';
import { executeGuarded } from '../../src/chat/execute.ts';
import { type ChatExecutor, createChatExecutor } from '../../src/chat/executor/index.ts';
import { guardSql } from '../../src/chat/sql-guard.ts';
import type { Db } from '../../src/store/db.ts';
import { testBackends } from '../store/backends.ts';
import { HOSTILE_ACCEPTED, HOSTILE_REFUSED, TEST_COLUMNS } from './hostile-corpus.ts';
import { seedBars, storeFingerprint } from './seed.ts';

describe('SQL guard: every hostile query is refused with a one-line reason', () => {
  for (const h of HOSTILE_REFUSED) {
    it(h.name, async () => {
      const err = await guardSql(h.sql, { columns: TEST_COLUMNS }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, `expected "${h.sql}" to be refused`).toBeInstanceOf(QueryRefusedError);
      expect((err as Error).message).not.toContain('\n');
    });
  }
});

describe('SQL guard: ordinary reads pass', () => {
  it.each([
    "SELECT b.ts, b.close FROM market_data.bars b WHERE b.interval = '1d' ORDER BY b.ts DESC LIMIT 5",
    'WITH x AS (SELECT instrument_id, max(ts) AS ts FROM market_data.bars GROUP BY 1) SELECT * FROM x',
    "SELECT date_trunc('week', ts) AS week, avg(close)::numeric(12, 2) FROM market_data.bars GROUP BY 1",
    'SELECT * FROM ops.data_gaps',
    'SELECT 1;',
    "SELECT 'é' AS s -- trailing comment",
    'SELECT x.c, y.n FROM (SELECT 1 AS c) x, market_data.instruments i CROSS JOIN LATERAL (SELECT i.id) AS y(n)',
    'SELECT i.symbol, i.upper FROM market_data.instruments i',
  ])('%s', async (sql) => {
    await expect(guardSql(sql, { columns: TEST_COLUMNS })).resolves.toMatchObject({ private: false });
  });

  it('reads t.f as the call f(t) when no column is named f', async () => {
    const g = await guardSql('SELECT i.upper FROM market_data.instruments i', { columns: TEST_COLUMNS });
    expect(g.functions).toEqual(['upper']);
    await expect(
      guardSql('SELECT i.pg_typeof FROM market_data.instruments i', { columns: TEST_COLUMNS }),
    ).rejects.toThrow(/function pg_typeof is not allowed \(x.pg_typeof is column notation/);
  });

  it('private relations only with allowPrivate', async () => {
    await expect(guardSql('SELECT name FROM strategies.definitions')).rejects.toThrow(/private/);
    await expect(
      guardSql('SELECT name FROM strategies.definitions', { allowPrivate: true }),
    ).resolves.toMatchObject({ private: true, relations: ['strategies.definitions'] });
  });

  it('keeps the statement text without trailing semicolons and comments after them', async () => {
    const g = await guardSql('SELECT 1 AS one; -- done');
    expect(g.sql).toBe('SELECT 1 AS one');
  });
});

const backends = await testBackends('chat');

for (const backend of backends) {
  describe(`guarded execution on ${backend.name}: nothing changes in the store`, () => {
    let db: Db;
    let before: string;
    let executor: ChatExecutor;

    beforeAll(async () => {
      db = await backend.open();
      // 120 days × 6 instruments (weekdays only for equities): enough for a > 1000-row cross join
      await seedBars(db, Date.parse('2026-06-01T00:00:00Z'));
      before = await storeFingerprint(db);
      executor = createChatExecutor(db);
    }, 120_000);

    afterAll(async () => {
      await executor?.close();
      if (db) await backend.dispose(db);
    });

    it('refuses the whole corpus at execution too', async () => {
      for (const h of HOSTILE_REFUSED) {
        const err = await executeGuarded(db, h.sql).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, `expected "${h.name}" to be refused`).toBeInstanceOf(QueryRefusedError);
      }
      expect(await storeFingerprint(db)).toBe(before);
    });

    it('cuts a huge result at 1000 rows and says so', async () => {
      const r = await executeGuarded(
        db,
        'SELECT a.ts AS a_ts, b.ts AS b_ts FROM market_data.bars a CROSS JOIN market_data.bars b',
        { executor },
      );
      expect(r.row_count).toBe(1000);
      expect(r.truncated).toBe(true);
      expect(r.columns).toEqual(['a_ts', 'b_ts']);
    });

    it('refuses an endless query by its planned cost before running it', async () => {
      await expect(
        executeGuarded(
          db,
          'SELECT count(*) FROM market_data.bars a, market_data.bars b, market_data.bars c, market_data.bars d',
          { executor },
        ),
      ).rejects.toThrow(/too expensive/);
    });

    it('answers an ordinary question with columns, rows and a chart', async () => {
      const r = await executeGuarded(
        db,
        "SELECT i.symbol, count(*) AS bars FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id WHERE b.interval = '1d' GROUP BY i.symbol ORDER BY i.symbol",
        { executor },
      );
      expect(r.columns).toEqual(['symbol', 'bars']);
      expect(r.rows.map((x) => x.symbol)).toEqual(['AAPL', 'BTC', 'ETH', 'EUR_USD', 'SPY', 'USDC']);
      expect(r.truncated).toBe(false);
      expect(r.chart).toEqual({ type: 'bar', x: 'symbol', y: ['bars'] });
    });

    it('stops a query past the time limit, whatever its planned cost', async () => {
      const t0 = performance.now();
      await expect(
        executeGuarded(
          db,
          'SELECT count(*) FROM market_data.bars a, market_data.bars b, market_data.bars c',
          { timeoutMs: 300, maxCost: 1e15, executor },
        ),
      ).rejects.toBeInstanceOf(QueryTimeoutError);
      // 300 ms limit; the rest is the EXPLAIN and, on PGlite, the worker's start (a copy of the store)
      expect(performance.now() - t0).toBeLessThan(15_000);
      // the next query runs (a new worker on PGlite, the pool's connection on PostgreSQL)
      const r = await executeGuarded(db, 'SELECT count(*) AS n FROM market_data.instruments', { executor });
      expect(r.rows).toEqual([{ n: 6 }]);
    });

    for (const h of HOSTILE_ACCEPTED) {
      it(`stops an accepted statement at the time limit: ${h.name}`, async () => {
        const t0 = performance.now();
        await expect(
          executeGuarded(db, h.sql, { timeoutMs: 300, maxCost: 1e15, executor }),
        ).rejects.toBeInstanceOf(QueryTimeoutError);
        expect(performance.now() - t0).toBeLessThan(15_000);
      });
    }

    if (backend.name === 'postgres') {
      it('a sorted string_agg that spills past temp_file_limit is stopped by the server', async () => {
        // 64 kB of work_mem and 256 kB of temporary files: sorting ~450k joined rows must spill beyond
        const small = createChatExecutor(db, { workMemKb: 64, tempFileLimitKb: 256 });
        try {
          await expect(
            executeGuarded(
              db,
              "SELECT string_agg(a.ts::text, ',' ORDER BY a.ts, b.ts) AS s FROM market_data.bars a, market_data.bars b",
              { timeoutMs: 20_000, maxCost: 1e15, executor: small },
            ),
          ).rejects.toThrow(/more memory or temporary space than chat allows.*temp_file_limit/);
        } finally {
          await small.close();
        }
      });

      it('runs as the read-only role', async () => {
        const r = await executeGuarded(
          db,
          "SELECT i.symbol FROM market_data.instruments i WHERE i.symbol = 'BTC'",
          { executor },
        );
        expect(r.rows).toEqual([{ symbol: 'BTC' }]);
        const role = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_roles WHERE rolname = 'marketpipe_chat_ro' AND NOT rolsuper",
        );
        expect(role.rows[0]?.n).toBe(1);
      });
    }

    it('leaves the store exactly as it was', async () => {
      expect(await storeFingerprint(db)).toBe(before);
    });
  });
}
