import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testBackends } from '../../../test/store/backends.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import type { Instrument, StoredBar } from '../../core/types.ts';
import type { Db } from '../db.ts';
import {
  countBars,
  latestBars,
  readBarColumns,
  readBars,
  resolveRange,
  rollupBars,
  upsertBars,
} from './bars.ts';
import { upsertInstruments } from './instruments.ts';

const INSTRUMENTS: Instrument[] = [
  { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
  { symbol: 'SPY', assetClass: 'etf', name: 'SPDR S&P 500', currency: 'USD', timezone: 'America/New_York' },
];

const T0 = Date.UTC(2024, 0, 1);
const ALL = { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY };

function hourly(symbol: string, n: number, start = T0): StoredBar[] {
  return Array.from({ length: n }, (_, i) => ({
    symbol,
    interval: '1h' as const,
    ts: start + i * HOUR_MS,
    open: 100 + i,
    high: 101 + i,
    low: 99 + i,
    close: 100.5 + i,
    volume: 10,
    source: 'test',
  }));
}

describe('resolveRange', () => {
  const now = Date.UTC(2024, 4, 31, 12); // Fri 31 May 2024 12:00 UTC
  it('turns named ranges into [start, now) by calendar months', () => {
    expect(resolveRange('1D', now)).toEqual({ from: now - DAY_MS, to: now });
    expect(resolveRange('7D', now)).toEqual({ from: now - 7 * DAY_MS, to: now });
    // 3M back from 31 May is 29 Feb in a leap year (core/time namedRangeStart).
    expect(resolveRange('3M', now).from).toBe(Date.UTC(2024, 1, 29, 12));
    expect(resolveRange('YTD', now).from).toBe(Date.UTC(2024, 0, 1));
    expect(resolveRange('MAX', now)).toEqual({ from: 0, to: now });
  });
  it('accepts named ranges in any case', () => {
    expect(resolveRange('ytd' as 'YTD', now).from).toBe(Date.UTC(2024, 0, 1));
  });
  it('reads ISO dates, a date-only `to` including its whole day', () => {
    expect(resolveRange({ from: '2024-01-02', to: '2024-01-31' }, now)).toEqual({
      from: Date.UTC(2024, 0, 2),
      to: Date.UTC(2024, 1, 1),
    });
    expect(resolveRange({ from: '2024-01-02T10:00:00Z' }, now)).toEqual({
      from: Date.UTC(2024, 0, 2, 10),
      to: now,
    });
    expect(resolveRange({}, now)).toEqual({ from: 0, to: now });
  });
  it('refuses unknown names and reversed ranges', () => {
    expect(() => resolveRange('2W' as 'YTD', now)).toThrow(ValidationError);
    expect(() => resolveRange({ from: '2024-02-01', to: '2024-01-01' }, now)).toThrow(/after/);
    expect(() => resolveRange({ from: 'yesterday' }, now)).toThrow(/from: cannot read "yesterday"/);
  });
});

for (const backend of await testBackends('bars', { all: true })) {
  describe(`bars repository on ${backend.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await backend.open();
      await upsertInstruments(db, INSTRUMENTS);
    });
    afterAll(async () => backend.dispose(db));
    beforeEach(async () => {
      await db.exec('TRUNCATE market_data.bars');
    });

    it('is idempotent: a second identical load stores nothing', async () => {
      const rows = hourly('BTC', 500);
      expect(await upsertBars(db, rows)).toEqual({ stored: 500, unchanged: 0 });
      expect(await upsertBars(db, rows, { batchSize: 64 })).toEqual({ stored: 0, unchanged: 500 });
      expect(await countBars(db)).toBe(500);
    });

    it('stores exactly the changed bar when one value changes', async () => {
      const rows = hourly('BTC', 50);
      await upsertBars(db, rows);
      const changed = rows.map((r, i) => (i === 7 ? { ...r, close: r.close + 0.01, source: 'fix' } : r));
      expect(await upsertBars(db, changed)).toEqual({ stored: 1, unchanged: 49 });
      const bars = await readBars(db, 'BTC', '1h', { from: T0 + 7 * HOUR_MS, to: T0 + 8 * HOUR_MS });
      expect(bars).toEqual([
        { ts: T0 + 7 * HOUR_MS, open: 107, high: 108, low: 106, close: 107.51, volume: 10 },
      ]);
    });

    it('keeps the last of repeated keys inside one batch and across batches', async () => {
      const base = hourly('BTC', 3);
      const [a, b, c] = base as [StoredBar, StoredBar, StoredBar];
      const rows = [a, { ...a, close: 1 }, b, { ...a, close: 2 }, c, { ...c, volume: 99 }];
      expect(await upsertBars(db, rows)).toEqual({ stored: 3, unchanged: 3 });
      const read = await readBars(db, 'BTC', '1h', ALL);
      expect(read.map((r) => [r.close, r.volume])).toEqual([
        [2, 10],
        [b.close, 10],
        [c.close, 99],
      ]);
      // Batches of 2: the key repeats across batches; later batches overwrite earlier ones.
      await upsertBars(db, [{ ...a, close: 5 }, b, { ...a, close: 6 }], { batchSize: 2 });
      expect((await readBars(db, 'BTC', '1h', ALL))[0]?.close).toBe(6);
    });

    it('refuses unknown symbols, naming them, with nothing written', async () => {
      const rows = [...hourly('BTC', 10), ...hourly('NOPE', 2), ...hourly('ZZZ', 1)];
      const err = await upsertBars(db, rows).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect(String((err as Error).message)).toMatch(/unknown instruments "NOPE", "ZZZ"/);
      expect(await countBars(db)).toBe(0);
    });

    it('with atomic, a bad row in a late batch rolls back the earlier batches', async () => {
      const rows = [...hourly('BTC', 10), { ...hourly('BTC', 1)[0], open: Number.NaN } as StoredBar];
      await expect(upsertBars(db, rows, { batchSize: 4, atomic: true })).rejects.toThrow(ValidationError);
      expect(await countBars(db)).toBe(0);
    });

    it('joins a caller transaction: batches become savepoints, and a rollback leaves nothing', async () => {
      // Overlapping batches of 3 go through the staging merge, which must not outlive its batch.
      await upsertBars(db, hourly('BTC', 4));
      const rows = hourly('BTC', 10).map((b) => ({ ...b, volume: 11 }));
      const inside = await db.transaction(() => upsertBars(db, rows, { batchSize: 3 }));
      expect(inside).toEqual({ stored: 10, unchanged: 0 });
      await expect(
        db.transaction(async () => {
          await upsertBars(db, hourly('BTC', 5, T0 + 100 * HOUR_MS), { batchSize: 2 });
          throw new Error('caller gives up');
        }),
      ).rejects.toThrow('caller gives up');
      expect(await countBars(db)).toBe(10);
    });

    it('reads [from, to) ascending, as rows and as columns', async () => {
      await upsertBars(db, hourly('BTC', 24).reverse());
      const range = { from: T0 + 2 * HOUR_MS, to: T0 + 5 * HOUR_MS };
      const bars = await readBars(db, 'BTC', '1h', range);
      expect(bars.map((b) => b.ts)).toEqual([2, 3, 4].map((h) => T0 + h * HOUR_MS));
      const cols = await readBarColumns(db, 'BTC', '1h', range);
      expect(Array.from(cols.close)).toEqual([102.5, 103.5, 104.5]);
      expect(Array.from(cols.ts)).toEqual(bars.map((b) => b.ts));
      await expect(readBars(db, 'NOPE', '1h', range)).rejects.toThrow(
        'unknown instrument "NOPE" (see marketpipe instruments list)',
      );
    });

    it('gives the newest bar per instrument', async () => {
      await upsertBars(db, [...hourly('BTC', 5), ...hourly('SPY', 3, T0 + 14 * HOUR_MS)]);
      const latest = await latestBars(db, { interval: '1h' });
      expect(latest.map((b) => [b.symbol, b.ts, b.close])).toEqual([
        ['BTC', T0 + 4 * HOUR_MS, 104.5],
        ['SPY', T0 + 16 * HOUR_MS, 102.5],
      ]);
      expect((await latestBars(db, { interval: '1h', symbols: ['SPY'] })).map((b) => b.symbol)).toEqual([
        'SPY',
      ]);
      expect(await latestBars(db, { interval: '1d' })).toEqual([]);
    });

    it('rolls 1h bars up to UTC days with first/max/min/last/sum', async () => {
      // Hand-made: day 1 has 3 bars (23:00 of the previous day belongs to day 0), day 2 has 2 bars.
      const d1 = Date.UTC(2024, 0, 2);
      const bar = (ts: number, o: number, h: number, l: number, c: number, v: number): StoredBar => ({
        symbol: 'BTC',
        interval: '1h',
        ts,
        open: o,
        high: h,
        low: l,
        close: c,
        volume: v,
        source: 'test',
      });
      const rows = [
        bar(d1 - HOUR_MS, 9, 9, 9, 9, 1),
        bar(d1 + 5 * HOUR_MS, 12, 15, 11, 14, 3), // given out of order on purpose
        bar(d1, 10, 13, 8, 12, 2),
        bar(d1 + 23 * HOUR_MS, 14, 14, 7, 9, 4),
        bar(d1 + DAY_MS, 20, 22, 19, 21, 5),
        bar(d1 + DAY_MS + 2 * HOUR_MS, 21, 25, 18, 24, 6),
      ];
      await upsertBars(db, rows);
      expect(await rollupBars(db, 'BTC', '1h', '1d')).toEqual({ stored: 3, unchanged: 0 });
      const days = await readBars(db, 'BTC', '1d', ALL);
      expect(days).toEqual([
        { ts: d1 - DAY_MS, open: 9, high: 9, low: 9, close: 9, volume: 1 },
        // open = 10 (00:00), high = max(13,15,14), low = min(8,11,7), close = 9 (23:00), volume 2+3+4
        { ts: d1, open: 10, high: 15, low: 7, close: 9, volume: 9 },
        { ts: d1 + DAY_MS, open: 20, high: 25, low: 18, close: 24, volume: 11 },
      ]);
      const latest = await latestBars(db, { interval: '1d' });
      expect(latest[0]?.source).toBe('rollup:1h');
      expect(await rollupBars(db, 'BTC', '1h', '1d')).toEqual({ stored: 0, unchanged: 3 });
      // A range is widened to whole days: asking for 06:00–07:00 of day 2 rebuilds all of day 2.
      await upsertBars(db, [bar(d1 + DAY_MS + 2 * HOUR_MS, 21, 30, 18, 24, 6)]);
      const part = { from: d1 + DAY_MS + 6 * HOUR_MS, to: d1 + DAY_MS + 7 * HOUR_MS };
      expect(await rollupBars(db, 'BTC', '1h', '1d', part)).toEqual({ stored: 1, unchanged: 0 });
      expect((await readBars(db, 'BTC', '1d', { from: d1 + DAY_MS, to: d1 + 2 * DAY_MS }))[0]).toEqual({
        ts: d1 + DAY_MS,
        open: 20,
        high: 30,
        low: 18,
        close: 24,
        volume: 11,
      });
    });

    it('never overwrites a provider daily bar with a rollup', async () => {
      await upsertBars(db, hourly('BTC', 24));
      await upsertBars(db, [
        {
          symbol: 'BTC',
          interval: '1d',
          ts: T0,
          open: 1,
          high: 1,
          low: 1,
          close: 1,
          volume: 1,
          source: 'yahoo',
        },
      ]);
      expect(await rollupBars(db, 'BTC', '1h', '1d')).toEqual({ stored: 0, unchanged: 1 });
      expect((await readBars(db, 'BTC', '1d', ALL))[0]?.close).toBe(1);
      await expect(rollupBars(db, 'BTC', '1d', '1h')).rejects.toThrow(/cannot build 1h bars from 1d/);
    });

    it('appends a batch of only new keys directly, and merges when a concurrent writer got there first', async () => {
      await upsertBars(db, hourly('BTC', 10));
      // New span after the stored bars: the append fast path; the stored values are the same either way.
      expect(await upsertBars(db, hourly('BTC', 10, T0 + 10 * HOUR_MS))).toEqual({
        stored: 10,
        unchanged: 0,
      });
      // A writer storing one of the keys between the overlap check and the COPY (simulated in the same
      // transaction): the COPY fails on the unique key, rolls back to its savepoint and the merge takes over.
      const racing: Db = {
        ...db,
        transaction: (fn) =>
          db.transaction((tx) =>
            fn({
              ...tx,
              query: tx.query.bind(tx),
              exec: tx.exec.bind(tx),
              async copyRows(table, columns, rows) {
                if (table === 'market_data.bars') {
                  await tx.query(
                    `INSERT INTO market_data.bars (instrument_id, interval, ts, open, high, low, close, source)
                     SELECT id, '1h', $1::timestamptz, 1, 1, 1, 1, 'other' FROM market_data.instruments WHERE symbol = 'BTC'`,
                    [new Date(T0 + 25 * HOUR_MS).toISOString()],
                  );
                }
                return tx.copyRows(table, columns, rows);
              },
            }),
          ),
      };
      expect(await upsertBars(racing, hourly('BTC', 5, T0 + 24 * HOUR_MS))).toEqual({
        stored: 5,
        unchanged: 0,
      });
      const read = await readBars(db, 'BTC', '1h', ALL);
      expect(read.length).toBe(25);
      expect(read.map((b) => b.ts)).toEqual(
        Array.from({ length: 25 }, (_, i) => T0 + (i < 20 ? i : i + 4) * HOUR_MS),
      );
      expect(read[21]).toEqual({
        ts: T0 + 25 * HOUR_MS,
        open: 101,
        high: 102,
        low: 100,
        close: 101.5,
        volume: 10,
      });
    });

    it('streams 200,000 bars from an async generator in bounded batches', async () => {
      async function* generate(): AsyncGenerator<StoredBar> {
        for (let i = 0; i < 200_000; i++) {
          const p = 100 + Math.sin(i / 50);
          yield {
            symbol: 'BTC',
            interval: '1m',
            ts: T0 + i * 60_000,
            open: p,
            high: p + 1,
            low: p - 1,
            close: p,
            volume: i,
            source: 'gen',
          };
        }
      }
      expect(await upsertBars(db, generate())).toEqual({ stored: 200_000, unchanged: 0 });
      expect(await countBars(db)).toBe(200_000);
      const last = await latestBars(db, { interval: '1m' });
      expect(last[0]?.ts).toBe(T0 + 199_999 * 60_000);
      expect(last[0]?.volume).toBe(199_999);
    });
  });
}
