import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { ConfigStore } from '../../src/config/store.ts';
import { loadEconomicSamples } from '../../src/pipeline/feeds/economic/samples.ts';
import { importEventsCsv } from '../../src/pipeline/feeds/events/csv-import.ts';
import { loadEventSamples } from '../../src/pipeline/feeds/events/samples.ts';
import { loadNewsSamples } from '../../src/pipeline/feeds/news/samples.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { feedCounts } from '../../src/store/repos/feed-counts.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { loadUniverse } from '../../src/universe.ts';

describe('API /api/economic, /api/news, /api/events (shipped samples, PGlite, app.inject)', () => {
  let db: Db;
  let config: ConfigStore;
  let app: ReturnType<typeof buildApp>;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await upsertInstruments(db, loadUniverse());
    await loadEconomicSamples(db);
    await loadNewsSamples(db);
    await loadEventSamples(db);
    config = await ConfigStore.open({ db, live: false });
    app = buildApp({ cache: new MemoryCache(), db, settings: { corsOrigins: [] }, config, adminApi: false });
  });
  afterAll(async () => {
    await app?.close();
    await config?.close();
    await db.close();
  });

  it('GET /api/economic/DGS10 answers observations with "." as null', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/economic/dgs10?from=2023-01-01&to=2023-01-31' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.series).toMatchObject({ id: 'DGS10', units: 'Percent' });
    // FRED DGS10 writes "." on the 2023-01-02 New Year holiday; 3.79 on 2023-01-03 (samples/fred/DGS10_2023.csv)
    expect(body.observations[0]).toMatchObject({ date: '2023-01-02', value: null });
    expect(body.observations.find((o: { date: string }) => o.date === '2023-01-03').value).toBe(3.79);
  });

  it('GET /api/economic/NOPE is 404 naming the series', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/economic/NOPE' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toMatch(/NOPE/);
  });

  it('GET /api/news?symbol=NVDA&since=… lists the deduplicated story with its sentiment', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/news?symbol=NVDA&since=2023-05-01' });
    expect(res.statusCode).toBe(200);
    const { articles } = res.json();
    expect(articles).toHaveLength(1);
    expect(articles[0].sentiment[0]).toMatchObject({ symbol: 'NVDA', provider: 'lexicon' });
  });

  it('GET /api/events?symbol=AAPL&type=split and a bad type is 400', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/events?symbol=AAPL&type=split' });
    expect(res.statusCode).toBe(200);
    expect(res.json().events).toEqual([
      expect.objectContaining({ type: 'split', symbol: 'AAPL', date: '2020-08-31', ratio: 4 }),
    ]);
    expect((await app.inject({ method: 'GET', url: '/api/events?type=buyback' })).statusCode).toBe(400);
  });

  it('GET /api/asset/NVDA?range=MAX&adjust=split: a 10:1 split is no −90 % day; raw bars stay raw', async () => {
    await importEventsCsv(db, 'type,symbol,date,split_from,split_to\nsplit,NVDA,2024-06-10,1,10\n');
    const closes: Array<[string, number]> = [
      ['2024-06-06', 1209.98],
      ['2024-06-07', 1208.88],
      ['2024-06-10', 121.79],
    ];
    await upsertBars(
      db,
      closes.map(([d, c]) => ({
        symbol: 'NVDA',
        interval: '1d' as const,
        source: 'test',
        ts: Date.parse(`${d}T00:00:00Z`),
        open: c,
        high: c,
        low: c,
        close: c,
        volume: 1,
      })),
    );
    const closesOf = async (adjust: string) => {
      const res = await app.inject({ method: 'GET', url: `/api/asset/NVDA?range=MAX&adjust=${adjust}` });
      expect(res.statusCode).toBe(200);
      return (res.json().bars as Array<{ close: number }>).map((b) => b.close);
    };
    expect(await closesOf('raw')).toEqual([1209.98, 1208.88, 121.79]);
    const split = await closesOf('split');
    expect(split[1]).toBeCloseTo(120.888, 9);
    expect(split[2]).toBe(121.79);
    expect((await app.inject({ method: 'GET', url: '/api/asset/NVDA?adjust=weird' })).statusCode).toBe(400);
  });

  it('feedCounts counts every table for the data monitor', async () => {
    const c = await feedCounts(db);
    expect(c.economic_series).toBe(2);
    expect(c.economic_observations).toBe(365 + 260);
    expect(c.dividends).toBe(10);
    expect(c.news_articles).toBeGreaterThan(20);
    expect(c.latest.economic).toBe('2023-12-31');
  });
});
