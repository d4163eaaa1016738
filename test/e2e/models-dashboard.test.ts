import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from '../../src/api/static.ts';
import { pairedMetrics } from '../../src/models/metrics.ts';
import { pairedVolMetrics } from '../../src/models/vol-model.ts';
import { openStore } from '../../src/store/open.ts';
import { insertModelVersion } from '../../src/store/repos/models.ts';
import { launchChromium } from './browser.ts';
import { type ServeProcess, startServe } from './server.ts';

/**
 * The Models page in Debian's Chromium (headless) against a real `marketpipe serve`: a volatility model's
 * versions show QLIKE and MSE beside the EWMA baseline with their intervals, a regime model AUC, Brier and
 * log-loss beside persistence with its calibration plot. The versions are stored through the registry
 * with metrics computed by the project's own scorers from the stored forecasts (made-up round numbers).
 */
const DAY = 86_400_000;
const T0 = Date.parse('2024-01-01');
/** Realised r² and the model's and EWMA's variance forecasts of 60 days (made-up, smooth). */
const volRows = Array.from({ length: 60 }, (_, i) => ({
  asset: 'BTC',
  ts: T0 + i * DAY,
  y: 0.0004 * (1 + Math.sin(i / 5)) ** 2,
  p: 0.0004 * (1 + 0.8 * Math.sin(i / 5)) ** 2 + 0.00002,
  p_baseline: 0.0004,
}));
const regRows = Array.from({ length: 80 }, (_, i) => ({
  asset: 'BTC+ETH+SPY',
  ts: T0 + i * DAY,
  y: i % 20 < 8 ? 1 : 0,
  p: i % 20 < 8 ? 0.7 : 0.2,
  p_baseline: 0.4,
}));
const [volM, volB] = pairedVolMetrics(
  [volRows.map((r) => r.p), volRows.map((r) => r.p_baseline)],
  volRows.map((r) => r.y),
  { seed: 1, resamples: 200 },
);
const [regM, regB] = pairedMetrics(
  [regRows.map((r) => r.p), regRows.map((r) => r.p_baseline)],
  regRows.map((r) => r.y),
  { seed: 1, resamples: 200, blockLength: 5 },
);
/** The page's number format: 4 decimals, or exponent form with 2 decimals below 1e-3. */
const num = (x: number) => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toFixed(4));
const shown = (e: { value: number; lo: number; hi: number }) =>
  `${num(e.value)} [${num(e.lo)}, ${num(e.hi)}]`;

let home: string;
let server: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  await ensureWebBuilt();
  home = await mkdtemp(join(tmpdir(), 'mp-e2e-models-'));
  const store = await openStore({ home, timescale: false });
  const base = { params: {}, trainFrom: T0 - 400 * DAY, trainTo: T0 + 80 * DAY, model: {}, seed: 1 };
  await insertModelVersion(
    store.db,
    {
      ...base,
      name: 'vol',
      task: 'vol',
      features: ['r2_history'],
      metrics: volM,
      baseline: volB,
      betterThanBaseline: true,
    },
    volRows,
  );
  await insertModelVersion(
    store.db,
    {
      ...base,
      name: 'regimes',
      task: 'regimes',
      features: ['avg_correlation', 'correlation_dispersion'],
      metrics: regM,
      baseline: regB,
      betterThanBaseline: true,
    },
    regRows,
  );
  await store.close();
  server = await startServe(home, {});
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('dashboard: Models page', () => {
  it('volatility: QLIKE and MSE of the model beside EWMA, with intervals and the block length; no calibration plot', async () => {
    expect(volM && volB).toBeTruthy();
    if (!volM || !volB) return;
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: server.url });
    const page = await ctx.newPage();
    await page.goto('/models');
    await page.locator('input[name="model"][value="vol"]').check();
    const table = page.locator('[data-testid="model-versions"][data-task="vol"]');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 30_000 }).toBe(1);
    const head = await table.locator('thead').textContent();
    expect(head).toContain('QLIKE model');
    expect(head).toContain('QLIKE EWMA');
    expect(head).toContain('MSE EWMA');
    expect(head).not.toContain('AUC');
    const cell = (col: string) => table.locator(`td[data-col="${col}"]`).textContent();
    expect(await cell('qlike-model')).toBe(shown(volM.qlike));
    expect(await cell('qlike-baseline')).toBe(shown(volB.qlike));
    expect(await cell('mse-model')).toBe(shown(volM.mse));
    expect(await cell('mse-baseline')).toBe(shown(volB.mse));
    // ⌈60^(1/3)⌉ = 4 consecutive days per block.
    expect(await page.getByTestId('model-intervals').textContent()).toContain('blocks of 4 consecutive');
    expect(await page.getByTestId('calibration').count()).toBe(0);
    await ctx.close();
  }, 120_000);

  it('regimes: AUC, Brier and log-loss beside persistence, with the calibration plot', async () => {
    if (!regM || !regB) return;
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: server.url });
    const page = await ctx.newPage();
    await page.goto('/models');
    await page.locator('input[name="model"][value="regimes"]').check();
    const table = page.locator('[data-testid="model-versions"][data-task="regimes"]');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 30_000 }).toBe(1);
    expect(await table.locator('thead').textContent()).toContain('Log-loss persistence');
    const cell = (col: string) => table.locator(`td[data-col="${col}"]`).textContent();
    expect(await cell('auc-model')).toBe(shown(regM.auc));
    expect(await cell('brier-baseline')).toBe(shown(regB.brier));
    expect(await cell('log_loss-model')).toBe(shown(regM.log_loss));
    expect(await page.getByTestId('model-intervals').textContent()).toContain('blocks of 5 consecutive');
    expect(await page.getByTestId('calibration').count()).toBe(1);
    await ctx.close();
  }, 120_000);
});
