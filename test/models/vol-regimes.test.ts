import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as modelsCmd from '../../src/cli/commands/models.ts';
import { ConflictError, NotFoundError } from '../../src/core/errors.ts';
import type { StoredBar } from '../../src/core/types.ts';
import { defaultBlockLength, pairedMetrics } from '../../src/models/metrics.ts';
import { retrainModel } from '../../src/models/service.ts';
import { pairedVolMetrics } from '../../src/models/vol-model.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { activeModelVersion, getModelVersion, readModelPredictions } from '../../src/store/repos/models.ts';
import { testBackends } from '../store/backends.ts';
import { runCommands } from '../support/cli.ts';

// The shipped real daily series (samples/daily, Yahoo; see samples/README.md) of the regime basket.
const FILES = {
  BTC: { file: 'BTC_yahoo_daily_2021-2025.csv', assetClass: 'crypto' as const },
  ETH: { file: 'ETH_yahoo_daily_2021-2026.csv', assetClass: 'crypto' as const },
  SPY: { file: 'SPY_yahoo_daily_2021-2026.csv', assetClass: 'etf' as const },
};

function bars(symbol: string, file: string): StoredBar[] {
  const lines = readFileSync(new URL(`../../samples/daily/${file}`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return lines.map((line) => {
    const [d, o, h, l, c, v] = line
      .split(',')
      .map((x, i) => (i === 0 ? Date.parse(`${x}T00:00:00Z`) : Number(x)));
    const close = c as number;
    return {
      symbol,
      interval: '1d',
      source: 'yahoo',
      ts: d as number,
      open: o as number,
      high: Math.max(h as number, close),
      low: Math.min(l as number, close),
      close,
      volume: v as number,
    };
  });
}

for (const backend of await testBackends('models-vol')) {
  describe(`volatility and correlation-regime models on ${backend.name}`, () => {
    let db: Db;
    const run = async (...argv: string[]) => {
      const { printed } = await runCommands([modelsCmd], { db }, argv);
      return JSON.parse(JSON.stringify(printed[0])) as Record<string, unknown>;
    };
    beforeAll(async () => {
      db = await backend.open();
      await upsertInstruments(
        db,
        Object.entries(FILES).map(([symbol, f]) => ({
          symbol,
          assetClass: f.assetClass,
          name: symbol,
          currency: 'USD',
          timezone: 'UTC',
        })),
      );
      const rows = Object.entries(FILES).flatMap(([symbol, f]) => bars(symbol, f.file));
      // The demo's synthetic fill never reaches a model: a wild synthetic BTC bar after the real data.
      rows.push({
        ...(rows[0] as StoredBar),
        source: 'synthetic',
        ts: Date.parse('2027-01-01'),
        close: 1,
        low: 1,
      });
      await upsertBars(db, rows);
    }, 120_000);
    afterAll(async () => backend.dispose(db));

    it('models train vol: QLIKE and MSE beside EWMA, deterministic with a seed, metrics recomputable', async () => {
      const a = await run('models', 'train', 'vol', '--asset', 'btc', '--resamples', '100', '--seed', '3');
      expect(a).toMatchObject({ name: 'vol', task: 'vol', asset: 'BTC', version: 1 });
      const m = a.metrics as {
        qlike: { value: number; lo: number; hi: number };
        mse: { value: number };
        n: number;
      };
      expect(m.qlike.lo).toBeLessThanOrEqual(m.qlike.value);
      expect(m.qlike.hi).toBeGreaterThanOrEqual(m.qlike.value);
      const b = a.baseline as { qlike: { value: number } };
      expect(a.better_than_baseline).toBe(m.qlike.value < b.qlike.value);
      // 1491 closes → 1490 returns, 250 before the first forecast.
      expect(m.n).toBe(1240);
      const again = await run(
        'models',
        'train',
        'vol',
        '--asset',
        'BTC',
        '--resamples',
        '100',
        '--seed',
        '3',
      );
      expect(again.version).toBe(2);
      expect(again.metrics).toEqual(a.metrics);
      expect((await getModelVersion(db, 'vol', 2)).model).toEqual(
        (await getModelVersion(db, 'vol', 1)).model,
      );

      const rows = await readModelPredictions(db, 'vol', 1);
      const [rm, rb] = pairedVolMetrics(
        [rows.map((r) => r.p), rows.map((r) => r.p_baseline)],
        rows.map((r) => r.y),
        { seed: 3, resamples: 100 },
      );
      const stored = await getModelVersion(db, 'vol', 1);
      const sm = stored.metrics as Record<string, unknown>;
      expect({ qlike: sm.qlike, mse: sm.mse, n: sm.n, block_length: sm.block_length }).toEqual(rm);
      expect(stored.baseline).toEqual(rb);
    }, 120_000);

    it('no look-ahead: forecasts made before a cut-off do not change when later bars are removed', async () => {
      await run('models', 'train', 'vol-har', '--resamples', '10');
      await run('models', 'train', 'vol-har', '--to', '2024-06-30', '--resamples', '10');
      await run('models', 'train', 'regimes', '--resamples', '10');
      await run('models', 'train', 'regimes', '--to', '2024-06-30', '--resamples', '10');
      for (const name of ['vol-har', 'regimes']) {
        const full = new Map((await readModelPredictions(db, name, 1)).map((r) => [`${r.asset}|${r.ts}`, r]));
        const cut = await readModelPredictions(db, name, 2);
        expect(cut.length).toBeGreaterThan(100);
        expect(cut.every((r) => r.ts < Date.parse('2024-07-01'))).toBe(true);
        for (const r of cut) expect(full.get(`${r.asset}|${r.ts}`)).toEqual(r);
      }
    }, 180_000);

    it('models train regimes: Brier/log-loss beside persistence, recomputable; never activated when worse', async () => {
      const a = await run('models', 'train', 'regimes', '--resamples', '100', '--seed', '4');
      expect(a).toMatchObject({ name: 'regimes', task: 'regimes', asset: 'BTC+ETH+SPY', version: 3 });
      const again = await run('models', 'train', 'regimes', '--resamples', '100', '--seed', '4');
      expect(again.metrics).toEqual(a.metrics);
      const rows = await readModelPredictions(db, 'regimes', 3);
      expect(rows.every((r) => r.y === 0 || r.y === 1)).toBe(true);
      const [rm, rb] = pairedMetrics(
        [rows.map((r) => r.p), rows.map((r) => r.p_baseline)],
        rows.map((r) => r.y),
        // Blocks of max(horizon 5, ⌈n^(1/3)⌉) forecasts, as the regime model's evaluation uses.
        { seed: 4, resamples: 100, blockLength: Math.max(5, defaultBlockLength(rows.length)) },
      );
      const stored = await getModelVersion(db, 'regimes', 3);
      const sm = stored.metrics as Record<string, unknown>;
      expect({
        auc: sm.auc,
        brier: sm.brier,
        log_loss: sm.log_loss,
        n: sm.n,
        positives: sm.positives,
        block_length: sm.block_length,
      }).toEqual(rm);
      expect(stored.baseline).toEqual(rb);
      // On the shipped data the HMM loses to persistence (see README): it must stay unused.
      expect(stored.betterThanBaseline).toBe(false);
      await expect(runCommands([modelsCmd], { db }, ['models', 'activate', 'regimes', '3'])).rejects.toThrow(
        ConflictError,
      );
      expect((await retrainModel(db, 'regimes', { resamples: 10 })).activated).toBe(false);
      expect(await activeModelVersion(db, 'regimes')).toBeNull();
      await expect(runCommands([modelsCmd], { db }, ['models', 'predict', 'regimes'])).rejects.toThrow(
        NotFoundError,
      );
    }, 180_000);

    it('models predict vol --asset BTC: the active version’s next-day variance after the last real close', async () => {
      const v = await getModelVersion(db, 'vol', 1);
      expect(v.betterThanBaseline).toBe(true); // GARCH beats EWMA by QLIKE on the shipped BTC series
      await run('models', 'activate', 'vol', '1');
      const out = await run('models', 'predict', 'vol', '--asset', 'BTC');
      const p = (out.predictions as { asset: string; ts: string; variance: number; daily_vol: number }[])[0];
      expect(out).toMatchObject({ name: 'vol', task: 'vol', version: 1 });
      expect(p?.asset).toBe('BTC');
      expect(p?.ts.slice(0, 10)).toBe('2025-12-30'); // last row of the BTC sample (the synthetic bar is ignored)
      const m = v.model as { omega: number; alpha: number; beta: number };
      // Variance between the GARCH floor ω / (1 − β) and a daily vol of 20 %.
      expect(p?.variance).toBeGreaterThan(m.omega / (1 - m.beta));
      expect(p?.daily_vol).toBeCloseTo(Math.sqrt(p?.variance ?? Number.NaN), 12);
      expect(p?.daily_vol).toBeLessThan(0.2);
    }, 60_000);
  });
}
