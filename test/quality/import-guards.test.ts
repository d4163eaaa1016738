/**
 * Issue 25, "imports and ingests never corrupt good data" (the gate's part): a re-imported value that the gate
 * would call an outlier against the stored neighbours is quarantined as `replaces_outlier` and the good bar
 * stays; a date before the asset class could trade is refused; re-importing a file adds no quarantine row that
 * is already pending. Good data: the first 40 days of SPY in samples/SPY_daily_1999-2020.csv (pandas-ta).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../src/importer/import.ts';
import { listQuarantine } from '../../src/quality/quarantine.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { readBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';

const dir = mkdtempSync(join(tmpdir(), 'mp-guards-'));
const write = (name: string, lines: readonly string[]): string => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};
const NOW = Date.UTC(2024, 0, 1);
const ALL = { from: 0, to: Date.UTC(2030, 0, 1) };
// `,date,open,high,low,close,volume` → `date,open,high,low,close,volume`, 40 trading days from 1999-11-01
const spy = readFileSync(new URL('../../samples/SPY_daily_1999-2020.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1, 41)
  .map((l) => l.split(',').slice(1));
const line = (r: readonly string[]): string => r.join(',');
const HEADER = 'date,open,high,low,close,volume';

describe('imports never corrupt good data (PGlite)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await upsertInstruments(db, [
      {
        symbol: 'SPY',
        assetClass: 'etf',
        name: 'SPDR S&P 500',
        currency: 'USD',
        timezone: 'America/New_York',
      },
      { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
    ]);
    const s = await importFile(db, {
      file: write('spy.csv', [HEADER, ...spy.map(line)]),
      symbol: 'SPY',
      now: NOW,
    });
    expect([s.stored, s.quarantined]).toEqual([40, 0]);
  });
  afterAll(async () => {
    await db.close();
  });

  const tenfold = (r: readonly string[]): string[] => [
    r[0] ?? '',
    ...r.slice(1, 5).map((v) => String(Number(v) * 10)),
    r[5] ?? '0',
  ];

  it('quarantines a re-imported 10× bar as replaces_outlier and keeps the stored one', async () => {
    const before = await readBars(db, 'SPY', '1d', ALL);
    const day = spy[20] ?? [];
    const bad = write('bad.csv', [HEADER, line(tenfold(day))]);
    const s = await importFile(db, { file: bad, symbol: 'SPY', now: NOW });
    expect([s.stored, s.quarantined]).toEqual([0, 1]);
    expect(await readBars(db, 'SPY', '1d', ALL)).toEqual(before);
    const [q] = await listQuarantine(db, { symbol: 'SPY' });
    expect(q?.rule).toBe('replaces_outlier');
    expect(q?.reason).toMatch(/lone print that reverts at once .*the stored value is kept/);
  });

  it('still accepts a revised value that fits its stored neighbours', async () => {
    const day = spy[21] ?? [];
    const revised = [
      day[0] ?? '',
      ...day.slice(1, 5).map((v) => (Number(v) * 1.001).toFixed(4)),
      day[5] ?? '0',
    ];
    const s = await importFile(db, {
      file: write('revised.csv', [HEADER, line(revised)]),
      symbol: 'SPY',
      now: NOW,
    });
    expect([s.stored, s.quarantined]).toEqual([1, 0]);
  });

  it('re-importing the same bad file adds no quarantine row that is already pending', async () => {
    // a 10× bar and a bar whose low is above its high (ohlc_consistency), each refused every time
    const inverted = '1999-12-31,146,145,147,146.5,100';
    const bad = write('bad-again.csv', [HEADER, line(tenfold(spy[20] ?? [])), inverted]);
    const count = async () => (await listQuarantine(db, { symbol: 'SPY', limit: 1000 })).length;
    const first = await importFile(db, { file: bad, symbol: 'SPY', now: NOW });
    expect(first.quarantined).toBe(2);
    const n = await count();
    const again = await importFile(db, { file: bad, symbol: 'SPY', now: NOW });
    expect(again.quarantined).toBe(2);
    expect(await count()).toBe(n);
    expect((await listQuarantine(db, { symbol: 'SPY', rule: 'ohlc_consistency' })).length).toBe(1);
  });

  it('refuses a 1900 bitcoin bar (timestamp_implausible) and keeps the real ones', async () => {
    const file = write('btc.csv', [
      HEADER,
      '1900-01-01,430,440,420,435,100',
      '2015-01-02,314.08,315.84,313.57,315.03,7855300',
    ]);
    const s = await importFile(db, { file, symbol: 'BTC', now: NOW });
    expect([s.stored, s.quarantined]).toEqual([1, 1]);
    const [q] = await listQuarantine(db, { symbol: 'BTC' });
    expect(q?.rule).toBe('timestamp_implausible');
    expect(q?.reason).toBe(
      'Timestamp 1900-01-01T00:00:00.000Z is before 2009-01-03, the earliest plausible date for crypto',
    );
  });
});
