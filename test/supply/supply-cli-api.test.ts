/**
 * `ingest supply` through commander with DefiLlama's base URL from settings (`DEFILLAMA_BASE_URL`) pointing
 * at a loopback fake speaking its wire format (`/stablecoins`, `/stablecoincharts/all`), then
 * `GET /api/supply` and `/api/alerts?type=supply_drop` on the same store.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as supplyCmd from '../../src/cli/commands/supply.ts';
import { listRuns } from '../../src/jobs/history.ts';
import { loadSettings, type Settings } from '../../src/settings.ts';
import { type Loopback, startLoopback } from '../../src/sources/testing/loopback.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { type ApiHarness, startApi } from '../api/harness.ts';
import { runCommands } from '../support/cli.ts';

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
/** Daily totals of the last four days (made-up round numbers); the first day (1e3) makes the next a >50 % jump. */
const CHART = [
  { date: String((today - 4 * DAY) / 1000), totalCirculating: { peggedUSD: 1_000 } },
  { date: String((today - 3 * DAY) / 1000), totalCirculating: { peggedUSD: 40_000_000_000 } },
  { date: String((today - 2 * DAY) / 1000), totalCirculating: { peggedUSD: 40_000_000_000 } },
  { date: String((today - 1 * DAY) / 1000), totalCirculating: { peggedUSD: 40_000_000_000 } },
];
let circulating = 40_000_000_000;
const list = () => ({
  peggedAssets: [
    {
      id: '2',
      name: 'USD Coin',
      symbol: 'USDC',
      pegType: 'peggedUSD',
      circulating: { peggedUSD: circulating },
      chainCirculating: {
        Ethereum: { current: { peggedUSD: circulating * 0.75 } },
        Solana: { current: { peggedUSD: circulating * 0.25 } },
      },
    },
  ],
});

describe('supply: ingest supply (CLI) → store → GET /api/supply, supply-drop alert once', () => {
  let h: ApiHarness;
  let fake: Loopback;
  let settings: Settings;
  let out: unknown[] = [];
  const run = async (...args: string[]): Promise<number> => {
    const r = await runCommands([supplyCmd], { settings, db: h.db }, args, ['ingest']);
    out = r.printed;
    return r.code;
  };

  beforeAll(async () => {
    h = await startApi({ store: 'pglite' });
    await upsertInstruments(h.db, [
      {
        symbol: 'USDC',
        assetClass: 'stablecoin',
        name: 'USD Coin',
        currency: 'USD',
        timezone: 'UTC',
        pegTarget: 1,
        sources: { coingecko: 'usd-coin' },
      },
    ]);
    fake = await startLoopback((req) => {
      if (req.url.pathname === '/stablecoins') return { body: list() };
      if (req.url.pathname === '/stablecoincharts/all') return { body: CHART };
      // coins.llama.fi/prices/current/{keys}: made-up price a minute ago
      if (req.url.pathname === '/prices/current/coingecko:usd-coin')
        return {
          body: {
            coins: {
              'coingecko:usd-coin': {
                price: 0.9998,
                symbol: 'USDC',
                timestamp: Math.floor(Date.now() / 1000) - 60,
                confidence: 0.99,
              },
            },
          },
        };
      return { status: 404, body: {} };
    });
    settings = loadSettings({
      MARKETPIPE_HOME: mkdtempSync(join(tmpdir(), 'mp-supply-')),
      DEFILLAMA_BASE_URL: fake.baseUrl,
    });
  }, 60_000);
  afterAll(async () => {
    await fake?.close();
    await h?.close();
  });

  it('first run stores the history and today per chain, quarantines the implausible day once', async () => {
    expect(await run('ingest', 'supply', '--symbols', 'usdc')).toBe(0);
    // 3 latest (total, Ethereum, Solana) + 4 daily totals read; today−3 (40e9 vs 1e3) quarantined
    expect(out[0]).toMatchObject({ read: 7, stored: 6, quarantined: 1, failed: 0 });
    // DefiLlama's coin price, through the gate, stored as a point price with source defillama
    expect(out[0]).toMatchObject({ prices: { read: 1, stored: 1, quarantined: 0 } });
    const price = await h.db.query<{ price: number; source: string }>(
      `SELECT p.price, p.source FROM market_data.prices p JOIN market_data.instruments i ON i.id = p.instrument_id
        WHERE i.symbol = 'USDC' AND p.source = 'defillama'`,
    );
    expect(price.rows).toEqual([{ price: 0.9998, source: 'defillama' }]);
    expect(fake.requests.some((r) => r.url.searchParams.get('stablecoin') === '2')).toBe(true);
    const [runRow] = await listRuns(h.db, { job: 'ingest:supply' });
    expect(runRow).toMatchObject({ status: 'completed', records: 6 });
    // re-running the backfill does not quarantine the same day twice, nor store anything again
    expect(await run('ingest', 'supply', '--symbols', 'USDC', '--full')).toBe(0);
    expect(out[0]).toMatchObject({ quarantined: 0 });
    const q = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ops.quarantine WHERE interval = 'supply'`,
    );
    expect(q.rows[0]?.n).toBe(1);
  });

  it('GET /api/supply answers latest total, per chain and history; 400 on bad input', async () => {
    const res = await h.app.inject({ url: '/api/supply?symbol=usdc' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.symbol).toBe('USDC');
    expect(body.latest.circulating).toBe(40_000_000_000);
    expect(body.chains.map((c: { chain: string }) => c.chain)).toEqual(['Ethereum', 'Solana']);
    expect(body.chains[0].circulating).toBe(30_000_000_000);
    // today−4, today−2, today−1 daily totals (today−3 quarantined) and the latest(s)
    expect(body.history[0]).toEqual({ ts: new Date(today - 4 * DAY).toISOString(), circulating: 1_000 });
    expect(body.history.map((p: { ts: string }) => p.ts)).not.toContain(
      new Date(today - 3 * DAY).toISOString(),
    );
    const ranged = (
      await h.app.inject({
        url: `/api/supply?symbol=USDC&from=${new Date(today - 2 * DAY).toISOString()}&to=${new Date(today - DAY).toISOString()}`,
      })
    ).json();
    expect(ranged.history).toHaveLength(2);
    // every coin with supply stored, with its newest total (the Depegs page's coin choices)
    const coins = await h.app.inject({ url: '/api/supply/coins' });
    expect(coins.statusCode).toBe(200);
    expect(coins.json().coins).toEqual([{ symbol: 'USDC', ts: body.latest.ts, circulating: 40_000_000_000 }]);
    for (const bad of [
      '/api/supply',
      '/api/supply?symbol=US$C',
      '/api/supply?symbol=USDC&from=2024-02-30',
      '/api/supply?symbol=USDC&from=2024-03-02&to=2024-03-01',
    ]) {
      const r = await h.app.inject({ url: bad });
      expect(r.statusCode, bad).toBe(400);
      expect(r.json(), bad).toHaveProperty('error');
    }
  });

  it('a supply drop of at least 5 % in 24 h raises one supply_drop alert, not one per run', async () => {
    expect((await h.app.inject({ url: '/api/alerts?type=supply_drop' })).json().alerts).toEqual([]);
    circulating = 37_600_000_000; // 37.6 / 40 − 1 = −6 %
    expect(await run('ingest', 'supply', '--symbols', 'USDC')).toBe(0);
    expect(out[0]).toMatchObject({ alerts: [{ symbol: 'USDC', change_24h: expect.closeTo(-0.06, 12) }] });
    expect(await run('ingest', 'supply', '--symbols', 'USDC')).toBe(0);
    expect(out[0]).toMatchObject({ alerts: [] });
    const alerts = (await h.app.inject({ url: '/api/alerts?type=supply_drop' })).json().alerts;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      type: 'supply_drop',
      asset: 'USDC',
      price: 37_600_000_000,
      threshold: -0.05,
    });
  });

  it('DefiLlama unreachable: every coin fails as unavailable, exit 1', async () => {
    const down = loadSettings({ MARKETPIPE_HOME: settings.home, DEFILLAMA_BASE_URL: 'http://127.0.0.1:9' });
    const r = await runCommands(
      [supplyCmd],
      { settings: down, db: h.db },
      ['ingest', 'supply', '--symbols', 'USDC'],
      ['ingest'],
    );
    expect(r.code).toBe(1);
    expect(r.printed[0]).toMatchObject({ read: 0, stored: 0, failed: 1, unavailable: 1 });
  }, 60_000);
});
