import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../src/importer/import.ts';
import type { Db } from '../../src/store/db.ts';
import { countBars, readBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { countPrices } from '../../src/store/repos/prices.ts';
import { testBackends } from '../store/backends.ts';

const dir = mkdtempSync(join(tmpdir(), 'mp-hostile-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const NOW = Date.UTC(2026, 0, 1);
const HEADER = 'ts,open,high,low,close\n';
const GOOD = '2024-04-30,1,2,0.5,1.5\n';

/** Writes `mb` MiB of `fill` on one line, in 1 MiB pieces (the file is never held in memory at once). */
async function oneLineFile(name: string, head: string, fill: string, mb: number): Promise<string> {
  const path = join(dir, name);
  const out = createWriteStream(path);
  out.write(head);
  const piece = fill.repeat(Math.ceil((1024 * 1024) / fill.length));
  for (let i = 0; i < mb; i++)
    if (!out.write(piece)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return path;
}

// Parsing happens before anything touches the store, so one backend shows the behaviour.
const [backend] = await testBackends('import-hostile');

describe('import refuses hostile numbers, dates and lines with file:line and writes nothing', () => {
  let db: Db;
  beforeAll(async () => {
    if (!backend) throw new Error('no test backend');
    db = await backend.open();
    await upsertInstruments(db, [
      { symbol: 'AAPL', assetClass: 'equity', name: 'Apple', currency: 'USD', timezone: 'America/New_York' },
    ]);
  });
  afterAll(async () => backend?.dispose(db));

  const refuse = async (path: string, message: string) => {
    const before = [await countBars(db), await countPrices(db)];
    await expect(importFile(db, { file: path, symbol: 'AAPL', now: NOW })).rejects.toThrow(message);
    expect([await countBars(db), await countPrices(db)]).toEqual(before);
  };

  it.each([
    ['0x64', 'high "0x64" is not a number'],
    ['Infinity', 'high "Infinity" is not a number'],
    ['NaN', 'high "NaN" is not a number'],
    ['1e308', 'high "1e308" is beyond ±1e+15'],
  ])('CSV %s', async (value, reason) => {
    const path = file(`num-${value}.csv`, `${HEADER}${GOOD}2024-05-01,1,${value},0.5,1.5\n`);
    await refuse(path, `${path}:3: ${reason}`);
  });

  it('JSON numbers: 1e308, an overflowing 1e999 and a hex string', async () => {
    const big = file('big.json', '[{"ts":"2024-04-30","price":1},\n{"ts":"2024-05-01","price":1e308}]');
    await refuse(big, `${big}:2: price 1e+308 is beyond ±1e+15`);
    const inf = file('inf.ndjson', '{"ts":"2024-04-30","price":1}\n{"ts":"2024-05-01","price":1e999}\n');
    await refuse(inf, `${inf}:2: price Infinity is not a finite number`);
    const hex = file('hex.json', '[{"ts":"2024-05-01","price":"0x64"}]');
    await refuse(hex, `${hex}:1: price "0x64" is not a number`);
  });

  it('reads 20240501 as 1 May 2024, never as a 1970 bar', async () => {
    const path = file('compact.csv', `${HEADER}20240501,1,2,0.5,1.5\n`);
    const s = await importFile(db, { file: path, symbol: 'AAPL', now: NOW });
    expect(s).toMatchObject({ read: 1, stored: 1 });
    const bars = await readBars(db, 'AAPL', '1d', { from: 0, to: NOW });
    expect(bars.map((b) => new Date(b.ts).toISOString())).toEqual(['2024-05-01T00:00:00.000Z']);
  });

  it('refuses times that fit neither seconds nor milliseconds, and non-ISO spellings', async () => {
    const tiny = file('tiny.csv', `${HEADER}${GOOD}12345,1,2,0.5,1.5\n`);
    await refuse(tiny, `${tiny}:3: ts "12345" is neither Unix seconds nor Unix milliseconds`);
    const gap = file('gap.csv', `${HEADER}50000000000,1,2,0.5,1.5\n`);
    await refuse(gap, `${gap}:2: ts "50000000000" is neither`);
    const prose = file('prose.json', '[{"ts":"May 1, 2024","price":1}]');
    await refuse(prose, `${prose}:1: ts "May 1, 2024" is not an ISO-8601 date or time`);
  });

  it('ends a multi-MB single-line CSV with line too long, in bounded memory', async () => {
    const path = await oneLineFile('long.csv', `${HEADER}${GOOD}`, '1234567890', 32);
    const heapBefore = process.memoryUsage().heapUsed;
    await refuse(path, `${path}:3: line too long`);
    // 32 MiB of one line held as a string would add ≥ 32 MiB; the reader keeps at most the 1 MiB limit + a
    // chunk (16 MiB of room for whatever else the process allocates meanwhile)
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(16 * 1024 * 1024);
  });

  it('ends a multi-MB single JSON element (array and NDJSON) with line too long', async () => {
    const arr = await oneLineFile('long.json', '[{"ts":"2024-05-01","note":"', 'abcdefghij', 4);
    await refuse(arr, `${arr}:1: line too long`);
    const nd = await oneLineFile('long.ndjson', '{"ts":"2024-04-30","price":1}\n{"note":"', 'abcdefghij', 4);
    await refuse(nd, `${nd}:2: line too long`);
  });
});
