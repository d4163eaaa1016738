import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/config/store.ts';
import { predictModel } from '../../src/models/service.ts';
import { quote, runDailyRisk, runVar } from '../../src/risk/service.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { activateModelVersion, insertModelVersion } from '../../src/store/repos/models.ts';
import { listScenarios } from '../../src/store/repos/risk.ts';
import { loadSamples } from './load-samples.ts';

describe('the daily risk report shows the active models with their versions', () => {
  let db: Db;
  let home: string;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await loadSamples(db);
    home = mkdtempSync(join(tmpdir(), 'mp-models-report-'));
  }, 120_000);
  afterAll(async () => {
    await db.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('lists models without an active version, and the forecasts of an active one as of the report date', async () => {
    const first = await runDailyRisk(db, {
      config: await ConfigStore.open({ db, live: false }),
      home,
      date: '2023-03-10',
      simulations: 2000,
    });
    expect(first.report.models).toEqual({
      models: [],
      inactive: ['depeg', 'depeg-logit', 'depeg-lstm'],
      note: null,
    });
    // A version that beat its baseline (hand-made: logistic on the deviation, 1 + 200·|dev| log-odds).
    const v = await insertModelVersion(
      db,
      {
        name: 'depeg-logit',
        task: 'depeg',
        params: {},
        features: ['dev_abs'],
        trainFrom: null,
        trainTo: null,
        metrics: {},
        baseline: {},
        betterThanBaseline: true,
        model: {
          kind: 'logistic',
          features: ['dev_abs'],
          model: { kind: 'logistic', coef: [1, 200], mean: [0], scale: [1] },
        },
        seed: 1,
      },
      [],
    );
    await activateModelVersion(db, 'depeg-logit', v.version);
    const { report, files } = await runDailyRisk(db, {
      config: await ConfigStore.open({ db, live: false }),
      home,
      date: '2023-03-11',
      simulations: 2000,
    });
    expect(report.models?.inactive).toEqual(['depeg', 'depeg-lstm']);
    const m = report.models?.models[0];
    expect(m).toMatchObject({ name: 'depeg-logit', version: v.version });
    // As of 2023-03-11 (end of day): forecasts from 2023-03-11; UST (no bar since 2022-12-31) gets none.
    const usdc = m?.predictions.find((p) => p.asset === 'USDC');
    expect(usdc?.ts).toBe('2023-03-11T00:00:00.000Z');
    expect(m?.predictions.map((p) => p.asset).sort()).toEqual(['DAI', 'USDC', 'USDT']);
    // USDC closed 0.9715 on 2023-03-11 (samples/stablecoins/USDC_coinmarketcap_daily_2022-2023.csv).
    expect(usdc?.probability).toBeCloseTo(1 / (1 + Math.exp(-(1 + 200 * Math.abs(0.9715 - 1)))), 12);
    const html = readFileSync(files.html, 'utf8');
    expect(html).toContain('Model forecasts');
    expect(html).toMatch(new RegExp(`depeg-logit</td><td>${v.version}</td><td>USDC`));
  }, 180_000);
  it('risk.scenario_weights = model scales the VaR scenario weights by the active depeg model, else says why not', async () => {
    const at = { date: '2023-03-11', simulations: 2000, store: false };
    expect(
      (await runVar(db, { ...at, config: await ConfigStore.open({ db, live: false }) })).scenario_weights,
    ).toEqual({ requested: 'default', used: 'default' });
    await db.query(
      `UPDATE config.parameters SET value = '"model"' WHERE category = 'risk' AND key = 'scenario_weights'`,
    );
    // The active depeg-logit version of the test above stores no walk-forward forecasts: no base rate.
    const fallback = (await runVar(db, { ...at, config: await ConfigStore.open({ db, live: false }) }))
      .scenario_weights;
    expect(fallback).toMatchObject({ requested: 'model', used: 'default' });
    expect(fallback.fallback).toMatch(/base rate/);
    // A quote asked to use the depeg model refuses rather than silently pricing without it.
    await expect(
      quote(db, {
        config: await ConfigStore.open({ db, live: false }),
        asset: 'USDC',
        amount: 1e6,
        days: 30,
        depegModel: true,
      }),
    ).rejects.toThrow(/cannot price with the depeg model: .*base rate/);
    // Same hand-made model, four stored forecasts of which one was a depeg: base rate 1/4.
    const model = {
      kind: 'logistic',
      features: ['dev_abs'],
      model: { kind: 'logistic', coef: [1, 200], mean: [0], scale: [1] },
    };
    const v = await insertModelVersion(
      db,
      {
        name: 'depeg-logit',
        task: 'depeg',
        params: {},
        features: ['dev_abs'],
        trainFrom: null,
        trainTo: null,
        metrics: {},
        baseline: {},
        betterThanBaseline: true,
        model,
        seed: 1,
      },
      [0, 1, 2, 3].map((d) => ({
        asset: 'USDC',
        ts: Date.UTC(2022, 0, 1 + d),
        y: d === 0 ? 1 : 0,
        p: 0.5,
        p_baseline: 0.5,
      })),
    );
    await activateModelVersion(db, 'depeg-logit', v.version);
    const run = await runVar(db, { ...at, config: await ConfigStore.open({ db, live: false }) });
    const used = run.scenario_weights;
    expect(used).toMatchObject({
      requested: 'model',
      used: 'model',
      model: { name: 'depeg-logit', version: v.version, base_rate: 0.25 },
    });
    // Forecasts as of 2023-03-11: σ(1 + 200·|close − 1|) per coin (closes in samples/stablecoins/*.csv).
    const report = await runDailyRisk(db, {
      config: await ConfigStore.open({ db, live: false }),
      home,
      date: '2023-03-11',
      simulations: 2000,
    });
    const probs = Object.fromEntries(
      (report.report.models?.models[0]?.predictions ?? []).map((p) => [p.asset, p.probability]),
    );
    expect(probs.USDC).toBeCloseTo(1 / (1 + Math.exp(-(1 + 200 * Math.abs(0.9715 - 1)))), 12);
    const expected: Record<string, { from: number; to: number }> = {};
    for (const s of await listScenarios(db, { enabledOnly: true })) {
      const ps = Object.keys(s.assetImpacts).flatMap((a) => {
        const q = probs[a];
        return q === undefined ? [] : [q];
      });
      if (ps.length > 0) expected[s.name] = { from: s.weight, to: (s.weight * Math.max(...ps)) / 0.25 };
    }
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    expect(Object.keys(used.changed ?? {}).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, w] of Object.entries(expected)) {
      expect(used.changed?.[name]?.from).toBe(w.from);
      expect(used.changed?.[name]?.to).toBeCloseTo(w.to, 12);
    }
    // The quote's risk weight × P_model(USDC, latest stored day) / base rate 0.25 when asked, unchanged when not.
    const plain = await quote(db, {
      config: await ConfigStore.open({ db, live: false }),
      asset: 'USDC',
      amount: 1e6,
      days: 30,
    });
    const priced = await quote(db, {
      config: await ConfigStore.open({ db, live: false }),
      asset: 'USDC',
      amount: 1e6,
      days: 30,
      depegModel: true,
    });
    const predicted = await predictModel(db, 'depeg-logit', { asset: 'USDC' });
    const pUsdc =
      predicted.task === 'vol' ? Number.NaN : (predicted.predictions[0]?.probability ?? Number.NaN);
    expect(plain.breakdown.model_multiplier).toBeUndefined();
    expect(priced.breakdown.model_multiplier).toBeCloseTo(pUsdc / 0.25, 12);
    expect(priced.breakdown.raw_premium).toBeCloseTo((plain.breakdown.raw_premium * pUsdc) / 0.25, 6);
    expect(report.report.data_sources).toMatchObject({ scenario_weights: `model depeg-logit v${v.version}` });
  }, 180_000);
});
