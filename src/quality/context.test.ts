import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredBar } from '../core/types.ts';
import type { Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { openPglite } from '../store/pglite.ts';
import { upsertBars } from '../store/repos/bars.ts';
import { upsertInstruments } from '../store/repos/instruments.ts';
import { storedBarContext } from './context.ts';
import { checkBars } from './gate.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const bar = (i: number, close: number): StoredBar => ({
  symbol: 'BTC',
  interval: '1h',
  ts: T0 + i * HOUR,
  open: close,
  high: close,
  low: close,
  close,
  volume: 1,
  source: 'test',
});

describe('stored context for incremental batches (PGlite)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await upsertInstruments(db, [
      { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
    ]);
    await upsertBars(
      db,
      Array.from({ length: 100 }, (_, i) => bar(i, 100)),
    );
  });
  afterAll(async () => {
    await db.close();
  });

  it('lets the gate judge a spike on the first row of a batch and see stored duplicates', async () => {
    // The batch re-sends hour 99 (unchanged) then a spike at 100 and a return to 100 at 101..120.
    const batch = [bar(99, 100), bar(100, 70), ...Array.from({ length: 20 }, (_, i) => bar(101 + i, 100))];
    const stored = await storedBarContext(db, 'BTC', '1h', batch);
    expect(stored).toHaveLength(27); // hours 73..99: 26 h (outlierWindow 24 + 2) before hour 99, and 99
    const res = checkBars(batch, {
      instrument: { symbol: 'BTC', assetClass: 'crypto' },
      mode: 'incremental',
      now: T0 + 200 * HOUR,
      stored,
    });
    expect(res.unchanged.map((r) => r.ts)).toEqual([T0 + 99 * HOUR]);
    expect(res.rejected.map((r) => [r.rule, r.row.close])).toEqual([['outlier', 70]]);
  });
});
