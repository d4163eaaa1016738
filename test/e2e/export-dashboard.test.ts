import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from '../../src/api/static.ts';
import { openStore } from '../../src/store/open.ts';
import { launchChromium } from './browser.ts';
import { type ServeProcess, startServe } from './server.ts';

/**
 * The dashboard's download links in Debian's Chromium (headless) against a real `marketpipe serve`: a click
 * on the Asset page's chart links downloads the bars the chart shows (same symbol, interval and range), and
 * the Monitor page's quarantine links download the quarantined rows. Files are read back from the browser's
 * downloads.
 */
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
/** Daily BTC bars, the last one yesterday: more than the Asset page's default 3M range shows. */
const BARS = 200;

let home: string;
let server: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  await ensureWebBuilt();
  home = await mkdtemp(join(tmpdir(), 'mp-e2e-export-'));
  const store = await openStore({ home, timescale: false });
  await store.db.exec(`
    INSERT INTO market_data.instruments (symbol, asset_class, name) VALUES ('BTC', 'crypto', 'Bitcoin')
      ON CONFLICT (symbol) DO NOTHING;
    INSERT INTO market_data.bars (instrument_id, interval, ts, open, high, low, close, volume, source)
      SELECT i.id, '1d', to_timestamp(${today / 1000}) - n * interval '1 day', 100 + n, 101 + n, 99 + n, 100.5 + n, 10, 'synthetic'
        FROM market_data.instruments i, generate_series(1, ${BARS}) n WHERE i.symbol = 'BTC';
    INSERT INTO ops.quarantine (symbol, interval, source, rule, reason, raw, ts)
      VALUES ('BTC', '1d', 'binance', 'price_bounds', 'close 0 <= 0', '{"close": 0}', to_timestamp(${today / 1000})),
             ('BTC', '1d', 'binance', 'ohlc_consistency', 'high < low', '{"high": 1, "low": 2}', to_timestamp(${today / 1000}));
  `);
  await store.close();
  server = await startServe(home, {});
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

/** Clicks the `format` link of the `dataset` links and returns the downloaded file and its URL. */
async function download(page: Page, dataset: string, format: string, nth = 0) {
  const link = page.getByTestId(`export-${dataset}`).nth(nth).locator(`a[data-format="${format}"]`);
  const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = await dl.path();
  return { url: new URL(dl.url()), name: dl.suggestedFilename(), bytes: await readFile(path) };
}

describe('dashboard: download links', () => {
  it('Asset page: the chart links download exactly the bars on the chart, as CSV and Parquet', async () => {
    const ctx = await browser.newContext({ baseURL: server.url, acceptDownloads: true });
    const page = await ctx.newPage();
    await page.goto('/asset/BTC');
    const caption = page.locator('p.muted.small', { hasText: ' bars ·' });
    await caption.waitFor();
    // "N 1d bars · first → last UTC": the count the chart shows.
    const shown = Number(/(\d+)\s+1d\s+bars/.exec((await caption.textContent()) ?? '')?.[1]);
    expect(shown).toBeGreaterThan(60);
    expect(shown).toBeLessThan(BARS);

    const csv = await download(page, 'bars', 'csv');
    expect(csv.url.pathname).toBe('/api/export/bars');
    expect(csv.url.searchParams.get('symbols')).toBe('BTC');
    expect(csv.url.searchParams.get('interval')).toBe('1d');
    expect(csv.url.searchParams.get('from')).toMatch(/^\d{4}-\d\d-\d\dT00:00:00\.000Z$/);
    expect(csv.name).toMatch(/^bars-1d-\d{8}-\d{8}\.csv$/);
    const lines = csv.bytes.toString('utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('symbol,interval,ts,open,high,low,close,volume,source');
    expect(lines).toHaveLength(shown + 1);
    // The newest bar is yesterday's (n = 1 of the seed: open 101, close 101.5).
    expect(lines.at(-1)).toBe(`BTC,1d,${new Date(today - DAY).toISOString()},101,102,100,101.5,10,synthetic`);

    const parquet = await download(page, 'bars', 'parquet');
    expect(parquet.bytes.subarray(0, 4).toString('latin1')).toBe('PAR1');
    expect(parquet.bytes.subarray(-4).toString('latin1')).toBe('PAR1');

    // Another range: the links follow it.
    await page.locator('button[data-range="1M"]').click();
    await page.waitForFunction(() => {
      const a = document.querySelector('[data-testid="export-bars"] a[data-format="csv"]');
      const from = a ? new URL(a.getAttribute('href') ?? '', location.href).searchParams.get('from') : null;
      return from !== null && Date.now() - Date.parse(from) < 40 * 86_400_000;
    });
    await ctx.close();
  }, 120_000);

  it('Monitor page: the quarantine links download the quarantined rows (CSV and XLSX)', async () => {
    const ctx = await browser.newContext({ baseURL: server.url, acceptDownloads: true });
    const page = await ctx.newPage();
    await page.goto('/monitor');
    const csv = await download(page, 'quarantine', 'csv');
    expect(csv.name).toBe('quarantine.csv');
    const lines = csv.bytes.toString('utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('id,created_at,symbol,interval,source,rule,reason,ts,released_at,raw');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain(',BTC,1d,binance,ohlc_consistency,high < low,');
    const xlsx = await download(page, 'quarantine', 'xlsx');
    expect(xlsx.name).toBe('quarantine.xlsx');
    // A zip (local file header "PK\3\4") of some size.
    expect(xlsx.bytes.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    expect(xlsx.bytes.length).toBeGreaterThan(3000);
    await ctx.close();
  }, 120_000);
});
