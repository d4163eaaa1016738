import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as modelsCmd from '../../src/cli/commands/models.ts';
import { ConflictError } from '../../src/core/errors.ts';
import { pairedMetrics } from '../../src/models/metrics.ts';
import { retrainModel } from '../../src/models/service.ts';
import type { Db } from '../../src/store/db.ts';
import {
  activeModelVersion,
  getModelVersion,
  insertModelVersion,
  readModelPredictions,
} from '../../src/store/repos/models.ts';
import { testBackends } from '../store/backends.ts';
import { runCommands } from '../support/cli.ts';
import { loadSamples } from './load-samples.ts';

for (const backend of await testBackends('models')) {
  describe(`model registry on ${backend.name}`, () => {
    let db: Db;
    const run = async (...argv: string[]) => {
      const { printed } = await runCommands([modelsCmd], { db }, argv);
      return JSON.parse(JSON.stringify(printed[0])) as Record<string, unknown>;
    };
    beforeAll(async () => {
      db = await backend.open();
      await loadSamples(db);
    }, 120_000);
    afterAll(async () => backend.dispose(db));

    it('models train prints {name, version, metrics, baseline, better_than_baseline}; training is deterministic', async () => {
      const a = await run('models', 'train', 'depeg-logit', '--resamples', '100', '--seed', '2');
      expect(a).toMatchObject({ name: 'depeg-logit', version: 1 });
      expect(typeof a.better_than_baseline).toBe('boolean');
      const m = a.metrics as { auc: { value: number; lo: number; hi: number }; n: number };
      expect(m.auc.lo).toBeLessThanOrEqual(m.auc.value);
      expect(Object.keys(a.baseline as object)).toEqual(expect.arrayContaining(['auc', 'brier', 'log_loss']));
      // Real data only: the synthetic 2024 bar is not in the window (samples end 2023-12-31).
      expect(a.train_to).toBe('2024-01-01T00:00:00.000Z');
      const b = await run('models', 'train', 'depeg-logit', '--resamples', '100', '--seed', '2');
      expect(b.version).toBe(2);
      expect(b.metrics).toEqual(a.metrics);
      const [v1, v2] = [
        await getModelVersion(db, 'depeg-logit', 1),
        await getModelVersion(db, 'depeg-logit', 2),
      ];
      expect(v2.model).toEqual(v1.model);
    }, 120_000);

    it('metrics recomputed from the stored walk-forward forecasts equal the stored metrics', async () => {
      const v = await getModelVersion(db, 'depeg-logit', 1);
      const rows = await readModelPredictions(db, 'depeg-logit', 1);
      const y = rows.map((r) => r.y);
      const [m, b] = pairedMetrics([rows.map((r) => r.p), rows.map((r) => r.p_baseline)], y, {
        seed: 2,
        resamples: 100,
      });
      const stored = v.metrics as Record<string, unknown>;
      expect({ auc: stored.auc, brier: stored.brier, log_loss: stored.log_loss, n: stored.n }).toEqual({
        auc: m?.auc,
        brier: m?.brier,
        log_loss: m?.log_loss,
        n: m?.n,
      });
      const base = v.baseline as Record<string, unknown>;
      expect(base.log_loss).toEqual(b?.log_loss);
    });

    it('a version that did not beat its baseline is never activated (command, repository and table)', async () => {
      const v = await getModelVersion(db, 'depeg-logit', 1);
      expect(v.betterThanBaseline).toBe(false); // on the shipped data the deviation-only baseline wins
      await expect(
        runCommands([modelsCmd], { db }, ['models', 'activate', 'depeg-logit', '1']),
      ).rejects.toThrow(ConflictError);
      await expect(
        db.query("UPDATE models.versions SET active = true WHERE name = 'depeg-logit' AND version = 1"),
      ).rejects.toThrow(/active_beats_baseline/);
      expect(await activeModelVersion(db, 'depeg-logit')).toBeNull();
      const retrain = await retrainModel(db, 'depeg-logit', { resamples: 50 });
      expect(retrain.activated).toBe(false);
      expect(await activeModelVersion(db, 'depeg-logit')).toBeNull();
    }, 120_000);

    it('activate and predict use the active version; retraining does not replace it with a version worse than its baseline', async () => {
      // A hand-made version that "beat" its baseline, trained up to 2023-06-01, predicting the base rate.
      const v1 = await getModelVersion(db, 'depeg-logit', 1);
      const fake = await insertModelVersion(
        db,
        {
          ...v1,
          betterThanBaseline: true,
          trainTo: Date.parse('2023-06-01'),
          model: {
            kind: 'logistic',
            features: ['dev_abs'],
            model: { kind: 'logistic', coef: [-4, 0], mean: [0], scale: [1] },
          },
        },
        [],
      );
      const act = await run('models', 'activate', 'depeg-logit', String(fake.version));
      expect(act).toMatchObject({ version: fake.version, active: true });
      const pred = await run('models', 'predict', 'depeg-logit', '--asset', 'usdc');
      expect(pred).toMatchObject({ name: 'depeg-logit', version: fake.version });
      const ps = pred.predictions as { asset: string; ts: string; probability: number }[];
      expect(ps).toHaveLength(1);
      expect(ps[0]?.asset).toBe('USDC');
      expect(ps[0]?.ts).toBe('2023-12-31T00:00:00.000Z');
      expect(ps[0]?.probability).toBeCloseTo(1 / (1 + Math.exp(4)), 12);
      const listed = await run('models', 'list');
      expect((listed.models as { active: boolean }[]).filter((m) => m.active)).toHaveLength(1);
      const retrain = await retrainModel(db, 'depeg-logit', { resamples: 50 });
      expect(retrain).toMatchObject({ activated: false, previous_active: fake.version });
      expect((await activeModelVersion(db, 'depeg-logit'))?.version).toBe(fake.version);
    }, 120_000);
  });
}
