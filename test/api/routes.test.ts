import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadEconomicSamples } from '../../src/pipeline/feeds/economic/samples.ts';
import { loadEventSamples } from '../../src/pipeline/feeds/events/samples.ts';
import { loadNewsSamples } from '../../src/pipeline/feeds/news/samples.ts';
import { saveReport } from '../../src/store/repos/risk.ts';
import { type ApiHarness, startApi } from './harness.ts';

/** Every data route through `app.inject()` on PGlite with the small fixture (test/api/fixture.ts). */
describe('REST routes on PGlite (inject)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi({ store: 'pglite' });
  }, 60_000);
  afterAll(async () => h?.close());

  const get = async (url: string) => {
    const res = await h.app.inject({ url });
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field by the assertions
    return { status: res.statusCode, body: res.json() as Record<string, any> };
  };

  it('GET /api/asset/:symbol?range=1D serves hourly bars, then the same bars from hourly_data:{symbol}:1D', async () => {
    const first = await get('/api/asset/BTC?range=1D');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      symbol: 'BTC',
      name: 'Bitcoin',
      asset_class: 'crypto',
      interval: '1h',
      cached: false,
    });
    // the fixture holds 3 days of hourly bars: the last day has 24 (23–24 depending on the hour boundary)
    expect(first.body.bars.length).toBeGreaterThanOrEqual(23);
    expect(first.body.bars.length).toBeLessThanOrEqual(25);
    expect(await h.deps.cache.get('hourly_data:BTC:1D')).toEqual(first.body.bars);
    const second = await get('/api/asset/BTC?range=1D');
    expect([second.body.cached, second.body.bars]).toEqual([true, first.body.bars]);
    // the cached latest price (fixture point price 65,000) wins over the last bar
    expect(first.body.latest).toMatchObject({ price: expect.any(Number) });
  });

  it('GET /api/asset/:symbol?range=1Y serves about a year of daily bars in time order', async () => {
    const { status, body } = await get('/api/asset/ETH?range=1Y');
    expect(status).toBe(200);
    expect(body.interval).toBe('1d');
    expect(body.bars.length).toBeGreaterThanOrEqual(364);
    expect(body.bars.length).toBeLessThanOrEqual(367);
    const ts = body.bars.map((b: { ts: string }) => b.ts);
    expect([...ts].sort()).toEqual(ts);
    const first = body.bars[0].close;
    const last = body.bars.at(-1).close;
    expect(body.change_pct).toBeCloseTo(((last - first) / first) * 100, 9);
  });

  it('rejects an unknown range (400) and an unknown symbol (404) with {error, message}', async () => {
    const bad = await get('/api/asset/BTC?range=2W');
    expect([bad.status, bad.body.error]).toEqual([400, 'invalid_input']);
    expect(bad.body.message).toContain('range');
    const none = await get('/api/asset/NOPE');
    expect(none).toEqual({ status: 404, body: { error: 'not_found', message: 'unknown instrument "NOPE"' } });
  });

  it('GET /api/asset/:symbol/indicators returns the CLI columns', async () => {
    const { status, body } = await get('/api/asset/BTC/indicators?range=1M&indicators=sma:50');
    expect(status).toBe(200);
    expect(body.rows.length).toBeGreaterThan(25);
    const row = body.rows.at(-1);
    for (const k of [
      'ts',
      'close',
      'sma_20',
      'ema_20',
      'rsi_14',
      'macd',
      'bb_upper',
      'atr_14',
      'hv_20',
      'sma_50',
    ]) {
      expect(row, k).toHaveProperty(k);
    }
    expect(row.sma_20).not.toBeNull();
    expect((await get('/api/asset/BTC/indicators?indicators=foo:3')).status).toBe(400);
  });

  it('GET /api/watchlist reads the store once, then the cache; unknown symbols are listed in errors', async () => {
    const cold = await get('/api/watchlist?symbols=BTC,ETH,AAPL,NOPE');
    expect(cold.status).toBe(200);
    expect(cold.body.items.map((i: { symbol: string }) => i.symbol)).toEqual(['BTC', 'ETH', 'AAPL']);
    // fixture point prices (seedApiFixture)
    expect(cold.body.items[0]).toMatchObject({
      symbol: 'BTC',
      price: 65_000,
      source: 'fixture',
      cached: false,
    });
    expect(cold.body.errors).toEqual([{ symbol: 'NOPE', error: expect.stringContaining('NOPE') }]);
    const warm = await get('/api/watchlist?symbols=BTC,ETH');
    expect(warm.body.items.map((i: { cached: boolean }) => i.cached)).toEqual([true, true]);
    const all = await get('/api/watchlist');
    expect(all.body.items.map((i: { symbol: string }) => i.symbol).sort()).toEqual([
      'AAPL',
      'BTC',
      'ETH',
      'USDC',
    ]);
  });

  it('GET /api/watchlist reuses an all-cached answer only while the cache holds the same entries', async () => {
    const url = '/api/watchlist?symbols=ETH,BTC';
    await get(url); // fills latest_price:{symbol}
    const first = await h.app.inject({ url });
    const again = await h.app.inject({ url });
    expect(again.body).toBe(first.body);
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(again.body).items.map((i: { cached: boolean }) => i.cached)).toEqual([true, true]);
    // a new latest price (what `ingest latest` and the price_updates subscriber write) shows at once
    const cache = h.deps.cache;
    const btc = { symbol: 'BTC', price: 70_123.5, ts: '2026-11-20T12:00:00.000Z', source: 'test' };
    await cache.set('latest_price:BTC', btc, 60);
    const updated = await get(url);
    expect(updated.body.items[1]).toEqual({ ...btc, cached: true });
    // a deleted (or expired) entry is read from the store again: cached false, the fixture price back
    await cache.del('latest_price:BTC');
    const fromStore = await get(url);
    expect(fromStore.body.items[1]).toMatchObject({ symbol: 'BTC', price: 65_000, cached: false });
    expect((await get(url)).body.items.map((i: { cached: boolean }) => i.cached)).toEqual([true, true]);
  });

  it('GET /api/market groups by asset class and lists movers', async () => {
    const { status, body } = await get('/api/market');
    expect(status).toBe(200);
    expect(body.asset_classes.map((c: { asset_class: string }) => c.asset_class).sort()).toEqual([
      'crypto',
      'equity',
      'stablecoin',
    ]);
    const movers = [...body.movers.gainers, ...body.movers.losers];
    expect(movers.length).toBeGreaterThan(0);
    for (const g of body.movers.gainers) expect(g.change_pct).toBeGreaterThan(0);
    for (const l of body.movers.losers) expect(l.change_pct).toBeLessThan(0);
  });

  it('serves the data monitor (coverage, schemas, stats, symbols) and refuses unknown schemas', async () => {
    const cov = await get('/api/monitor/coverage');
    expect(
      cov.body.instruments.find(
        (r: { symbol: string; interval: string }) => r.symbol === 'BTC' && r.interval === '1d',
      ),
    ).toMatchObject({ count: expect.any(Number), gaps: 0 });
    const schemas = await get('/api/monitor/schemas');
    expect(schemas.body.schemas.map((s: { schema: string }) => s.schema)).toEqual(
      expect.arrayContaining(['market_data', 'derived', 'ops']),
    );
    const stats = await get('/api/monitor/stats/market_data');
    const bars = stats.body.tables.find((t: { table: string }) => t.table === 'bars');
    expect(bars).toMatchObject({ time_column: 'ts', rows: expect.any(Number) });
    expect(bars.rows).toBeGreaterThan(1000);
    const symbols = await get('/api/monitor/symbols/market_data');
    expect(symbols.body.symbols.find((s: { symbol: string }) => s.symbol === 'BTC').tables.prices).toBe(1);
    expect((await get('/api/monitor/stats/nope')).status).toBe(404);
    expect((await get('/api/monitor/stats/pg_catalog')).status).toBe(404);
    expect((await get('/api/monitor/stats/x%22%3Bdrop')).status).toBe(400);
  });

  it('GET /api/monitor/feeds counts economic data, news and events (empty, then the shipped samples)', async () => {
    const empty = await get('/api/monitor/feeds');
    expect(empty.status).toBe(200);
    expect(empty.body.feeds.map((f: { schema: string; records: number }) => [f.schema, f.records])).toEqual([
      ['economic_data', 0],
      ['news', 0],
      ['events', 0],
    ]);
    expect(empty.body.feeds[0]).toMatchObject({ first: null, last: null, freshness_seconds: null });
    await loadEconomicSamples(h.db, { series: ['DFF'] });
    await loadNewsSamples(h.db);
    await loadEventSamples(h.db);
    const { body } = await get('/api/monitor/feeds');
    const [econ, news, events] = body.feeds;
    // samples/fred/DFF_2023.csv: one value a day, 2023-01-01 to 2023-12-31 (365 rows, none missing)
    expect(econ).toMatchObject({
      schema: 'economic_data',
      records: 365,
      instruments: 1,
      unit: 'series',
      first: '2023-01-01',
      last: '2023-12-31',
      tables: { series: 1, observations: 365 },
    });
    expect(econ.freshness_seconds).toBeGreaterThan(0);
    const articles = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM news.articles');
    expect(articles.rows[0]?.n).toBeGreaterThan(0);
    expect(news).toMatchObject({ schema: 'news', records: articles.rows[0]?.n, unit: 'sources' });
    expect(news.instruments).toBeGreaterThan(0);
    expect(news.last > news.first).toBe(true);
    // samples/events/events.csv rows for AAPL, the fixture's only equity: 2 dividends, 1 split, 2 earnings
    expect(events).toMatchObject({ schema: 'events', instruments: 1, unit: 'instruments' });
    expect(events.tables).toMatchObject({ dividends: 2, splits: 1, earnings: 2 });
    const total = Object.values(events.tables as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(events.records).toBe(total);
    expect(events.first).toBe('2020-08-31');
  });

  it('serves stored analytics: correlations, contagion, best pairs, volatility, depegs', async () => {
    const corr = await get('/api/correlations?window=30');
    expect(corr.status).toBe(200);
    // 4 instruments → 6 pairs
    expect(corr.body.pairs).toHaveLength(6);
    for (const p of corr.body.pairs) expect(p.asset_1 < p.asset_2).toBe(true);
    const filtered = await get('/api/correlations?window=30&assets=BTC,ETH');
    expect(filtered.body.pairs).toHaveLength(1);
    const contagion = await get('/api/correlations/contagion');
    expect(contagion.body).toMatchObject({ window_days: 90, pairs: 6 });
    const levels = Object.values(contagion.body.levels as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(levels).toBe(6);
    const best = await get('/api/best-pairs');
    expect(best.body.pairs.length).toBeGreaterThan(0);
    const vol = await get('/api/volatility/BTC');
    expect(vol.body).toMatchObject({ symbol: 'BTC', interval: '1d' });
    expect(vol.body.hv_20).toBeGreaterThan(0);
    expect((await get('/api/volatility/NOPE')).status).toBe(404);
    expect((await get('/api/depegs?asset=USDC&since=2020-01-01')).body).toHaveProperty('events');
    expect((await get('/api/depegs?since=notadate')).status).toBe(400);
    expect((await get('/api/depegs/stats')).body).toHaveProperty('assets');
  });

  it('answers risk: VaR (seeded, reproducible), stress, quote; reports 404 until one is stored', async () => {
    const post = (payload: object) => h.app.inject({ method: 'POST', url: '/api/risk/var', payload });
    const a = await post({ simulations: 1000, seed: 42 });
    const b = await post({ simulations: 1000, seed: 42 });
    expect(a.statusCode).toBe(200);
    expect(a.json().var_95).toBe(b.json().var_95);
    expect(a.json().var_99).toBeGreaterThanOrEqual(a.json().var_95);
    expect(a.json().conventions).toMatchObject({
      method: 'monte_carlo',
      horizon_days: 30,
      horizon_unit: 'calendar_days',
      scaling: 'sqrt_time',
    });
    expect((await post({ simulations: 10_000_000 })).statusCode).toBe(400);
    expect((await post({ portfolio: '../etc/passwd' })).statusCode).toBe(400);
    const stress = await get('/api/risk/stress');
    expect(stress.body.results.length).toBeGreaterThan(0);
    const q = await get('/quote/USDC/100000?days=30');
    expect(q.body).toMatchObject({ asset: 'USDC', amount: 100_000, days: 30 });
    expect(q.body.premium).toBeGreaterThan(0);
    expect((await get('/quote/USDC/-5')).status).toBe(400);
    const unknown = await get('/quote/USDX/1000');
    expect([unknown.status, unknown.body.error]).toEqual([404, 'not_found']);
    expect(unknown.body.message).toContain('unknown asset "USDX"');
    expect((await get('/api/risk/reports/latest')).status).toBe(404);
    expect((await get('/api/risk/reports/2020-13-45')).status).toBe(400);
    expect((await get('/api/risk/reports/2020-01-02')).status).toBe(404);
    expect((await get('/api/risk/reports/yesterday')).status).toBe(400);
  });

  it('GET /api/risk/reports lists the stored reports newest first (date, portfolio, VaR 95 %, alert count)', async () => {
    expect((await get('/api/risk/reports')).body).toEqual({ reports: [] });
    await saveReport(
      h.db,
      '2024-03-01',
      'default',
      { var: { var_95: 1234.5 }, alerts: [{ level: 'high' }] },
      '<p/>',
    );
    await saveReport(h.db, '2024-03-03', 'default', { var: { var_95: 2000 }, alerts: [] }, '<p/>');
    await saveReport(h.db, '2024-03-02', 'other', { alerts: [{ level: 'low' }, { level: 'info' }] }, '<p/>');
    const { status, body } = await get('/api/risk/reports');
    expect(status).toBe(200);
    expect(body.reports).toEqual([
      { date: '2024-03-03', portfolio: 'default', var_95: 2000, alerts: 0 },
      { date: '2024-03-02', portfolio: 'other', var_95: null, alerts: 2 },
      { date: '2024-03-01', portfolio: 'default', var_95: 1234.5, alerts: 1 },
    ]);
    expect(
      (await get('/api/risk/reports?limit=1')).body.reports.map((r: { date: string }) => r.date),
    ).toEqual(['2024-03-03']);
    expect((await get('/api/risk/reports?limit=0')).status).toBe(400);
    expect((await get('/api/risk/reports/latest')).body).toMatchObject({ var: { var_95: 2000 } });
    await h.db.query('DELETE FROM risk.reports');
  });

  it('serves the quality report, the quarantine and cache stats', async () => {
    const report = await get('/api/quality/report');
    expect(report.body).toMatchObject({ stored: true, overall_valid: expect.any(Boolean) });
    expect(report.body.total_checks).toBeGreaterThan(0);
    const fresh = await get('/api/quality/report?fresh=true');
    expect(fresh.body).toMatchObject({ stored: false, total_checks: report.body.total_checks });
    expect((await get('/api/quality/report')).body.stored).toBe(true);
    const q = await get('/api/quarantine?limit=5');
    expect(q.body).toEqual({ counts: {}, items: [] });
    const stats = await get('/api/cache/stats');
    expect(stats.body).toMatchObject({ backend: 'memory', degraded: false });
    expect(stats.body.hits).toBeGreaterThan(0);
  });

  it('runs and reads back a backtest; refuses strategy paths', async () => {
    const run = await h.app.inject({
      method: 'POST',
      url: '/api/backtests',
      payload: { strategy: 'ma-crossover', symbols: ['BTC'] },
    });
    expect(run.statusCode).toBe(200);
    const id = run.json().id;
    expect(id).toBeGreaterThan(0);
    const back = await get(`/api/backtests/${id}`);
    expect(back.body).toMatchObject({ id, strategy: 'ma-crossover' });
    const evil = await h.app.inject({
      method: 'POST',
      url: '/api/backtests',
      payload: { strategy: '../../tmp/evil.ts', symbols: ['BTC'] },
    });
    expect(evil.statusCode).toBe(400);
    expect((await get('/api/backtests/999999')).status).toBe(404);
  });

  it('GET /health, /ready and /metrics', async () => {
    expect((await get('/health')).body.status).toBe('ok');
    const ready = await get('/ready');
    expect(ready.body).toMatchObject({ status: 'ready', db: { ok: true }, cache: { backend: 'memory' } });
    const res = await h.app.inject({ url: '/metrics' });
    expect(res.headers['content-type']).toContain('text/plain');
    for (const name of [
      'marketpipe_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/watchlist",status_code="200"}',
      'marketpipe_cache_hit_ratio{backend="memory"}',
      'marketpipe_db_up 1',
      'marketpipe_quarantine_rows',
      'marketpipe_job_runs',
      'marketpipe_ingest_rows',
      'marketpipe_ws_clients',
    ]) {
      expect(res.body, name).toContain(name);
    }
  });

  it('lists every route in the OpenAPI document at /docs/json', async () => {
    const doc = (await get('/docs/json')).body;
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/health',
      '/ready',
      '/metrics',
      '/api/asset/{symbol}',
      '/api/asset/{symbol}/indicators',
      '/api/watchlist',
      '/api/market',
      '/api/monitor/coverage',
      '/api/monitor/feeds',
      '/api/monitor/schemas',
      '/api/monitor/stats/{schema}',
      '/api/monitor/symbols/{schema}',
      '/api/correlations',
      '/api/correlations/contagion',
      '/api/best-pairs',
      '/api/volatility/{symbol}',
      '/api/depegs',
      '/api/depegs/stats',
      '/api/risk/var',
      '/api/risk/stress',
      '/api/risk/reports',
      '/api/risk/reports/latest',
      '/api/risk/reports/{date}',
      '/quote/{asset}/{amount}',
      '/api/quality/report',
      '/api/quarantine',
      '/api/cache/stats',
      '/api/backtests',
      '/api/backtests/{id}',
      '/api/alerts',
      '/ws/prices',
      '/ws/monitor',
      '/ws/alerts',
    ]) {
      expect(paths, p).toContain(p);
    }
    // every documented operation declares its responses
    for (const [p, ops] of Object.entries(
      doc.paths as Record<string, Record<string, { responses?: object }>>,
    )) {
      for (const [method, op] of Object.entries(ops)) {
        if (!p.startsWith('/ws/') && !p.startsWith('/admin') && !p.startsWith('/docs'))
          expect(op.responses, `${method} ${p}`).toHaveProperty('200');
      }
    }
  });

  it('answers through a real listening server too', async () => {
    const res = await fetch(`${h.server.url}/api/watchlist?symbols=BTC`);
    expect(res.status).toBe(200);
    expect((await res.json()).items[0].symbol).toBe('BTC');
    const missing = await fetch(`${h.server.url}/api/nothing`);
    expect([missing.status, await missing.json()]).toEqual([
      404,
      { error: 'not_found', message: 'no route GET /api/nothing' },
    ]);
  });
});

describe('API keys, per-key rate limit and CORS', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi({
      store: 'pglite',
      seed: false,
      apiKeys: ['k-one', 'k-two'],
      apiKeyRateLimit: 3,
      corsOrigins: ['https://dash.example'],
    });
  }, 60_000);
  afterAll(async () => h?.close());

  it('requires a known x-api-key on data routes (401), not on /health, /ready, /metrics', async () => {
    const none = await h.app.inject({ url: '/api/depegs' });
    expect([none.statusCode, none.json().error]).toEqual([401, 'unauthorized']);
    const wrong = await h.app.inject({ url: '/api/depegs', headers: { 'x-api-key': 'nope' } });
    expect([wrong.statusCode, wrong.json().message]).toEqual([401, 'unknown API key']);
    const ok = await h.app.inject({ url: '/api/depegs', headers: { 'x-api-key': 'k-one' } });
    expect(ok.statusCode).toBe(200);
    for (const url of ['/health', '/ready', '/metrics'])
      expect((await h.app.inject({ url })).statusCode, url).toBe(200);
  });

  it('limits each key separately across all data routes (429 with Retry-After)', async () => {
    const call = (key: string, url: string) => h.app.inject({ url, headers: { 'x-api-key': key } });
    // k-one used 1 request above; limit 3 per minute
    expect((await call('k-one', '/api/depegs/stats')).statusCode).toBe(200);
    expect((await call('k-one', '/api/quarantine')).statusCode).toBe(200);
    const over = await call('k-one', '/api/depegs');
    expect([over.statusCode, over.json().error]).toEqual([429, 'rate_limited']);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect((await call('k-two', '/api/depegs')).statusCode).toBe(200);
  });

  it('guards the WebSocket upgrade too (header, or ?api_key= since browsers cannot set headers there)', async () => {
    const status = (url: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => {
          ws.close(1000);
          resolve(101);
        });
        ws.once('error', reject);
      });
    const base = h.server.url.replace('http', 'ws');
    expect(await status(`${base}/ws/prices`)).toBe(401);
    expect(await status(`${base}/ws/prices?api_key=k-two`)).toBe(101);
  });

  it('answers CORS preflights for the configured origin only', async () => {
    const pre = (origin: string) =>
      h.app.inject({
        method: 'OPTIONS',
        url: '/api/watchlist',
        headers: { origin, 'access-control-request-method': 'GET' },
      });
    expect((await pre('https://dash.example')).headers['access-control-allow-origin']).toBe(
      'https://dash.example',
    );
    expect((await pre('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
  });
});
