import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from '../../src/api/static.ts';
import { type Loopback, startLoopback } from '../../src/sources/testing/loopback.ts';
import { openStore } from '../../src/store/open.ts';
import * as fmt from '../../web/src/lib/format.ts';
import { launchChromium } from './browser.ts';
import { runCli, type ServeProcess, startServe } from './server.ts';

/**
 * The Depegs page's supply panel in Debian's Chromium (headless) against a real `marketpipe serve`, after
 * two real `marketpipe ingest supply` runs against a loopback DefiLlama (the second one a −6 % drop).
 */
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
/** Made-up round numbers: 40e9 for three days, then 37.6e9 now (37.6 / 40 − 1 = −6 %). */
const CHART = [3, 2, 1].map((d) => ({
  date: String((today - d * DAY) / 1000),
  totalCirculating: { peggedUSD: 40_000_000_000 },
}));
let circulating = 40_000_000_000;

let home: string;
let fake: Loopback;
let server: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  await ensureWebBuilt();
  home = await mkdtemp(join(tmpdir(), 'mp-e2e-supply-'));
  fake = await startLoopback((req) => {
    if (req.url.pathname === '/stablecoins')
      return {
        body: {
          peggedAssets: [
            {
              id: '2',
              name: 'USD Coin',
              symbol: 'USDC',
              pegType: 'peggedUSD',
              circulating: { peggedUSD: circulating },
              chainCirculating: { Ethereum: { current: { peggedUSD: circulating * 0.75 } } },
            },
            // a coin with supply but no depeg events and outside the default choices
            {
              id: '120',
              name: 'PayPal USD',
              symbol: 'PYUSD',
              pegType: 'peggedUSD',
              circulating: { peggedUSD: 900_000_000 },
              chainCirculating: { Ethereum: { current: { peggedUSD: 900_000_000 } } },
            },
          ],
        },
      };
    if (req.url.pathname === '/stablecoincharts/all')
      return req.url.searchParams.get('stablecoin') === '120'
        ? { body: CHART.map((d) => ({ ...d, totalCirculating: { peggedUSD: 900_000_000 } })) }
        : { body: CHART };
    return { status: 404, body: {} };
  });
  const store = await openStore({ home, timescale: false });
  await store.db.exec(
    `INSERT INTO market_data.instruments (symbol, asset_class, name, peg_target) VALUES ('USDC', 'stablecoin', 'USD Coin', 1)
       ON CONFLICT (symbol) DO NOTHING;
     INSERT INTO market_data.prices (instrument_id, ts, price, source)
       SELECT id, now() - interval '1 minute', 0.9991, 'coinbase' FROM market_data.instruments WHERE symbol = 'USDC'`,
  );
  await store.close();
  const env = { DEFILLAMA_BASE_URL: fake.baseUrl };
  await runCli(home, ['ingest', 'supply', '--symbols', 'USDC,PYUSD', '--json'], env);
  circulating = 37_600_000_000;
  await runCli(home, ['ingest', 'supply', '--symbols', 'USDC', '--json'], env);
  server = await startServe(home, {});
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('dashboard: stablecoin supply on the Depegs page', () => {
  it('shows USDC circulating supply beside its price, the per-chain table, the daily chart and the supply drop', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: server.url });
    const page = await ctx.newPage();
    await page.goto('/depegs');
    const panel = page.getByTestId('supply-panel');
    await expect
      .poll(() => panel.getByTestId('supply-latest').textContent(), { timeout: 30_000 })
      .toBe(fmt.usd(37_600_000_000));
    await expect
      .poll(() => panel.getByTestId('supply-price').textContent(), { timeout: 10_000 })
      .toBe(fmt.price(0.9991, { assetClass: 'stablecoin' }));
    expect(await panel.getByTestId('supply-chart').count()).toBe(1);
    expect(await panel.getByTestId('supply-chains').textContent()).toContain('Ethereum');
    const drops = panel.getByTestId('supply-drops');
    await expect.poll(() => drops.locator('tbody tr').count(), { timeout: 10_000 }).toBe(1);
    expect(await drops.textContent()).toContain(fmt.change(-0.06));
    // the live alerts banner (every page) names it as a supply drop, not as a depeg
    const item = page.locator('[data-testid="alert-item"][data-asset="USDC"]');
    await expect.poll(() => item.textContent(), { timeout: 10_000 }).toContain('supply drop');
    expect(await item.textContent()).not.toContain('depeg');
    // every coin with supply stored can be chosen: PYUSD (no depeg events) shows its own supply
    const choice = panel.getByTestId('supply-asset');
    await expect
      .poll(() => choice.locator('option').allTextContents(), { timeout: 10_000 })
      .toContain('PYUSD');
    await choice.selectOption('PYUSD');
    await expect
      .poll(() => panel.getByTestId('supply-latest').textContent(), { timeout: 10_000 })
      .toBe(fmt.usd(900_000_000));
    await ctx.close();
  }, 120_000);
});
