import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { loadMigrations, migrate } from '../../src/store/migrate.ts';
import {
  applyTimescale,
  DAILY_CAGG,
  type TimescaleStatus,
  timeBucketSql,
} from '../../src/store/timescale.ts';
import { BACKENDS } from './backends.ts';

/**
 * One contract every storage backend meets: PGlite, the machine's PostgreSQL 15, the PGlite build with
 * TimescaleDB, and the embedded store reached through its owner's socket.
 */

function waitFor<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)),
  ]);
}

describe.each(BACKENDS)('store contract on $name', (backend) => {
  let db: Db;
  let teardown: () => Promise<void>;
  let firstStatus: TimescaleStatus;

  beforeAll(async () => {
    ({ db, teardown } = await backend.open());
    await migrate(db);
    firstStatus = await applyTimescale(db);
  });
  afterAll(async () => teardown?.());

  it('has applied every migration once and recorded it in ops.migrations', async () => {
    const again = await migrate(db);
    expect(again.applied).toEqual([]);
    const recorded = await db.query<{ version: number; name: string }>(
      'SELECT version, name FROM ops.migrations ORDER BY version',
    );
    expect(recorded.rows).toEqual(loadMigrations().map((m) => ({ version: m.version, name: m.name })));
  });

  it('returns int8 and numeric as numbers, timestamptz and date as Dates (UTC)', async () => {
    const r = await db.query<Record<string, unknown>>(
      `SELECT 42::int8 AS i8, 1.25::numeric AS num, TIMESTAMPTZ '2024-01-02 03:04:05+02' AS tz,
              DATE '2024-03-04' AS d, ARRAY[1.5, 2]::numeric[] AS nums, '{"a":1}'::jsonb AS j`,
    );
    expect(r.rowCount).toBe(1);
    const row = r.rows[0] ?? {};
    expect(row.i8).toBe(42);
    expect(row.num).toBe(1.25);
    expect(row.tz).toEqual(new Date('2024-01-02T01:04:05Z'));
    expect(row.d).toEqual(new Date('2024-03-04T00:00:00Z'));
    expect(row.nums).toEqual([1.5, 2]);
    expect(row.j).toEqual({ a: 1 });
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.exec('CREATE TABLE tx_probe (id int PRIMARY KEY, v text)');
    const n = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_probe VALUES ($1, $2), ($3, $4)', [1, 'a', 2, 'b']);
      const inside = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM tx_probe');
      return inside.rows[0]?.n;
    });
    expect(n).toBe(2);
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_probe VALUES (3, $1)', ['c']);
        await tx.copyRows('tx_probe', ['id', 'v'], [[4, 'd']]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const after = await db.query<{ id: number }>('SELECT id FROM tx_probe ORDER BY id');
    expect(after.rows.map((r) => r.id)).toEqual([1, 2]);
    // A failed statement aborts the transaction; the driver must still hand back a usable connection.
    await expect(
      db.transaction((tx) => tx.query('INSERT INTO tx_probe VALUES (1, $1)', ['dup'])),
    ).rejects.toThrow();
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('joins db calls made inside a transaction callback; a nested transaction is a savepoint', async () => {
    await db.exec('CREATE TABLE tx_join (id int PRIMARY KEY)');
    await expect(
      db.transaction(async () => {
        // Through `db`, not `tx`: must run inside this transaction (and not wait for another connection).
        await db.query('INSERT INTO tx_join VALUES (1)');
        await db.copyRows('tx_join', ['id'], [[2]]);
        await db.transaction(async (inner) => {
          await inner.query('INSERT INTO tx_join VALUES (3)');
        });
        await db
          .transaction(async (inner) => {
            await inner.query('INSERT INTO tx_join VALUES (4)');
            throw new Error('inner');
          })
          .catch(() => undefined);
        const seen = await db.query<{ id: number }>('SELECT id FROM tx_join ORDER BY id');
        expect(seen.rows.map((r) => r.id)).toEqual([1, 2, 3]);
        throw new Error('outer');
      }),
    ).rejects.toThrow('outer');
    expect((await db.query('SELECT id FROM tx_join')).rows).toEqual([]);
  });

  it('copies rows with nulls, quotes, separators, dates, NaN and infinities', async () => {
    await db.exec(`CREATE TABLE copy_probe (
      id int, t timestamptz, s text, x float8, b boolean, j jsonb, big int8, num numeric)`);
    const tricky = 'say "hi", then\nnew line \\ back\\slash, tab\t, ünïcödé';
    const rows: unknown[][] = [
      [
        1,
        new Date('2024-01-02T03:04:05.678Z'),
        tricky,
        1.5,
        true,
        { k: ['v', 1] },
        9_007_199_254_740_991,
        0.1,
      ],
      [2, null, null, null, null, null, null, null],
      [3, new Date(0), '', Number.NaN, false, [], -1, -2.5],
      [4, new Date('1999-12-31T23:59:59Z'), 'NULL', Number.POSITIVE_INFINITY, null, '"text"', 0, 0],
      [5, null, ',', Number.NEGATIVE_INFINITY, null, null, null, null],
    ];
    expect(await db.copyRows('copy_probe', ['id', 't', 's', 'x', 'b', 'j', 'big', 'num'], rows)).toBe(5);
    expect(await db.copyRows('copy_probe', ['id'], [])).toBe(0);
    const r = await db.query<Record<string, unknown>>('SELECT * FROM copy_probe ORDER BY id');
    expect(r.rows).toEqual([
      {
        id: 1,
        t: rows[0]?.[1],
        s: tricky,
        x: 1.5,
        b: true,
        j: { k: ['v', 1] },
        big: 9_007_199_254_740_991,
        num: 0.1,
      },
      { id: 2, t: null, s: null, x: null, b: null, j: null, big: null, num: null },
      { id: 3, t: new Date(0), s: '', x: Number.NaN, b: false, j: [], big: -1, num: -2.5 },
      { id: 4, t: rows[3]?.[1], s: 'NULL', x: Number.POSITIVE_INFINITY, b: null, j: 'text', big: 0, num: 0 },
      { id: 5, t: null, s: ',', x: Number.NEGATIVE_INFINITY, b: null, j: null, big: null, num: null },
    ]);
  });

  it('copies many rows (more than one batch or chunk)', async () => {
    await db.exec('CREATE TABLE copy_many (i int PRIMARY KEY, x float8, s text)');
    const N = 12_345;
    function* gen(): Generator<unknown[]> {
      for (let i = 0; i < N; i++) yield [i, i / 7, `row ${i} "quoted"`];
    }
    expect(await db.copyRows('copy_many', ['i', 'x', 's'], gen())).toBe(N);
    const r = await db.query<{ n: number; sx: number }>(
      'SELECT count(*)::int AS n, sum(i)::int8 AS sx FROM copy_many',
    );
    // sum of 0..N-1 = N(N-1)/2
    expect(r.rows[0]).toEqual({ n: N, sx: (N * (N - 1)) / 2 });
  });

  it('delivers NOTIFY to a listener, from plain and transactional statements, until unsubscribed', async () => {
    const got: string[] = [];
    let wake: () => void = () => {};
    const unlisten = await db.listen('mp_contract', (payload) => {
      got.push(payload);
      wake();
    });
    const next = (): Promise<void> =>
      waitFor(
        new Promise<void>((resolve) => {
          wake = resolve;
        }),
        5_000,
        'a notification',
      );
    let arrived = next();
    await db.notify('mp_contract', JSON.stringify({ type: 'ping', n: 1 }));
    await arrived;
    arrived = next();
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_notify($1, $2)', ['mp_contract', 'from-tx']);
    });
    await arrived;
    expect(got).toEqual([JSON.stringify({ type: 'ping', n: 1 }), 'from-tx']);
    await unlisten();
    await db.notify('mp_contract', 'after-unlisten');
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toHaveLength(2);
  });

  it('buckets time the same way everywhere (time_bucket or date_bin)', async () => {
    const ins = await db.query<{ id: number }>(
      `INSERT INTO market_data.instruments (symbol, asset_class, name) VALUES ('BKT', 'equity', 'Bucket test')
       RETURNING id`,
    );
    const id = ins.rows[0]?.id;
    // 72 hourly bars from Friday 2024-01-05 20:00Z to Monday 2024-01-08 19:00Z, close = index, volume = 1.
    const start = Date.parse('2024-01-05T20:00:00Z');
    const bars = Array.from({ length: 72 }, (_, i) => [
      id,
      '1h',
      new Date(start + i * 3_600_000),
      i,
      i,
      i,
      i,
      1,
      'test',
    ]);
    await db.copyRows(
      'market_data.bars',
      ['instrument_id', 'interval', 'ts', 'open', 'high', 'low', 'close', 'volume', 'source'],
      bars,
    );
    const bucketed = async (width: string) =>
      (
        await db.query<{ bucket: Date; n: number; last: number }>(
          `SELECT ${timeBucketSql(db, width, 'ts')} AS bucket, count(*)::int AS n, max(close) AS last
             FROM market_data.bars WHERE instrument_id = $1 GROUP BY 1 ORDER BY 1`,
          [id],
        )
      ).rows.map((r) => ({ bucket: r.bucket.toISOString(), n: r.n, last: r.last }));
    // Hand count: Fri 4 bars (20:00–23:00), Sat 24, Sun 24, Mon 20 (00:00–19:00).
    expect(await bucketed("INTERVAL '1 day'")).toEqual([
      { bucket: '2024-01-05T00:00:00.000Z', n: 4, last: 3 },
      { bucket: '2024-01-06T00:00:00.000Z', n: 24, last: 27 },
      { bucket: '2024-01-07T00:00:00.000Z', n: 24, last: 51 },
      { bucket: '2024-01-08T00:00:00.000Z', n: 20, last: 71 },
    ]);
    // Weeks start on Monday (TimescaleDB's origin 2000-01-03): 52 bars up to Sunday night, 20 after.
    expect(await bucketed("INTERVAL '7 days'")).toEqual([
      { bucket: '2024-01-01T00:00:00.000Z', n: 52, last: 51 },
      { bucket: '2024-01-08T00:00:00.000Z', n: 20, last: 71 },
    ]);
  });

  it('has the TimescaleDB layout exactly when the extension is there', async () => {
    const ext = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'timescaledb'",
    );
    const hasExtension = (ext.rows[0]?.n ?? 0) > 0;
    expect(db.features.timescale).toBe(hasExtension);
    expect(firstStatus.enabled).toBe(hasExtension);
    expect(hasExtension).toBe(backend.name === 'pglite-timescaledb');
    const again = await applyTimescale(db);
    expect(again.created).toEqual([]);
    if (!hasExtension) {
      expect(firstStatus.created).toEqual([]);
      return;
    }
    expect(firstStatus.created).toEqual([
      'hypertable market_data.bars',
      'compression market_data.bars',
      'hypertable market_data.prices',
      'compression market_data.prices',
      `continuous aggregate ${DAILY_CAGG}`,
      'retention job market_data.drop_old_minute_bars',
    ]);
    const ht = await db.query<{ hypertable_name: string; compression_enabled: boolean }>(
      `SELECT hypertable_name, compression_enabled FROM timescaledb_information.hypertables
        WHERE hypertable_schema = 'market_data' ORDER BY 1`,
    );
    expect(ht.rows).toEqual([
      { hypertable_name: 'bars', compression_enabled: true },
      { hypertable_name: 'prices', compression_enabled: true },
    ]);
    // The daily aggregate (real-time) agrees with the hand count of the bucketing test above.
    const daily = await db.query<{ n: number; close: number }>(
      `SELECT c.bar_count AS n, c.close FROM ${DAILY_CAGG} c
         JOIN market_data.instruments i ON i.id = c.instrument_id WHERE i.symbol = 'BKT' ORDER BY c.ts`,
    );
    expect(daily.rows).toEqual([
      { n: 4, close: 3 },
      { n: 24, close: 27 },
      { n: 24, close: 51 },
      { n: 20, close: 71 },
    ]);
    // The retention job deletes 1-minute bars past 90 days, even in compressed chunks, and nothing else.
    const id = (await db.query<{ id: number }>(`SELECT id FROM market_data.instruments WHERE symbol = 'BKT'`))
      .rows[0]?.id;
    const old = Date.parse('2020-01-01T00:00:00Z');
    await db.copyRows(
      'market_data.bars',
      ['instrument_id', 'interval', 'ts', 'open', 'high', 'low', 'close', 'volume', 'source'],
      [0, 1, 2].map((i) => [id, '1m', new Date(old + i * 60_000), 1, 1, 1, 1, 1, 'test']),
    );
    await db.query(
      `SELECT compress_chunk(c) FROM show_chunks('market_data.bars', older_than => INTERVAL '30 days') c`,
    );
    const job = await db.query<{ job_id: number }>(
      `SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = 'drop_old_minute_bars'`,
    );
    await db.exec(`CALL run_job(${Number(job.rows[0]?.job_id)})`);
    const left = await db.query<{ interval: string; n: number }>(
      `SELECT "interval", count(*)::int AS n FROM market_data.bars WHERE instrument_id = $1 GROUP BY 1`,
      [id],
    );
    expect(left.rows).toEqual([{ interval: '1h', n: 72 }]);
  });
});
