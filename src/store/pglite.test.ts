import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';

describe('pglite driver', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openPglite();
  });
  afterAll(async () => db.close());

  it('applies migrations once', async () => {
    const first = await migrate(db);
    expect(first.applied.length).toBeGreaterThan(0);
    const second = await migrate(db);
    expect(second.applied).toEqual([]);
  });

  it('copies rows with nulls, quotes and timestamps', async () => {
    await db.exec('CREATE TABLE copy_probe (t timestamptz, s text, x float8)');
    const n = await db.copyRows(
      'copy_probe',
      ['t', 's', 'x'],
      [
        [new Date('2024-01-02T03:04:05Z'), 'say "hi", ok', 1.5],
        [null, null, null],
      ],
    );
    expect(n).toBe(2);
    const r = await db.query<{ t: Date | null; s: string | null; x: number | null }>(
      'SELECT t, s, x FROM copy_probe ORDER BY t NULLS LAST',
    );
    expect(r.rows[0]?.s).toBe('say "hi", ok');
    expect(r.rows[0]?.t?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(r.rows[1]).toEqual({ t: null, s: null, x: null });
  });
});
