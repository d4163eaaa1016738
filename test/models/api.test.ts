import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateModelVersion, insertModelVersion } from '../../src/store/repos/models.ts';
import { type ApiHarness, startApi } from '../api/harness.ts';
import { loadSamples } from './load-samples.ts';

describe('GET /api/models (the dashboard Models page)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi({ store: 'pglite', seed: false });
    await loadSamples(h.db);
    const est = (value: number) => ({ value, lo: value, hi: value });
    const v = await insertModelVersion(
      h.db,
      {
        name: 'depeg-logit',
        task: 'depeg',
        params: {},
        features: ['dev_abs'],
        trainFrom: Date.parse('2022-01-01'),
        trainTo: Date.parse('2024-01-01'),
        metrics: { auc: est(0.9), brier: est(0.01), log_loss: est(0.05), n: 3, positives: 1 },
        baseline: { auc: est(0.8), brier: est(0.02), log_loss: est(0.06), n: 3, positives: 1 },
        betterThanBaseline: true,
        model: {
          kind: 'logistic',
          features: ['dev_abs'],
          model: { kind: 'logistic', coef: [-4, 0], mean: [0], scale: [1] },
        },
        seed: 1,
      },
      [
        { asset: 'USDC', ts: Date.parse('2023-03-09'), y: 0, p: 0.05, p_baseline: 0.2 },
        { asset: 'USDC', ts: Date.parse('2023-03-10'), y: 1, p: 0.95, p_baseline: 0.3 },
        { asset: 'DAI', ts: Date.parse('2023-03-10'), y: 0, p: 0.07, p_baseline: 0.25 },
      ],
    );
    await activateModelVersion(h.db, 'depeg-logit', v.version);
  }, 120_000);
  afterAll(async () => h.close());

  it('lists versions with metrics beside the baseline', async () => {
    const res = await h.app.inject({ url: '/api/models' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      models: { name: string; active: boolean; metrics: { auc: { value: number } } }[];
      catalog: { name: string }[];
    };
    expect(body.catalog.map((c) => c.name)).toEqual([
      'depeg',
      'depeg-logit',
      'depeg-lstm',
      'vol',
      'vol-har',
      'regimes',
    ]);
    expect(body.models).toEqual([
      expect.objectContaining({ name: 'depeg-logit', active: true, better_than_baseline: true }),
    ]);
    expect(body.models[0]?.metrics.auc.value).toBe(0.9);
  });

  it('one model: calibration from the stored forecasts and the active version latest forecasts', async () => {
    const res = await h.app.inject({ url: '/api/models/depeg-logit' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      versions: {
        calibration: { model: { count: number; observed: number | null }[]; baseline: { count: number }[] };
      }[];
      latest: { asset: string; ts: string; probability: number }[];
    };
    const cal = body.versions[0]?.calibration;
    expect(cal?.model[0]).toMatchObject({ count: 2, observed: 0 });
    expect(cal?.model[9]).toMatchObject({ count: 1, observed: 1 });
    expect(cal?.baseline[2]).toMatchObject({ count: 2 });
    expect(body.latest.map((p) => p.asset).sort()).toEqual(['DAI', 'USDC', 'USDT']);
    expect(body.latest[0]?.probability).toBeCloseTo(1 / (1 + Math.exp(4)), 12);
  });

  it('an unknown model is a 404 with {error, message}', async () => {
    const res = await h.app.inject({ url: '/api/models/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({
      error: expect.any(String),
      message: expect.stringContaining('unknown model "nope"'),
    });
  });
});
