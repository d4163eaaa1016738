import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/api/auth.ts';
import { ensureWebBuilt } from '../../src/api/static.ts';
import { openStore } from '../../src/store/open.ts';
import { clearHalt, insertOrder, listHalts, setHalt } from '../../src/store/repos/execution.ts';
import * as fmt from '../../web/src/lib/format.ts';
import { launchChromium } from './browser.ts';
import { type ServeProcess, startServe } from './server.ts';
import { seedTrading, TRADING_EXPECTED } from './trading-seed.ts';

/**
 * The Trading page in Debian's Chromium (headless) against a real `marketpipe serve` on a temp embedded store
 * holding orders and positions written through the execution repository (expected numbers worked by hand in
 * test/e2e/trading-seed.ts): the tables and P&L show them, the status filter narrows the orders, rows and
 * halts written by another process appear without a reload, halt and resume from the page are stored, and a
 * viewer's halt is refused with the server's message on the page.
 */
const SECRET = 'e2e-secret-e2e-secret-e2e-secret-trading';

let home: string;
let server: ServeProcess;
let browser: Browser;
let admin: string;
let viewer: string;

beforeAll(async () => {
  await ensureWebBuilt();
  home = await mkdtemp(join(tmpdir(), 'mp-e2e-trading-'));
  const store = await openStore({ home, timescale: false });
  await seedTrading(store.db);
  await store.close();
  server = await startServe(home, { JWT_SECRET: SECRET });
  admin = await createToken({ secret: SECRET, user: 'e2e-admin', role: 'admin' });
  viewer = await createToken({ secret: SECRET, user: 'e2e-viewer', role: 'viewer' });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

async function openAs(token: string): Promise<{ page: Page; close(): Promise<void> }> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: server.url });
  await ctx.addInitScript((t: string) => localStorage.setItem('marketpipe.token', t), token);
  const page = await ctx.newPage();
  await page.goto('/trading');
  return { page, close: () => ctx.close() };
}

const rowTexts = (page: Page, table: string): Promise<string[]> =>
  page.locator(`[data-testid=${table}] tbody tr`).allInnerTexts();

async function statusJson(): Promise<{ halted: boolean; reason: string | null }> {
  const res = await fetch(`${server.url}/api/trading/status`);
  return (await res.json()) as { halted: boolean; reason: string | null };
}

describe('Trading page', () => {
  it('shows positions, P&L and orders, filters by status, refreshes live, halts and resumes', async () => {
    const { page, close } = await openAs(admin);
    const client = await openStore({ home, timescale: false });
    try {
      await page.locator('[data-testid=positions] tbody tr').nth(1).waitFor();
      const positions = await rowTexts(page, 'positions');
      expect(positions).toHaveLength(2);
      TRADING_EXPECTED.positions.forEach((p, i) => {
        const row = positions[i] ?? '';
        expect(row).toContain(p.symbol);
        expect(row).toContain(fmt.num(p.qty, 4));
        expect(row).toContain(fmt.price(p.avg_price));
        expect(row).toContain(fmt.num(p.market_value, 2));
        expect(row).toContain(fmt.num(p.unrealized_pnl, 2));
      });
      const pnl = await page.locator('[data-testid=pnl]').innerText();
      expect(pnl).toContain(fmt.num(TRADING_EXPECTED.pnlToday, 2));
      expect(pnl).toContain(fmt.num(TRADING_EXPECTED.unrealized, 2));
      expect(pnl).toContain(fmt.num(TRADING_EXPECTED.pnlTodayTotal, 2));
      for (const label of [
        'P&L today (realised)',
        'P&L today (unrealised)',
        'P&L today (total)',
        'Unrealised since entry',
      ])
        expect(await page.locator('[data-testid=pnl]').textContent()).toContain(label);

      // strategy halts show their kind: a daily-loss halt is reducing, a manual one by a user named risk is total
      await setHalt(
        client.db,
        'strategy:e2e-loss',
        'loss today 600 reached 500',
        'risk',
        Date.now(),
        'daily_loss',
      );
      await setHalt(client.db, 'strategy:e2e-ops', 'desk stop', 'risk');
      const loss = page.locator('[data-testid=strategy-halts] li[data-kind=daily_loss]');
      await loss.waitFor({ timeout: 15_000 });
      expect(await loss.textContent()).toContain('reducing (daily loss): exits only');
      const ops = page.locator('[data-testid=strategy-halts] li[data-kind=manual]');
      await ops.waitFor({ timeout: 15_000 });
      expect(await ops.textContent()).toContain('halted (manual): no orders');
      await clearHalt(client.db, 'strategy:e2e-loss');
      await clearHalt(client.db, 'strategy:e2e-ops');
      await page.locator('[data-testid=strategy-halts]').waitFor({ state: 'detached', timeout: 15_000 });

      const orders = page.locator('[data-testid=orders] tbody tr');
      await orders.nth(4).waitFor();
      expect(await orders.count()).toBe(5);
      const buy = await orders.filter({ hasText: 'e2e-btc-buy' }).innerText();
      for (const s of ['paper', 'BTC', 'buy', 'market', 'filled', fmt.price(48_500)])
        expect(buy).toContain(s);

      const filter = page.locator('[data-testid=order-status]');
      await filter.selectOption('rejected');
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid=orders] tbody tr').length === 1,
      );
      const rejected = await rowTexts(page, 'orders');
      expect(rejected[0]).toContain('e2e-spy-big');
      expect(rejected[0]).toContain('max_order_notional');
      await filter.selectOption('filled');
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid=orders] tbody tr').length === 2,
      );
      expect((await rowTexts(page, 'orders')).map((t) => /e2e-[a-z-]+/.exec(t)?.[0])).toEqual([
        'e2e-btc-trim',
        'e2e-btc-buy',
      ]);
      await filter.selectOption('cancelled');
      await orders.filter({ hasText: 'e2e-btc-takeprofit' }).waitFor();
      expect(await orders.count()).toBe(1);
      await filter.selectOption('');

      // the orders as CSV through the table's download link (every order, whatever the filter)
      const href = await page
        .locator('[data-testid=export-orders] a', { hasText: 'CSV' })
        .getAttribute('href');
      const csv = (await (await fetch(`${server.url}${href ?? ''}`)).text()).trimEnd().split('\n');
      expect(csv[0]).toBe(
        'id,client_order_id,broker,strategy,symbol,side,type,qty,limit_price,status,filled_qty,avg_price,reason,created_at,updated_at',
      );
      expect(csv.slice(1).map((l) => l.split(',')[1])).toEqual(Object.keys(TRADING_EXPECTED.orders));

      // another process (a `trade run`) stores an order and halts: the page shows both without a reload
      await insertOrder(client.db, {
        clientOrderId: 'e2e-live-order',
        broker: 'paper',
        symbol: 'SPY',
        side: 'buy',
        type: 'market',
        qty: 3,
      });
      await orders.filter({ hasText: 'e2e-live-order' }).waitFor({ timeout: 15_000 });
      const state = page.locator('[data-testid=halt-state]');
      expect(await state.getAttribute('data-halted')).toBe('false');
      await setHalt(client.db, 'global', 'max_daily_loss breached', 'runner');
      await page.locator('[data-testid=halt-state][data-halted=true]').waitFor({ timeout: 15_000 });
      expect(await state.textContent()).toContain('max_daily_loss breached');

      // resume from the page, then halt from the page: both stored
      await page.getByRole('button', { name: 'Resume trading' }).click();
      await page.locator('[data-testid=halt-state][data-halted=false]').waitFor();
      expect(await listHalts(client.db)).toEqual([]);
      expect((await statusJson()).halted).toBe(false);

      await page.locator('input[name=reason]').fill('e2e desk halt');
      await page.getByRole('button', { name: 'Halt trading' }).click();
      await page.locator('[data-testid=halt-state][data-halted=true]').waitFor();
      expect((await page.locator('[data-testid=halt-reason]').textContent())?.trim()).toBe('e2e desk halt');
      expect((await listHalts(client.db)).map((h) => [h.scope, h.reason, h.actor])).toEqual([
        ['global', 'e2e desk halt', 'e2e-admin'],
      ]);
      expect(await statusJson()).toMatchObject({ halted: true, reason: 'e2e desk halt' });

      await page.getByRole('button', { name: 'Resume trading' }).click();
      await page.locator('[data-testid=halt-state][data-halted=false]').waitFor();
      expect(await listHalts(client.db)).toEqual([]);
      expect(await statusJson()).toMatchObject({ halted: false, reason: null });
    } finally {
      await client.close();
      await close();
    }
  }, 90_000);

  it("refuses a viewer's halt and shows the server's message", async () => {
    const { page, close } = await openAs(viewer);
    try {
      await page.locator('[data-testid=halt-state][data-halted=false]').waitFor();
      await page.locator('input[name=reason]').fill('not allowed');
      await page.getByRole('button', { name: 'Halt trading' }).click();
      const msg = page.locator('[data-testid=halt-message][role=alert]');
      await msg.waitFor();
      const text = (await msg.textContent()) ?? '';
      expect(text).toContain('Could not halt');
      expect(text).toContain('e2e-viewer is a viewer; this needs the admin role');
      expect(await page.locator('[data-testid=halt-state]').getAttribute('data-halted')).toBe('false');
      expect((await statusJson()).halted).toBe(false);
    } finally {
      await close();
    }
  }, 60_000);
});
