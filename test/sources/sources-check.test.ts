import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/config/store.ts';
import { checkFailed, checkProviders } from '../../src/pipeline/sources-check.ts';
import { loadSettings } from '../../src/settings.ts';
import { type Loopback, startLoopback } from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';

// FRED's real answer to /fred/series?series_id=DGS10 (recorded, see src/sources/fred/fixtures/PROVENANCE.md)
const FRED_SERIES = readFileSync(
  join(import.meta.dirname, '..', '..', 'src', 'sources', 'fred', 'fixtures', 'series-DGS10.json'),
  'utf8',
);

let db: Db;
let config: ConfigStore;
let fred: Loopback;
let down: Loopback;
beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
  config = await ConfigStore.open({ db, live: false });
  fred = await startLoopback((req) =>
    req.url.pathname === '/fred/series' ? { body: FRED_SERIES } : { status: 404, body: {} },
  );
  down = await startLoopback(() => ({ status: 503, body: 'Service Unavailable' }));
});
afterAll(async () => {
  await config.close();
  await db.close();
  await fred.close();
  await down.close();
});

/** Keyless price providers pointed at an outage; FRED keyed at its loopback; everything else without a key. */
const settings = (extra: Record<string, string> = {}) =>
  loadSettings({
    MARKETPIPE_HOME: '/nonexistent-home',
    COINGECKO_BASE_URL: down.baseUrl,
    YAHOO_BASE_URL: down.baseUrl,
    BINANCE_BASE_URL: down.baseUrl,
    DEFILLAMA_BASE_URL: down.baseUrl,
    FRED_BASE_URL: fred.baseUrl,
    FRED_API_KEY: 'k',
    ...extra,
  });

describe('sources check covers every provider', () => {
  it('one row per provider: ok, failing with its reason, or not configured naming the key', async () => {
    const rows = await checkProviders(settings(), config);
    expect(rows.map((r) => r.name)).toEqual([
      'coingecko',
      'polygon',
      'oanda',
      'yahoo',
      'binance',
      'defillama',
      'fred',
      'newsapi',
      'alphavantage',
    ]);
    const by = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(by.fred).toMatchObject({ ok: true, configured: true, test_symbol: 'DGS10' });
    expect(fred.requests.some((r) => r.url.searchParams.get('series_id') === 'DGS10')).toBe(true);
    expect(by.coingecko).toMatchObject({
      ok: false,
      configured: true,
      error: expect.stringContaining('503'),
    });
    expect(by.polygon).toMatchObject({ ok: false, configured: false, error: 'POLYGON_API_KEY is not set' });
    expect(by.newsapi).toMatchObject({ ok: false, configured: false, error: 'NEWSAPI_API_KEY is not set' });
    // a configured provider failed: the check fails
    expect(checkFailed(rows)).toBe(true);
  });

  it('a failing configured keyed provider is reported with its reason; unconfigured ones never fail the check', async () => {
    const rows = await checkProviders(settings({ FRED_BASE_URL: down.baseUrl }), config);
    expect(rows.find((r) => r.name === 'fred')).toMatchObject({
      ok: false,
      configured: true,
      error: expect.stringContaining('503'),
    });
    expect(checkFailed(rows.filter((r) => !r.configured))).toBe(false);
    expect(checkFailed(rows.filter((r) => r.name === 'fred'))).toBe(true);
  });

  it('USE_MOCK_DATA: every provider is answered by the synthetic source', async () => {
    const rows = await checkProviders(settings({ USE_MOCK_DATA: 'true' }), config);
    expect(rows).toHaveLength(9);
    expect(rows.every((r) => r.ok && r.mock)).toBe(true);
  });
});
