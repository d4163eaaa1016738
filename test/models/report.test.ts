import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDailyRisk } from '../../src/services/risk.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { activateModelVersion, insertModelVersion } from '../../src/store/repos/models.ts';
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
    const first = await runDailyRisk(db, { home, date: '2023-03-10', simulations: 2000 });
    expect(first.report.models).toEqual({ models: [], inactive: ['depeg', 'depeg-logit'], note: null });
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
    const { report, files } = await runDailyRisk(db, { home, date: '2023-03-11', simulations: 2000 });
    expect(report.models?.inactive).toEqual(['depeg']);
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
});
