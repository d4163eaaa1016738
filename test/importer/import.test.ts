import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../src/importer/import.ts';
import { listQuarantine, REPLACED_RULE } from '../../src/quality/quarantine.ts';
import type { Db } from '../../src/store/db.ts';
import { countBars, readBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { countPrices } from '../../src/store/repos/prices.ts';
import { type TestBackend, testBackends } from '../store/backends.ts';

const dir = mkdtempSync(join(tmpdir(), 'mp-import-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const NOW = Date.UTC(2026, 0, 1);
const backends = await testBackends('import');

describe.each(backends.map((b) => [b.name, b] as [string, TestBackend]))('import on %s', (_name, backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
    await upsertInstruments(db, [
      { symbol: 'AAPL', assetClass: 'equity', name: 'Apple', currency: 'USD', timezone: 'America/New_York' },
      {
        symbol: 'USDC',
        assetClass: 'stablecoin',
        name: 'USD Coin',
        currency: 'USD',
        timezone: 'UTC',
        pegTarget: 1,
      },
    ]);
  });
  afterAll(async () => backend.dispose(db));

  it('loads a Yahoo CSV, quarantines its null row, and re-imports idempotently', async () => {
    // Rows as Yahoo writes them (values from the Yahoo v8 fixture style; the null row is a holiday).
    const path = file(
      'aapl.csv',
      'Date,Open,High,Low,Close,Adj Close,Volume\n' +
        '2020-09-01,132.76,134.80,130.53,134.18,131.90,151948100\n' +
        '2020-09-02,137.59,137.98,127.00,131.40,129.17,200119000\n' +
        '2020-09-03,null,null,null,null,null,null\n',
    );
    const first = await importFile(db, { file: path, symbol: 'AAPL', now: NOW });
    expect(first).toMatchObject({ read: 3, stored: 2, unchanged: 0, quarantined: 1, failed: 0 });
    const bars = await readBars(db, 'AAPL', '1d', { from: Date.UTC(2020, 8, 1), to: Date.UTC(2020, 8, 4) });
    expect(bars.map((b) => b.close)).toEqual([134.18, 131.4]);
    const again = await importFile(db, { file: path, symbol: 'AAPL', now: NOW });
    expect(again).toMatchObject({ read: 3, stored: 0, unchanged: 2, quarantined: 1 });
  });

  it('refuses a malformed file with file:line and writes nothing', async () => {
    const before = await countBars(db);
    const path = file(
      'bad.csv',
      'ts,open,high,low,close\n2021-01-04,1,2,0.5,1.5\n2021-01-05,1,2,0.5,1.5\n2021-01-06,1,abc,0.5,1.5\n',
    );
    await expect(importFile(db, { file: path, symbol: 'AAPL', now: NOW })).rejects.toThrow(
      `${path}:4: high "abc" is not a number`,
    );
    expect(await countBars(db)).toBe(before);
  });

  it('keeps the good rows of a batch and quarantines the bad ones with reasons; totals add up', async () => {
    const path = file(
      'mixed.csv',
      'timestamp,open,high,low,close,volume\n' +
        '1609804800,10,11,9,10.5,100\n' + // 2021-01-05 in Unix seconds
        '1609891200000,10,9,11,10.5,100\n' + // high < low: refused
        '2021-01-07T00:00:00Z,-1,11,-2,10,100\n', // negative price: refused
    );
    const s = await importFile(db, { file: path, symbol: 'AAPL', now: NOW });
    expect(s.read).toBe(s.stored + s.unchanged + s.quarantined + s.failed);
    expect(s).toMatchObject({ read: 3, stored: 1, quarantined: 2 });
    const q = await db.query<{ rule: string; reason: string }>(
      "SELECT rule, reason FROM ops.quarantine WHERE source = 'file:mixed.csv' ORDER BY id",
    );
    expect(q.rows).toHaveLength(2);
    for (const r of q.rows) expect(r.reason.length).toBeGreaterThan(5);
  });

  it('quarantines hourly bars whose boundaries differ from the stored series (bar_alignment)', async () => {
    const hours = (minute: string) =>
      'ts,open,high,low,close,volume\n' +
      [14, 15, 16].map((h) => `2021-02-01T${h}:${minute}:00Z,10,11,9,10.5,100`).join('\n');
    const onHour = await importFile(db, {
      file: file('h00.csv', hours('00')),
      symbol: 'AAPL',
      interval: '1h',
      now: NOW,
    });
    expect(onHour).toMatchObject({ read: 3, stored: 3 });
    // the same hours from a source whose bars start at :30 would count each hour twice
    const half = await importFile(db, {
      file: file('h30.csv', hours('30')),
      symbol: 'AAPL',
      interval: '1h',
      now: NOW,
    });
    expect(half).toMatchObject({ read: 3, stored: 0, quarantined: 3 });
    const q = await db.query<{ rule: string }>(
      "SELECT rule FROM ops.quarantine WHERE source = 'file:h30.csv'",
    );
    expect(q.rows.map((r) => r.rule)).toEqual(['bar_alignment', 'bar_alignment', 'bar_alignment']);
    expect(
      await readBars(db, 'AAPL', '1h', { from: Date.UTC(2021, 1, 1), to: Date.UTC(2021, 1, 2) }),
    ).toHaveLength(3);
  });

  it('loads point prices from JSON (array) and from CSV with a price column', async () => {
    const before = await countPrices(db);
    const json = file(
      'usdc.json',
      JSON.stringify([
        { time: '2023-03-11T00:00:00Z', price: 0.97 },
        { time: '2023-03-11T01:00:00Z', price: 0.95 },
      ]),
    );
    const s = await importFile(db, { file: json, symbol: 'USDC', now: NOW });
    expect(s).toMatchObject({ read: 2, stored: 2 });
    const csv = file('usdc.csv', 'date,price\n2023-03-12,0.98\n');
    expect(await importFile(db, { file: csv, symbol: 'USDC', now: NOW })).toMatchObject({ stored: 1 });
    expect(await countPrices(db)).toBe(before + 3);
  });

  it('keeps the stored value a revised import overwrites as a replaced_by_newer audit row (bars and prices)', async () => {
    // Yahoo's AAPL 2020-09-01 close 134.18 (first test's file), revised to its adjusted 131.90 by a second file.
    const revised = file(
      'aapl-revised.csv',
      'Date,Open,High,Low,Close,Volume\n2020-09-01,132.76,134.80,130.53,131.90,151948100\n',
    );
    expect(await importFile(db, { file: revised, symbol: 'AAPL', now: NOW })).toMatchObject({ stored: 1 });
    const pts = file('usdc-revised.json', JSON.stringify([{ time: '2023-03-11T01:00:00Z', price: 0.9 }]));
    expect(await importFile(db, { file: pts, symbol: 'USDC', now: NOW })).toMatchObject({ stored: 1 });
    const audit = await listQuarantine(db, { rule: REPLACED_RULE, includeReleased: true });
    const byFile = audit.map((e) => [
      e.symbol,
      e.source,
      (e.raw as { close?: number; price?: number }).close ?? (e.raw as { price?: number }).price,
    ]);
    // the values the revisions overwrote: 134.18 (aapl.csv) and 0.95 (usdc.json, previous test)
    expect(byFile).toEqual(
      expect.arrayContaining([
        // stored bars reach the gate as source `store` (quality/context.ts), as in the pipeline's audit
        ['AAPL', 'store', 134.18],
        ['USDC', 'file:usdc.json', 0.95],
      ]),
    );
    expect(audit.every((e) => e.released_at !== null && e.reason.startsWith('Replaced by file:'))).toBe(true);
  });

  it('reads the yfinance three-row header', async () => {
    const path = file(
      'yf.csv',
      'Price,Close,High,Low,Open,Volume\nTicker,AAPL,AAPL,AAPL,AAPL,AAPL\nDate,,,,,\n2020-01-02,72.7,72.7,71.4,71.6,135480400\n',
    );
    expect(await importFile(db, { file: path, symbol: 'AAPL', now: NOW })).toMatchObject({
      read: 1,
      stored: 1,
    });
  });

  it('names an unknown instrument', async () => {
    const path = file('x.csv', 'date,price\n2023-03-12,1\n');
    await expect(importFile(db, { file: path, symbol: 'NOPE', now: NOW })).rejects.toThrow(
      /unknown instrument "NOPE"/,
    );
  });
});
