import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/api/auth.ts';
import { ensureWebBuilt } from '../../src/api/static.ts';
import { launchChromium } from './browser.ts';
import { type ServeProcess, startServe } from './server.ts';

/**
 * The Admin page's versions panel (issue 24) in Debian's Chromium (headless) against a real `marketpipe
 * serve`: a change applied through the admin API is a version, its diff names the parameter with both values,
 * a rollback from the page restores the earlier value as a new version, and the audit chain verifies.
 */
const SECRET = 'e2e-secret-e2e-secret-e2e-secret-0123456789';

let home: string;
let server: ServeProcess;
let browser: Browser;
let token: string;

beforeAll(async () => {
  await ensureWebBuilt();
  home = await mkdtemp(join(tmpdir(), 'mp-e2e-versions-'));
  server = await startServe(home, { JWT_SECRET: SECRET });
  token = await createToken({ secret: SECRET, user: 'e2e-admin', role: 'admin' });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

async function admin(path: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return res.json();
}

const reserve = async (): Promise<number> => {
  const all = (await admin('/admin/config')) as {
    parameters: Array<{ category: string; key: string; value: unknown }>;
  };
  const p = all.parameters.find((x) => x.category === 'risk' && x.key === 'reserve_multiplier');
  return Number(p?.value);
};

describe('Admin page: config versions', () => {
  it('diffs two versions, rolls back from the page as a new version, and verifies the audit chain', async () => {
    const before = await reserve();
    const next = before === 1.75 ? 1.8 : 1.75;
    const applied = (await admin('/admin/config/changes', {
      method: 'POST',
      body: { changes: [{ category: 'risk', key: 'reserve_multiplier', value: next }], reason: 'e2e stage' },
    })) as { version: { id: number } };
    const v = applied.version.id;
    expect(await reserve()).toBe(next);

    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: server.url });
    await ctx.addInitScript((t: string) => localStorage.setItem('marketpipe.token', t), token);
    const page = await ctx.newPage();
    try {
      await page.goto('/admin');
      const panel = page.locator('[data-testid=versions]');
      await panel.locator('tbody tr', { hasText: 'e2e stage' }).waitFor();
      await panel.locator('select[name=from]').selectOption(String(v - 1));
      await panel.locator('select[name=to]').selectOption(String(v));
      await panel.getByRole('button', { name: 'Diff' }).click();
      const row = panel.locator('[data-testid=diff] tbody tr', { hasText: 'risk.reserve_multiplier' });
      await row.waitFor();
      expect(await row.innerText()).toContain(String(next));
      expect(await row.innerText()).toContain(String(before));

      await panel.locator('input[name=reason]').fill('e2e roll back');
      await panel.getByRole('button', { name: `Roll back to v${v - 1}` }).click();
      await panel.locator('tbody tr', { hasText: 'e2e roll back' }).waitFor();
      // the rollback restored the earlier value, as a new version after v
      expect(await reserve()).toBe(before);
      const versions = (await admin('/admin/config/versions')) as { versions: Array<{ id: number }> };
      expect(Math.max(...versions.versions.map((x) => x.id))).toBeGreaterThan(v);

      await panel.getByRole('button', { name: 'Verify audit chain' }).click();
      await expect
        .poll(async () => (await panel.locator('[data-testid=verify]').innerText()).trim(), {
          timeout: 10_000,
        })
        .toMatch(/^intact: \d+ entries$/);
    } finally {
      await ctx.close();
    }
  }, 90_000);
});
