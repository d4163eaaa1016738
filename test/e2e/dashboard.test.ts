import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/api/auth.ts';
import { ensureWebBuilt } from '../../src/api/static.ts';
import * as fmt from '../../web/src/lib/format.ts';
import { launchChromium } from './browser.ts';
import { type SeededFeeds, seedStore } from './seed.ts';
import { REPO, runCli, type ServeProcess, startServe } from './server.ts';

/**
 * The dashboard end to end: a real `marketpipe serve` process on a small seeded embedded store, driven by
 * Debian's Chromium (headless) through playwright-core. Screenshots of every page at 1440 px and 390 px go
 * to test-results/.
 */

const SECRET = 'e2e-secret-e2e-secret-e2e-secret-0123456789';
const SHOTS = join(REPO, 'test-results');
const WIDTHS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

let home: string;
let server: ServeProcess;
let browser: Browser;
let token: string;
let feeds: SeededFeeds;

beforeAll(async () => {
  await Promise.all([ensureWebBuilt(), mkdir(SHOTS, { recursive: true })]);
  home = await mkdtemp(join(tmpdir(), 'mp-e2e-'));
  ({ feeds } = await seedStore(home));
  server = await startServe(home, { JWT_SECRET: SECRET });
  token = await createToken({ secret: SECRET, user: 'e2e-admin', role: 'admin' });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

async function newContext(
  width: number,
  height: number,
  opts: { admin?: boolean; watchlist?: string[] } = {},
) {
  const ctx: BrowserContext = await browser.newContext({ viewport: { width, height }, baseURL: server.url });
  const init: Record<string, string> = {};
  if (opts.admin) init['marketpipe.token'] = token;
  if (opts.watchlist) init['marketpipe.watchlist'] = JSON.stringify(opts.watchlist);
  await ctx.addInitScript((items: Record<string, string>) => {
    // Only the first load of a fresh context: reloads keep what the page stored.
    for (const [k, v] of Object.entries(items))
      if (localStorage.getItem(k) === null) localStorage.setItem(k, v);
  }, init);
  return ctx;
}

/** Text content of one element ('' when empty). */
async function text(l: Locator): Promise<string> {
  return (await l.textContent()) ?? '';
}

/** Text of every match, joined. */
async function texts(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).allInnerTexts()).join(' | ');
}

/**
 * expect.poll with room for a loaded CI machine: a page fills in from several independent fetches, so every
 * check on its content waits (up to 15 s) for the data instead of reading the first render.
 */
function poll<T>(fn: () => Promise<T> | T, opts: { timeout?: number } = {}) {
  return expect.poll(fn, { timeout: opts.timeout ?? 15_000, interval: 100 });
}

const DIGITS = /\d/;
const MONEY = /\$\d/;

/** Each page with the check that proves it shows real numbers from the seeded store. */
const PAGES: Array<{ name: string; path: string; check: (page: Page) => Promise<void> }> = [
  {
    name: 'markets',
    path: '/',
    check: async (page) => {
      await page.locator('[data-testid=asset-class]').first().waitFor();
      await poll(() => page.locator('[data-testid=asset-class]').count()).toBeGreaterThanOrEqual(3);
      await poll(() => texts(page, '[data-testid=watchlist] [data-testid=price]')).toMatch(/\d+\.\d/);
    },
  },
  {
    name: 'asset',
    path: '/asset/BTC',
    check: async (page) => {
      await page.locator('.price-chart canvas').first().waitFor();
      await poll(async () =>
        Number(await page.locator('.price-chart').getAttribute('data-bars')),
      ).toBeGreaterThan(20);
      await poll(() => texts(page, '.card .value')).toMatch(DIGITS);
    },
  },
  {
    name: 'monitor',
    path: '/monitor',
    check: async (page) => {
      await page.locator('[data-testid=symbols] tbody tr').first().waitFor();
      await poll(() => texts(page, '[data-testid=coverage-card]')).toMatch(/\d[\d,]* records/);
      // Economic data, news and events report what the seed stored (/api/monitor/feeds), not "No data".
      const card = (schema: string) =>
        text(page.locator(`[data-testid=coverage-card][data-schema=${schema}]`));
      const records = (n: number) => `${n.toLocaleString('en-US')} records`;
      await poll(() => card('economic_data')).toContain(records(feeds.economic));
      await poll(() => card('economic_data')).toContain('2 series');
      await poll(() => card('news')).toContain(records(feeds.news));
      await poll(() => card('events')).toContain(records(feeds.events));
      for (const n of Object.values(feeds)) expect(n).toBeGreaterThan(0);
      await poll(() => page.locator('[data-testid=symbols] tbody tr').count()).toBeGreaterThanOrEqual(8);
    },
  },
  {
    name: 'correlations',
    path: '/correlations',
    check: async (page) => {
      await page.locator('[data-testid=heatmap] rect').first().waitFor();
      await poll(() => page.locator('[data-testid=heatmap] rect').count()).toBeGreaterThanOrEqual(16);
      await poll(() => texts(page, '.panel')).toMatch(/ρ [−-]?\d\.\d+/);
    },
  },
  {
    name: 'depegs',
    path: '/depegs',
    check: async (page) => {
      await page.locator('[data-testid=depeg-table] tbody tr').first().waitFor();
      await poll(() => texts(page, '[data-testid=depeg-table] tbody')).toMatch(/USDC/);
      await page.locator('[data-testid=depeg-table] tbody tr', { hasText: 'USDC' }).first().click();
      await page.locator('.price-chart canvas').first().waitFor();
    },
  },
  {
    name: 'risk',
    path: '/risk',
    check: async (page) => {
      await page.locator('[data-testid=risk-summary]').waitFor();
      await poll(() => texts(page, '[data-testid=risk-summary] .value')).toMatch(MONEY);
      // The history picker lists the stored reports (GET /api/risk/reports): the seed stored one, with its alert count.
      await poll(() => texts(page, '[data-testid=report-picker] option')).toMatch(
        /\d{4}-\d{2}-\d{2} · \d+ alerts?/,
      );
    },
  },
  {
    name: 'jobs',
    path: '/jobs',
    check: async (page) => {
      await page.locator('h1', { hasText: 'Jobs' }).waitFor();
      // Either the job table or a state that says what to do; never a blank page.
      await poll(() => texts(page, 'main')).toMatch(/Job|job/);
    },
  },
  {
    name: 'admin',
    path: '/admin',
    check: async (page) => {
      await page.locator('details.category').first().waitFor();
      await poll(() => text(page.locator('[data-testid=who]'))).toBe('e2e-admin');
      await page.locator('details.category summary', { hasText: 'risk' }).first().click();
      await page.locator('[data-param^="risk."]').first().waitFor();
      await poll(() => texts(page, '[data-param]')).toMatch(DIGITS);
    },
  },
  {
    name: 'backtests',
    path: '/backtests',
    check: async (page) => {
      await page.getByRole('button', { name: 'Run backtest' }).click();
      await poll(() => texts(page, '.card .value'), { timeout: 30_000 }).toMatch(/%/);
      await page.locator('[data-testid=equity-chart] canvas').first().waitFor();
    },
  },
  {
    name: 'reports',
    path: '/reports',
    check: async (page) => {
      await page.locator('[data-testid=risk-reports] li').first().waitFor();
    },
  },
];

/**
 * What is cut off on the page: a stat card's value wider than its card, and a table wider than its box
 * (then part of a column is hidden behind a scroll). `everyTable` false checks only the tables that must
 * fit at any width (the Markets page's instrument lists); wide tables may scroll on a phone.
 */
async function clipped(page: Page, everyTable: boolean): Promise<string[]> {
  return page.evaluate((all) => {
    const out: string[] = [];
    const over = (el: Element) => el.scrollWidth > el.clientWidth + 1;
    for (const el of document.querySelectorAll('.card .value')) {
      if (over(el))
        out.push(`card value "${el.textContent?.trim()}" ${el.scrollWidth} > ${el.clientWidth} px`);
    }
    for (const el of document.querySelectorAll('.table-wrap')) {
      const t = el.querySelector('table');
      const mustFit = all || t?.matches('table.instruments, table.compact, [data-testid=watchlist]');
      if (mustFit && over(el)) {
        const what = (
          t?.querySelector('caption')?.textContent ??
          t?.querySelector('tr')?.textContent ??
          ''
        ).trim();
        out.push(`table "${what.slice(0, 60)}" ${el.scrollWidth} > ${el.clientWidth} px`);
      }
    }
    return out;
  }, everyTable);
}

describe('dashboard pages show real numbers (screenshots in test-results/)', () => {
  for (const w of WIDTHS) {
    it(`renders every page at ${w.width} px`, async () => {
      const ctx = await newContext(w.width, w.height, { admin: true, watchlist: ['BTC', 'ETH', 'USDC'] });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`${e.message}`));
      try {
        for (const p of PAGES) {
          await page.goto(p.path);
          await p.check(page);
          await page.screenshot({ path: join(SHOTS, `dashboard-${p.name}-${w.width}.png`), fullPage: true });
          // Nothing clipped: every table fits at 1440 px; at 390 px the Markets lists fit, wide tables scroll.
          expect(
            await clipped(page, w.width > 500 || p.name === 'markets'),
            `${p.name} at ${w.width} px`,
          ).toEqual([]);
          // At 390 px nothing may force the page wider than the screen.
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          expect(overflow, `${p.name} is wider than ${w.width} px`).toBeLessThanOrEqual(1);
        }
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    }, 90_000);
  }
});

describe('asset chart', () => {
  it('changes with the range buttons (1D hourly, others daily)', async () => {
    const ctx = await newContext(1440, 900);
    const page = await ctx.newPage();
    try {
      await page.goto('/asset/BTC');
      const chart = page.locator('.price-chart');
      const bars = async () => Number(await chart.getAttribute('data-bars'));
      const first = async () => Number(await chart.getAttribute('data-first'));
      await poll(bars).toBeGreaterThan(0);
      const threeMonths = await bars();
      await page.locator('button[data-range="1Y"]').click();
      await poll(bars).toBeGreaterThan(threeMonths);
      const oneYearFirst = await first();
      await page.locator('button[data-range="1D"]').click();
      // 1D = hourly bars of the last day: fewer bars, starting much later.
      await poll(first).toBeGreaterThan(oneYearFirst + 300 * 86_400_000);
      expect(await bars()).toBeLessThanOrEqual(25);
      await page.locator('button[data-range="MAX"]').click();
      await poll(bars).toBeGreaterThan(700);
    } finally {
      await ctx.close();
    }
  }, 60_000);
});

describe('live prices', () => {
  it('`marketpipe ingest latest` in another process reaches the watchlist (/ws/prices) and the monitor (/ws/monitor)', async () => {
    const ctx = await newContext(1440, 900, { watchlist: ['BTC', 'ETH'] });
    const page = await ctx.newPage();
    const monitor = await ctx.newPage();
    try {
      await page.goto('/');
      await monitor.goto('/monitor');
      await page.locator('.live-dot.open').first().waitFor();
      await monitor.locator('.live-dot.open').first().waitFor();
      const asset = await ctx.newPage();
      await asset.goto('/asset/BTC');
      await asset.locator('[data-testid=chart] canvas').first().waitFor();
      await runCli(home, ['ingest', 'latest', 'BTC', 'ETH', '--source', 'synthetic']);
      await page.locator('[data-testid=ticks]').waitFor({ timeout: 20_000 });
      await poll(() => text(page.locator('[data-testid=ticks]'))).toMatch(/[1-9]\d* updates/);
      // The run's data_ready event ({type: 'latest', symbols, rows}) arrives on the monitor stream.
      await monitor
        .locator('[data-testid=live-events] li', { hasText: /latest: .*BTC/ })
        .first()
        .waitFor({ timeout: 20_000 });
      // The asset page is live too, and shows one price: the card is the chart's last close.
      await poll(() => text(asset.locator('[data-testid=last-price]'))).toContain('live');
      const prices = async () => {
        const close = Number(await asset.locator('[data-testid=chart]').getAttribute('data-last-close'));
        return {
          card: (await text(asset.locator('[data-testid=last-price] .value'))).trim(),
          chart: fmt.price(close, { assetClass: 'crypto' }),
          watchlist: (
            await text(page.locator('[data-testid=watchlist] tr[data-symbol=BTC] [data-testid=price]'))
          ).trim(),
        };
      };
      await poll(async () => {
        const p = await prices();
        return p.card === p.chart && p.chart === p.watchlist ? 'one price' : JSON.stringify(p);
      }).toBe('one price');
    } finally {
      await ctx.close();
    }
  }, 60_000);
});

describe('admin', () => {
  it('an edit is shown as a dry run, then applied, and appears in the audit log', async () => {
    const ctx = await newContext(1440, 900, { admin: true });
    const page = await ctx.newPage();
    try {
      await page.goto('/admin');
      // risk.reserve_multiplier: float in [0, 10], 1.5 by default (src/config/defaults.ts).
      const id = 'risk.reserve_multiplier';
      await page.locator('input[name=filter]').fill('reserve_multiplier');
      const row = page.locator(`[data-param="${id}"]`);
      await row.waitFor();
      const current = Number((await text(row.locator('code'))).trim());
      const next = String(current === 1.75 ? 1.8 : 1.75);
      await row.getByRole('button', { name: 'Edit' }).click();
      const editing = page.locator(`[data-param="${id}"]`);
      await editing.locator('input[name=value]').fill(next);
      const reason = `e2e check ${Date.now()}`;
      await editing.locator('input[name=reason]').fill(reason);
      await editing.getByRole('button', { name: 'Dry run' }).click();
      await editing.locator('[data-testid=dry-run]').waitFor();
      await poll(() => text(editing.locator('[data-testid=dry-run]'))).toContain(`→ ${next}`);
      await poll(() => text(editing.locator('[data-testid=dry-run]'))).toContain('nothing saved yet');
      await editing.getByRole('button', { name: 'Apply' }).click();
      const entry = page.locator('[data-testid=audit] tbody tr', { hasText: reason });
      await poll(() => entry.count()).toBeGreaterThanOrEqual(1);
      await poll(() => entry.allInnerTexts()).toEqual(
        expect.arrayContaining([expect.stringContaining('applied')]),
      );
      await page.screenshot({ path: join(SHOTS, 'dashboard-admin-after-apply-1440.png'), fullPage: true });
    } finally {
      await ctx.close();
    }
  }, 60_000);
});

describe('jobs', () => {
  it('an admin runs a job now and its run shows in the history', async () => {
    const ctx = await newContext(1440, 900, { admin: true });
    const page = await ctx.newPage();
    try {
      await page.goto('/jobs');
      const row = page.locator('[data-testid=jobs] tbody tr', { hasText: 'fx_correlations' });
      await row.getByRole('button', { name: 'Run now' }).click();
      await page.locator('[data-testid=job-runs] tbody tr', { hasText: 'fx_correlations' }).first().waitFor();
      await poll(() => texts(page, '[data-testid=job-runs] tbody tr')).toMatch(/fx_correlations.*manual/);
    } finally {
      await ctx.close();
    }
  }, 30_000);
});

describe('watchlist and empty states', () => {
  it('an added symbol is priced and kept across reloads; an unknown one says what to do', async () => {
    const ctx = await newContext(390, 844, { watchlist: ['BTC'] });
    const page = await ctx.newPage();
    try {
      await page.goto('/');
      await page.locator('#wl-add').fill('spy');
      await page.locator('#wl-add').press('Enter');
      const spy = page.locator('[data-testid=watchlist] tr[data-symbol=SPY] [data-testid=price]');
      await poll(() => text(spy)).toMatch(/\d+\.\d/);
      await page.locator('#wl-add').fill('NOPE');
      await page.locator('#wl-add').press('Enter');
      await poll(() => text(page.locator('[data-testid=watchlist] tr[data-symbol=NOPE]'))).toContain(
        'no data',
      );
      await page.getByRole('button', { name: 'Remove NOPE' }).click();
      await page.reload();
      await poll(() => text(spy)).toMatch(/\d+\.\d/);
      await poll(() => page.locator('[data-testid=watchlist] tbody tr').count()).toBe(2);

      await page.goto('/asset/NOPE');
      await page.locator('.state.error').waitFor();
      await poll(() => text(page.locator('.state.error'))).toContain('marketpipe instruments add NOPE');
    } finally {
      await ctx.close();
    }
  }, 30_000);
});

describe('page weight', () => {
  it('the first load of / is under 500 kB of gzipped JS + CSS (pages load lazily)', async () => {
    const ctx = await newContext(1440, 900);
    const page = await ctx.newPage();
    const sizes: Array<Promise<{ url: string; bytes: number }>> = [];
    page.on('requestfinished', (req) => {
      if (!['script', 'stylesheet', 'document'].includes(req.resourceType())) return;
      sizes.push(req.sizes().then((s) => ({ url: req.url(), bytes: s.responseBodySize })));
    });
    try {
      await page.goto('/', { waitUntil: 'networkidle' });
      const all = await Promise.all(sizes);
      const total = all.reduce((s, x) => s + x.bytes, 0);
      console.log(
        `first load: ${(total / 1024).toFixed(1)} kB over the wire (gzip) in ${all.length} files: ${all
          .map((x) => `${x.url.replace(server.url, '')} ${(x.bytes / 1024).toFixed(1)} kB`)
          .join(', ')}`,
      );
      expect(total).toBeGreaterThan(0);
      expect(total).toBeLessThan(500 * 1024);
      // The chart library is only fetched by the pages that draw price charts.
      expect(all.some((x) => x.url.includes('PriceChart'))).toBe(false);
    } finally {
      await ctx.close();
    }
  }, 30_000);
});

describe('no conclusions before data (issue 18)', () => {
  it('Data and Correlations say "Loading" while their API answers are held back, then show the data', async () => {
    const ctx = await newContext(1440, 900);
    const page = await ctx.newPage();
    // Hold the answers the panels depend on until the test has read the loading state.
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const held = /\/api\/(monitor\/(coverage|feeds)|correlations)/;
    await page.route(held, async (route) => {
      await gate;
      await route.continue();
    });
    try {
      await page.goto('/monitor');
      const market = page.locator('[data-testid=coverage-card][data-schema=market_data]');
      const economic = page.locator('[data-testid=coverage-card][data-schema=economic_data]');
      // (The market card may also fill from a coverage push on /ws/monitor; economic data only over HTTP.)
      await poll(() => text(economic)).toContain('Loading');
      expect(await text(economic)).not.toContain('No data');
      expect(await text(market)).not.toContain('No data');
      expect(await texts(page, '[data-state]')).not.toMatch(/No instruments|No data/);

      await page.goto('/correlations');
      await poll(() => texts(page, '.panel')).toContain('Loading contagion levels');
      const panels = await texts(page, '.panel');
      // Before any answer: no level counts ("CRITICAL 0") and no verdict.
      expect(panels).not.toMatch(/CRITICAL|no contagion risk flagged|No pair moved/);

      release();
      await poll(() => texts(page, '.panel')).toMatch(/CRITICAL/);
      await page.goto('/monitor');
      await poll(() => text(economic)).toMatch(/\d[\d,]* records/);
    } finally {
      release();
      await ctx.close();
    }
  }, 60_000);
});

describe('depeg chart (issue 18)', () => {
  it("draws USDC at the event's resolution: the chart's minimum is the table's low", async () => {
    const ctx = await newContext(1440, 900);
    const page = await ctx.newPage();
    try {
      const res = await page.request.get('/api/depegs?asset=USDC');
      const events = ((await res.json()) as { events: Array<{ asset: string; min_price: number }> }).events;
      // The deepest USDC event (the seed may hold smaller ones beside the March 2023 depeg).
      const lows = events.filter((e) => e.asset === 'USDC').map((e) => e.min_price);
      expect(lows.length, 'the seed replays the March 2023 USDC depeg').toBeGreaterThan(0);
      const low = Math.min(...lows);
      const shown = fmt.price(low, { assetClass: 'stablecoin' });

      await page.goto('/depegs');
      const row = page
        .locator('[data-testid=depeg-table] tbody tr', { hasText: 'USDC' })
        .filter({ hasText: shown })
        .first();
      await row.click();
      const chart = page.locator('[data-testid=depeg-chart]');
      await chart.locator('canvas').first().waitFor();
      await poll(async () => Number(await chart.getAttribute('data-min'))).toBe(low);
      // Table, title and chart agree to the digit shown (4 decimals for a stablecoin).
      expect(await text(row)).toContain(shown);
      expect(await text(page.locator('[data-testid=depeg-low]'))).toBe(shown);
      expect(await chart.getAttribute('data-series')).toMatch(/event.*price.*peg/);
      // Hourly bars, not daily: the seed stores the episode hourly.
      expect(await text(page.locator('.panel', { has: chart }))).toContain('1h bars');
    } finally {
      await ctx.close();
    }
  }, 30_000);
});

describe('charts (issue 18)', () => {
  it('the asset chart draws SMA 20 and SMA 50, volume in its own pane, and marks demo data', async () => {
    const ctx = await newContext(1440, 900);
    const page = await ctx.newPage();
    try {
      await page.goto('/asset/BTC');
      const chart = page.locator('[data-testid=chart]');
      await poll(() => chart.getAttribute('data-series')).toMatch(/sma_20.*sma_50/);
      const series = (await chart.getAttribute('data-series')) ?? '';
      expect(series.split(',')).toEqual(expect.arrayContaining(['price', 'volume', 'rsi']));
      // price, volume, RSI: three panes.
      expect(Number(await chart.getAttribute('data-panes'))).toBe(3);
      await page.locator('[data-testid=synthetic-badge]').waitFor();
      await page.goto('/');
      await poll(() => text(page.locator('[data-testid=demo-notice]'))).toContain('Demo data');
    } finally {
      await ctx.close();
    }
  }, 30_000);

  it('a backtest shows its equity curve with benchmark, its drawdown, and is listed among stored runs', async () => {
    const ctx = await newContext(1440, 900);
    const page = await ctx.newPage();
    try {
      await page.goto('/backtests');
      // Every built-in strategy is offered (src/backtest/strategies has six).
      await poll(() => page.locator('select[name=strategy] option').count()).toBe(6);
      await page.locator('select[name=strategy]').selectOption('pair-trade');
      await poll(() => page.locator('input[name=symbols]').inputValue()).toBe('BTC,ETH');
      await page.locator('input[name=param-lookback]').fill('30');
      await page.getByRole('button', { name: 'Run backtest' }).click();
      await poll(() => text(page.locator('[data-testid=run-title]')), { timeout: 30_000 }).toMatch(
        /pair-trade on BTC, ETH.*"lookback":30/,
      );
      await poll(() => page.locator('[data-testid=equity-chart]').getAttribute('data-series')).toBe(
        'Strategy,Benchmark',
      );
      await poll(() => page.locator('[data-testid=drawdown-chart]').getAttribute('data-series')).toBe(
        'Drawdown',
      );
      // Newest first: the run just made heads the list.
      await poll(() => text(page.locator('[data-testid=runs] tbody tr').first())).toContain('pair-trade');
      await poll(() => texts(page, '[data-testid=run-metrics] .value')).toMatch(/^[−+]?[\d,]+\.\d\d %/);
      await page.locator('select[name=filter-strategy]').selectOption('fly');
      await poll(() => texts(page, '.panel [data-state=empty]')).toContain('No stored run matches');
      await page.locator('select[name=filter-strategy]').selectOption('pair-trade');
      await poll(() => page.locator('[data-testid=runs] tbody tr').count()).toBeGreaterThanOrEqual(1);
    } finally {
      await ctx.close();
    }
  }, 60_000);
});

describe('phone menu and admin state (issue 18)', () => {
  it('the menu closes after a tap, also on the current page', async () => {
    const ctx = await newContext(390, 844);
    const page = await ctx.newPage();
    try {
      await page.goto('/');
      const nav = page.locator('nav#nav');
      const menu = page.getByRole('button', { name: 'Menu' });
      await menu.click();
      await poll(() => nav.isVisible()).toBe(true);
      await nav.getByRole('link', { name: 'Depegs' }).click();
      await poll(() => nav.isVisible()).toBe(false);
      await poll(() => page.url()).toMatch(/\/depegs$/);
      await menu.click();
      await poll(() => nav.isVisible()).toBe(true);
      await nav.getByRole('link', { name: 'Depegs' }).click();
      await poll(() => nav.isVisible()).toBe(false);
    } finally {
      await ctx.close();
    }
  }, 30_000);

  it('Admin explains a disabled admin API and how to enable it', async () => {
    const ctx = await newContext(1440, 900);
    const page = await ctx.newPage();
    // The answer `marketpipe serve` gives without JWT_SECRET (src/api/app.ts), on this server with one.
    await page.route('**/admin/config', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          error: 'admin_disabled',
          message: 'admin API disabled: JWT_SECRET is not set; the admin API needs at least 32 characters',
        }),
      }),
    );
    try {
      await page.goto('/admin');
      const box = page.locator('[data-testid=admin-disabled]');
      await poll(() => text(box)).toContain('JWT_SECRET is not set');
      expect(await text(box)).toContain('marketpipe token create');
    } finally {
      await ctx.close();
    }
  }, 30_000);
});
