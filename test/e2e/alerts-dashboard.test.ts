import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from '../../src/api/static.ts';
import { PgPubSub } from '../../src/cache/pg-pubsub.ts';
import { createLogger } from '../../src/core/log.ts';
import { DepegMonitor } from '../../src/live/alerts/depeg-monitor.ts';
import { AlertNotifier } from '../../src/live/alerts/notifier.ts';
import { realClock } from '../../src/live/alerts/timers.ts';
import { openStore } from '../../src/store/open.ts';
import { insertAlert } from '../../src/store/repos/alerts.ts';
import * as fmt from '../../web/src/lib/format.ts';
import { launchChromium } from './browser.ts';
import { type ServeProcess, startServe } from './server.ts';

/**
 * Live alerts in the dashboard, in Debian's Chromium (headless) against a real `marketpipe serve`: the
 * alerts come from this test process through the embedded store's LISTEN/NOTIFY, as they would from a
 * `marketpipe stream` process.
 */

let home: string;
let server: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  await ensureWebBuilt();
  home = await mkdtemp(join(tmpdir(), 'mp-e2e-alerts-'));
  // an alert raised before the page opens: the banner shows it from GET /api/alerts
  const store = await openStore({ home, timescale: false });
  await insertAlert(store.db, {
    type: 'depeg',
    asset: 'DAI',
    ts: Date.now() - 60_000,
    price: 0.991,
    threshold: 0.005,
    venues: ['coinbase', 'kraken'],
    details: {},
  });
  await store.close();
  server = await startServe(home, {});
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('dashboard live alerts', () => {
  it('shows stored and live depeg alerts on every page, then the recovery; the Risk page shows live VaR', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: server.url });
    const page = await ctx.newPage();
    const client = await openStore({ home, timescale: false });
    const pubsub = new PgPubSub(client.db);
    const notifier = new AlertNotifier({ db: client.db, pubsub, log: createLogger('silent') });
    const monitor = new DepegMonitor({
      pegs: new Map([['USDC', 1]]),
      config: { getFloat: (_c, key, fb) => (key === 'depeg_min_seconds' ? 0.2 : (fb ?? 0)) },
      clock: realClock,
      onEvent: (e) => notifier.handle(e),
      onArm: (a) => notifier.prepare(a),
    });
    try {
      await page.goto('/correlations');
      await page.locator('[data-testid=alert-item][data-asset=DAI]').waitFor({ timeout: 20_000 });
      expect(await page.locator('[data-testid=alert-item][data-asset=DAI]').textContent()).toContain('depeg');

      await page.goto('/risk');
      await page.locator('[data-testid=alert-item][data-asset=DAI]').waitFor({ timeout: 20_000 });
      // give the page's /ws/alerts a moment to connect before the live alert is raised
      await page.waitForTimeout(1500);
      monitor.onComposite({ symbol: 'USDC', price: 1, ts: Date.now(), venues: ['kraken'] });
      monitor.onComposite({ symbol: 'USDC', price: 0.97, ts: Date.now(), venues: ['binance', 'kraken'] });
      const usdc = page.locator('[data-testid=alert-item][data-asset=USDC]');
      await usdc.waitFor({ timeout: 20_000 });
      expect(await usdc.getAttribute('data-state')).toBe('open');
      expect(await usdc.textContent()).toContain(fmt.price(0.97, { assetClass: 'stablecoin' }));

      monitor.onComposite({ symbol: 'USDC', price: 0.9999, ts: Date.now(), venues: ['binance', 'kraken'] });
      await page
        .locator('[data-testid=alert-item][data-asset=USDC][data-state=recovered]')
        .waitFor({ timeout: 20_000 });
      expect(await usdc.textContent()).toContain('back on peg');

      // live VaR on the Risk page without a reload
      await pubsub.publish('risk_updates', {
        type: 'risk_update',
        portfolio: 'default',
        var_95: 1_234_567,
        var_99: 2_345_678,
        cvar_95: 1_500_000,
        simulations: 2000,
        trigger: { symbol: 'USDT', price: 0.98, reference: 1, move: -0.02 },
      });
      const live = page.locator('[data-testid=live-var]');
      await live.waitFor({ timeout: 20_000 });
      const shown = await live.textContent();
      expect(shown).toContain(fmt.usd(1_234_567));
      expect(shown).toContain(fmt.usd(2_345_678));
      expect(shown).toContain('USDT');
    } finally {
      await monitor.close();
      await notifier.flush();
      await pubsub.close();
      await client.close();
      await ctx.close();
    }
  }, 90_000);
});
