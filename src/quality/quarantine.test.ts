import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredBar } from '../core/types.ts';
import type { Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { openPglite } from '../store/pglite.ts';
import {
  auditReplaced,
  countQuarantineByRule,
  listQuarantine,
  purgeQuarantine,
  quarantineRows,
  releaseQuarantine,
} from './quarantine.ts';

const bar = (close: number, extra: Partial<StoredBar> = {}): StoredBar => ({
  symbol: 'BTC',
  interval: '1h',
  ts: Date.parse('2024-01-01T00:00:00Z'),
  open: close,
  high: close,
  low: close,
  close,
  volume: 1,
  source: 'file:x.csv',
  ...extra,
});

describe('ops.quarantine repository (PGlite)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('keeps rejected rows with rule, reason and raw row, lists and counts them', async () => {
    const n = await quarantineRows(
      db,
      [
        { row: bar(-1), rule: 'price_finite_positive', reason: 'close -1 is not a positive finite number' },
        {
          row: bar(Number.NaN),
          rule: 'price_finite_positive',
          reason: 'close NaN is not a positive finite number',
        },
        { row: bar(5), rule: 'outlier_batch', reason: 'spike' },
      ],
      'fallback',
    );
    expect(n).toBe(3);
    expect(await countQuarantineByRule(db)).toEqual({ outlier_batch: 1, price_finite_positive: 2 });
    const list = await listQuarantine(db, { rule: 'price_finite_positive' });
    expect(list).toHaveLength(2);
    expect(list.map((e) => e.raw.source)).toEqual(['file:x.csv', 'file:x.csv']);
    const nan = list.find((e) => e.reason.includes('NaN'))?.raw as StoredBar | undefined;
    expect(Number.isNaN(nan?.close)).toBe(true);
    expect(list[0]).toMatchObject({ symbol: 'BTC', interval: '1h', ts: '2024-01-01T00:00:00.000Z' });
  });

  it('releases through a loader: loaded rows are marked released, refused ones get the new reason', async () => {
    const pending = await listQuarantine(db);
    const ids = pending.map((e) => e.id);
    const seen: number[] = [];
    const res = await releaseQuarantine(db, [...ids, 999_999], async (entries) => {
      seen.push(...entries.map((e) => e.id));
      const good = entries.filter((e) => (e.raw as StoredBar).close === 5);
      const bad = entries.filter((e) => (e.raw as StoredBar).close !== 5);
      return {
        loaded: good.map((e) => e.id),
        refused: bad.map((e) => ({ id: e.id, rule: 'r2', reason: 'still bad' })),
      };
    });
    expect(seen.sort()).toEqual([...ids].sort());
    expect(res.missing).toEqual([999_999]);
    expect(res.loaded).toHaveLength(1);
    expect(await countQuarantineByRule(db)).toEqual({ r2: 2 });
  });

  it('audits replaced values as released rows and purges by age', async () => {
    await auditReplaced(db, [{ previous: bar(10, { source: 'old' }), by: bar(11, { source: 'new' }) }], 'x');
    const all = await listQuarantine(db, { includeReleased: true, rule: 'replaced_by_newer' });
    expect(all[0]?.released_at).not.toBeNull();
    expect(await purgeQuarantine(db, 90 * 86_400_000)).toBe(0);
    expect(await purgeQuarantine(db, 0, Date.now() + 1000)).toBe(4);
  });
});
