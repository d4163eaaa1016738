import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApi } from '../api/harness.ts';
import { runMain } from '../support/cli.ts';

let h: ApiHarness;
const dir = mkdtempSync(join(tmpdir(), 'mp-export-api-'));

beforeAll(async () => {
  h = await startApi({ store: 'pglite', seed: false, apiKeys: ['k-export'] });
  await h.db.exec(`
    INSERT INTO market_data.instruments (symbol, asset_class, name, peg_target) VALUES ('USDC', 'stablecoin', 'USD Coin', 1);
    INSERT INTO market_data.prices (instrument_id, ts, price, source)
      SELECT 1, timestamptz '2024-03-01 00:00:00+00' + n * interval '1 hour', 1 - n / 1e4, 'coingecko'
        FROM generate_series(0, 47) n;
  `);
}, 60_000);
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/export/:dataset', () => {
  it('streams CSV with Content-Disposition and the filters applied', async () => {
    const res = await h.app.inject({
      url: '/api/export/prices?format=csv&symbols=usdc&from=2024-03-01T12:00:00Z&to=2024-03-02',
      headers: { 'x-api-key': 'k-export' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="prices-20240301-20240302.csv"');
    const lines = res.body.trimEnd().split('\n');
    expect(lines[0]).toBe('symbol,ts,price,volume,market_cap,source');
    // 12:00 … 23:00 inclusive: 12 hourly prices; the first is 1 − 12/10⁴.
    expect(lines).toHaveLength(13);
    expect(lines[1]).toBe('USDC,2024-03-01T12:00:00.000Z,0.9988,,,coingecko');
  });

  it('serves XLSX a spreadsheet library opens', async () => {
    const res = await h.app.inject({
      url: '/api/export/prices?format=xlsx',
      headers: { 'x-api-key': 'k-export' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="prices.xlsx"');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(book.getWorksheet('prices')?.rowCount).toBe(49);
  });

  it('answers bad requests with 4xx JSON before any byte of a file', async () => {
    const cases = [
      { url: '/api/export/holdings?format=csv', status: 400 },
      { url: '/api/export/prices?format=xml', status: 400 },
      { url: '/api/export/prices?from=yesterday-ish', status: 400 },
      { url: '/api/export/prices?from=2024-03-02&to=2024-03-01', status: 400 },
      // A typo is not "no rows": 404 naming it (USDC is known: its file would just be empty out of range).
      { url: '/api/export/prices?symbols=USDC,NOPE', status: 404 },
      { url: '/api/export/orders?symbols=NOPE', status: 404 },
    ];
    for (const c of cases) {
      const res = await h.app.inject({ url: c.url, headers: { 'x-api-key': 'k-export' } });
      expect(res.statusCode, c.url).toBe(c.status);
      expect(res.json(), c.url).toHaveProperty('error');
    }
    const typo = await h.app.inject({
      url: '/api/export/prices?symbols=USDC,NOPE',
      headers: { 'x-api-key': 'k-export' },
    });
    expect(typo.json()).toEqual({
      error: 'not_found',
      message: expect.stringContaining('unknown symbol NOPE'),
    });
    const empty = await h.app.inject({
      url: '/api/export/prices?symbols=USDC&from=2030-01-01',
      headers: { 'x-api-key': 'k-export' },
    });
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toBe('symbol,ts,price,volume,market_cap,source\n');
    const anon = await h.app.inject({ url: '/api/export/prices' });
    expect(anon.statusCode).toBe(401);
  });
});

describe('marketpipe export (CLI)', () => {
  it('writes the file and prints a JSON summary; bad usage exits 2 with one line', async () => {
    const home = join(dir, 'home');
    const out = join(dir, 'depegs.csv');
    const ok = await runMain(['--home', home, '--json', 'export', 'depegs', '--format', 'csv', '--out', out]);
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ dataset: 'depegs', format: 'csv', out });
    expect(readFileSync(out, 'utf8').split('\n')[0]).toMatch(/^id,asset,start_time,end_time,min_price/);
    const bad = await runMain(['--home', home, 'export', 'bars', '--format', 'xml', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe('marketpipe: --format: expected one of csv, parquet, xlsx, got "xml"');
    const noOut = await runMain(['--home', home, 'export', 'bars']);
    expect(noOut.code).toBe(2);
    expect(noOut.err).toContain('--out FILE');
  }, 60_000);

  it('a bad dataset or date exits 2, an unknown symbol exits 1, each with one line, and the file already at --out is kept', async () => {
    const home = join(dir, 'home-bad');
    const out = join(dir, 'kept.csv');
    writeFileSync(out, 'an earlier export\n');
    const cases = [
      {
        argv: ['export', 'holdings', '--out', out],
        code: 2,
        err: /^marketpipe: export: expected one of bars, .*got "holdings"$/,
      },
      { argv: ['export', 'bars', '--from', 'yesterday-ish', '--out', out], code: 2, err: /--from/ },
      {
        argv: ['export', 'bars', '--from', '2024-03-02', '--to', '2024-03-01', '--out', out],
        code: 2,
        err: /before --to/,
      },
      { argv: ['export', 'bars', '--symbols', 'NOPE', '--out', out], code: 1, err: /unknown symbol NOPE/ },
    ];
    for (const c of cases) {
      const r = await runMain(['--home', home, ...c.argv]);
      expect(r.code, c.argv.join(' ')).toBe(c.code);
      expect(r.err.trimEnd().split('\n'), c.argv.join(' ')).toHaveLength(1);
      expect(r.err.trim(), c.argv.join(' ')).toMatch(c.err);
      expect(readFileSync(out, 'utf8')).toBe('an earlier export\n');
    }
    expect(existsSync(`${out}.partial`)).toBe(false);
  }, 60_000);
});
