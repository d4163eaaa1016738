/** `POST /api/backtests` with `adjust`, through `app.inject()` on a PGlite store seeded with fixtures.ts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApi } from '../api/harness.ts';
import { loadSplitMarket } from './fixtures.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApi({ store: 'pglite', seed: false });
  await loadSplitMarket(h.db);
}, 60_000);
afterAll(async () => h?.close());

const post = (payload: Record<string, unknown>) =>
  h.app.inject({ method: 'POST', url: '/api/backtests', payload });

describe('POST /api/backtests adjust', () => {
  it('runs on split-adjusted prices and stores the mode with the run', async () => {
    const res = await post({ strategy: 'buy-and-hold', symbols: ['SPLT'], adjust: 'split' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { id: number; adjust: string; final_equity: number };
    // fixtures.ts: entry 400/4 = 100, exit 105 → 100 000 × 1.05
    expect(body.adjust).toBe('split');
    expect(body.final_equity).toBeCloseTo(105_000, 6);
    const back = await h.app.inject({ url: `/api/backtests/${body.id}` });
    expect(back.json()).toMatchObject({ id: body.id, adjust: 'split', config: { adjust: 'split' } });
  });

  it('defaults to split: the split is not read as a crash; raw asks for prices as traded', async () => {
    const res = await post({ strategy: 'buy-and-hold', symbols: ['SPLT'] });
    expect(res.statusCode).toBe(200);
    // 100 000 × 105 / (400 / 4)
    expect(res.json()).toMatchObject({ adjust: 'split', final_equity: expect.closeTo(105_000, 6) });
    const raw = await post({ strategy: 'buy-and-hold', symbols: ['SPLT'], adjust: 'raw' });
    // 100 000 × 105 / 400
    expect(raw.json()).toMatchObject({ adjust: 'raw', final_equity: expect.closeTo(26_250, 6) });
  });

  it('answers 400 {error, message} naming a bad mode', async () => {
    const res = await post({ strategy: 'buy-and-hold', symbols: ['SPLT'], adjust: 'splits' });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; message: string };
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    expect(body.error).toBe('invalid_input');
    expect(body.message).toBe('body/adjust expected one of raw, split, adjusted, total-return');
  });

  it('documents the modes and the default in the OpenAPI schema', async () => {
    const doc = (await h.app.inject({ url: '/docs/json' })).json() as {
      paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: unknown }> } } }>;
    };
    const schema = doc.paths['/api/backtests']?.post?.requestBody?.content['application/json']?.schema as {
      properties: Record<string, { enum?: string[]; default?: string }>;
    };
    expect(schema.properties.adjust).toMatchObject({
      enum: ['raw', 'split', 'adjusted', 'total-return'],
      default: 'split',
    });
  });
});

describe('POST /api/backtests conventions and ma-crossover entry', () => {
  it('states its conventions in the answer and in the stored run', async () => {
    const res = await post({ strategy: 'buy-and-hold', symbols: ['SPLT'] });
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      id: number;
      conventions: Record<string, unknown>;
      metrics: { periods_per_year: number };
    };
    expect(body.conventions).toMatchObject({
      fill: 'next_open',
      fee_bps: 0,
      fee_on: 'notional_each_fill',
      fractional_shares: true,
      sharpe_annualisation: 'sqrt_periods_per_year',
      periods_per_year: body.metrics.periods_per_year,
    });
    const back = await h.app.inject({ url: `/api/backtests/${body.id}` });
    expect(back.json()).toMatchObject({ conventions: body.conventions });
    const list = await h.app.inject({ url: '/api/backtests?limit=5' });
    expect(list.statusCode).toBe(200);
    const runs = (list.json() as { runs: Array<Record<string, unknown>> }).runs;
    expect(runs[0]).toMatchObject({
      id: body.id,
      strategy: 'buy-and-hold',
      adjust: 'split',
      conventions: body.conventions,
    });
    expect(runs[0]).not.toHaveProperty('trades');
  });

  it('takes entry cross|state for ma-crossover, 400 for another strategy or value', async () => {
    const ok = await post({
      strategy: 'ma-crossover',
      symbols: ['SPLT'],
      entry: 'state',
      params: { fast: 2, slow: 3 },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ params: { fast: 2, slow: 3, entry: 'state' } });
    const other = await post({ strategy: 'buy-and-hold', symbols: ['SPLT'], entry: 'cross' });
    expect([other.statusCode, other.json().error]).toEqual([400, 'invalid_input']);
    const bad = await post({ strategy: 'ma-crossover', symbols: ['SPLT'], entry: 'soon' });
    expect(bad.statusCode).toBe(400);
  });
});
