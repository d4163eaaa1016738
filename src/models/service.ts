/**
 * Wires the model math to the store: reads the inputs, evaluates walk-forward, stores versions in the
 * registry, activates only versions that beat their baseline (and, for the scheduled retrain, the active
 * version), and scores the latest day with the active version.
 */
import { NotFoundError, UsageError } from '../core/errors.ts';
import type { ReportModels } from '../risk/report/build.ts';
import type { Db, Queryable } from '../store/db.ts';
import {
  activateModelVersion,
  activeModelVersion,
  getModelVersion,
  insertModelVersion,
  listModelVersions,
  type ModelVersion,
  readDailyCloses,
  readDepegInputs,
  readModelPredictions,
} from '../store/repos/models.ts';
import { calibrationBins } from './calibration.ts';
import { type CatalogEntry, MODEL_CATALOG } from './catalog.ts';
import { type DepegEvaluation, evaluateDepeg, type FittedDepeg, latestDepeg, predictDepeg } from './depeg.ts';
import { alignDaily, type DepegPanel, type DepegSample, depegSamples } from './features.ts';
import { type ClassifierMetrics, logLoss } from './metrics.ts';
import {
  type Basket,
  evaluateRegimes,
  type FittedRegimes,
  latestRegimes,
  regimeForecastSeries,
} from './regime-model.ts';
import { retrainDecision } from './retrain.ts';
import {
  type DailyCloses,
  evaluateVol,
  type FittedVol,
  latestVol,
  logReturns,
  pairedVolMetrics,
  type VolMetrics,
  volForecastSeries,
} from './vol-model.ts';

export interface TrainOptions {
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  /** @defaultValue 1 */
  seed?: number;
  /** Bootstrap resamples of the metric intervals. @defaultValue 1000 */
  resamples?: number;
  /** The instrument of a volatility model (default: the catalogue's). */
  asset?: string;
}

type TrainMetrics = DepegEvaluation['metrics'] | VolMetrics | ClassifierMetrics;

export interface TrainResult {
  name: string;
  task: CatalogEntry['task'];
  /** The instrument (volatility) or basket (regimes); null for depeg models (every stablecoin). */
  asset: string | null;
  version: number;
  metrics: TrainMetrics;
  baseline: TrainMetrics;
  better_than_baseline: boolean;
  folds: number;
  samples: number;
  train_from: string | null;
  train_to: string | null;
}

export function catalogEntry(name: string): CatalogEntry {
  const entry = MODEL_CATALOG[name];
  if (!entry)
    throw new UsageError(`unknown model "${name}" (known: ${Object.keys(MODEL_CATALOG).join(', ')})`);
  return entry;
}

async function loadDepegPanel(
  db: Queryable,
  range: { from?: number; to?: number } = {},
): Promise<DepegPanel> {
  const { coins, btc } = await readDepegInputs(db, {
    from: range.from ?? Number.NEGATIVE_INFINITY,
    to: range.to ?? Number.POSITIVE_INFINITY,
  });
  if (coins.length === 0)
    throw new NotFoundError(
      'no daily bars of a pegged stablecoin from a real source in the store (run `marketpipe demo` or ingest)',
    );
  return alignDaily(coins, btc);
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

/** Daily closes of a volatility model's instrument, real sources only. */
async function loadCloses(
  db: Queryable,
  asset: string,
  range: { from?: number; to?: number } = {},
): Promise<DailyCloses> {
  const got = (
    await readDailyCloses(db, [asset], {
      from: range.from ?? Number.NEGATIVE_INFINITY,
      to: range.to ?? Number.POSITIVE_INFINITY,
    })
  ).get(asset);
  if (!got) throw new NotFoundError(`no daily bars of ${asset} from a real source in the store`);
  return got;
}

/** The regime basket's closes on the days every asset has one. */
async function loadBasket(
  db: Queryable,
  assets: readonly string[],
  range: { from?: number; to?: number } = {},
): Promise<Basket> {
  const by = await readDailyCloses(db, assets, {
    from: range.from ?? Number.NEGATIVE_INFINITY,
    to: range.to ?? Number.POSITIVE_INFINITY,
  });
  const missing = assets.filter((a) => !by.has(a));
  if (missing.length > 0)
    throw new NotFoundError(
      `no daily bars of ${missing.join(', ')} from a real source in the store (regime basket ${assets.join('+')})`,
    );
  const maps = assets.map((a) => {
    const c = by.get(a) ?? { ts: [], close: [] };
    return new Map(c.ts.map((t, i) => [t, c.close[i] as number]));
  });
  const ts = [...(maps[0]?.keys() ?? [])].filter((t) => maps.every((m) => m.has(t))).sort((a, b) => a - b);
  return { assets: [...assets], ts, closes: maps.map((m) => ts.map((t) => m.get(t) as number)) };
}

async function storeVersion(
  db: Db,
  name: string,
  entry: CatalogEntry,
  opts: { seed: number; features: string[]; params: unknown; trainFrom?: number; trainTo?: number },
  ev: {
    metrics: TrainMetrics;
    baseline: TrainMetrics;
    better_than_baseline: boolean;
    model: unknown;
    folds: number;
  },
  rows: { asset: string; ts: number; y: number; p: number; p_baseline: number }[],
): Promise<ModelVersion> {
  return insertModelVersion(
    db,
    {
      name,
      task: entry.task,
      params: opts.params,
      features: opts.features,
      trainFrom: opts.trainFrom ?? null,
      trainTo: opts.trainTo ?? null,
      metrics: { ...ev.metrics, folds: ev.folds },
      baseline: ev.baseline,
      betterThanBaseline: ev.better_than_baseline,
      model: ev.model,
      seed: opts.seed,
    },
    rows,
  );
}

/** Evaluates `name` walk-forward on the stored bars and stores it as a new version (not activated). */
export async function trainModel(db: Db, name: string, opts: TrainOptions = {}): Promise<TrainResult> {
  const entry = catalogEntry(name);
  const seed = opts.seed ?? 1;
  const boot = { seed, resamples: opts.resamples ?? 1000 };
  const result = (
    stored: ModelVersion,
    asset: string | null,
    ev: {
      metrics: TrainMetrics;
      baseline: TrainMetrics;
      better_than_baseline: boolean;
      folds: number;
      samples: number;
    },
  ): TrainResult => ({
    name,
    task: entry.task,
    asset,
    version: stored.version,
    metrics: ev.metrics,
    baseline: ev.baseline,
    better_than_baseline: ev.better_than_baseline,
    folds: ev.folds,
    samples: ev.samples,
    train_from: isoOrNull(stored.trainFrom ?? undefined),
    train_to: isoOrNull(stored.trainTo ?? undefined),
  });
  if (entry.task === 'vol') {
    const asset = (opts.asset ?? entry.spec.asset).toUpperCase();
    const closes = await loadCloses(db, asset, opts);
    const ev = evaluateVol(closes, entry.spec, asset, boot);
    const last = closes.ts[closes.ts.length - 1];
    const stored = await storeVersion(
      db,
      name,
      entry,
      {
        seed,
        features: ['r2_history'],
        params: { ...entry.spec, asset },
        trainFrom: closes.ts[0],
        trainTo: last === undefined ? undefined : last + 86_400_000,
      },
      ev,
      ev.predictions.map((p) => ({ asset, ...p })),
    );
    return result(stored, asset, ev);
  }
  if (entry.task === 'regimes') {
    const basket = await loadBasket(db, entry.spec.assets, opts);
    const ev = evaluateRegimes(basket, entry.spec, boot);
    const asset = basket.assets.join('+');
    const last = basket.ts[basket.ts.length - 1];
    const stored = await storeVersion(
      db,
      name,
      entry,
      {
        seed,
        features: ['avg_correlation', 'correlation_dispersion'],
        params: entry.spec,
        trainFrom: basket.ts[0],
        trainTo: last === undefined ? undefined : last + 86_400_000,
      },
      { ...ev, folds: ev.folds.length },
      ev.predictions.map((p) => ({ asset, ...p })),
    );
    return result(stored, asset, { ...ev, folds: ev.folds.length });
  }
  const panel = await loadDepegPanel(db, opts);
  const ev = evaluateDepeg(panel, entry.spec, boot);
  const first = panel.days[0];
  const last = panel.days[panel.days.length - 1];
  const stored = await insertModelVersion(
    db,
    {
      name,
      task: entry.task,
      params: entry.spec,
      features: [...entry.spec.features],
      trainFrom: first ?? null,
      trainTo: last === undefined ? null : last + 86_400_000,
      metrics: { ...ev.metrics, folds: ev.folds.length },
      baseline: ev.baseline,
      betterThanBaseline: ev.better_than_baseline,
      model: ev.model,
      seed,
    },
    ev.predictions.map((p) => ({ asset: p.coin, ts: p.ts, y: p.y, p: p.p, p_baseline: p.p_baseline })),
  );
  return result(stored, null, { ...ev, folds: ev.folds.length });
}

function depegModelNames(): string[] {
  return Object.entries(MODEL_CATALOG)
    .filter(([, e]) => e.task === 'depeg')
    .map(([n]) => n);
}

export function listModels(db: Queryable, name?: string): Promise<ModelVersion[]> {
  return listModelVersions(db, name);
}

export function activateModel(db: Db, name: string, version: number): Promise<ModelVersion> {
  catalogEntry(name);
  return activateModelVersion(db, name, version);
}

interface Prediction {
  asset: string;
  ts: string;
  probability: number;
  /** Regimes: the basket's average correlation on that day. */
  average_correlation?: number;
}

interface VolPrediction {
  asset: string;
  ts: string;
  /** Next-day variance of the daily log return, and its square root. */
  variance: number;
  daily_vol: number;
  /** The EWMA baseline's variance forecast, for comparison. */
  ewma_variance: number;
}

export type PredictResult =
  | { name: string; task: 'depeg' | 'regimes'; version: number; predictions: Prediction[] }
  | { name: string; task: 'vol'; version: number; predictions: VolPrediction[] };

/**
 * By the active version (or `version`): P(depeg next day) for the latest stored day of each stablecoin
 * (or `asset`); the next-day variance of a volatility model's instrument; P(high-correlation regime next
 * week) of the regime basket. `to` (epoch ms, exclusive) forecasts from the bars stored before it.
 */
export async function predictModel(
  db: Queryable,
  name: string,
  opts: { asset?: string; version?: number; to?: number } = {},
): Promise<PredictResult> {
  const entry = catalogEntry(name);
  const v =
    opts.version === undefined
      ? await activeModelVersion(db, name)
      : await getModelVersion(db, name, opts.version);
  if (!v)
    throw new NotFoundError(
      `model ${name} has no active version (train it, then activate one that beats its baseline)`,
    );
  if (entry.task === 'vol') {
    const m = v.model as FittedVol;
    const asset = (opts.asset ?? m.asset).toUpperCase();
    const f = latestVol(await loadCloses(db, asset, { to: opts.to }), m);
    return {
      name,
      task: 'vol',
      version: v.version,
      predictions: [
        {
          asset,
          ts: new Date(f.ts).toISOString(),
          variance: f.variance,
          daily_vol: f.daily_vol,
          ewma_variance: f.ewma_variance,
        },
      ],
    };
  }
  if (entry.task === 'regimes') {
    const m = v.model as FittedRegimes;
    const f = latestRegimes(await loadBasket(db, m.assets, { to: opts.to }), m);
    return {
      name,
      task: 'regimes',
      version: v.version,
      predictions: [
        {
          asset: m.assets.join('+'),
          ts: new Date(f.ts).toISOString(),
          probability: f.probability,
          average_correlation: f.average_correlation,
        },
      ],
    };
  }
  const panel = await loadDepegPanel(db, { to: opts.to });
  const preds = latestDepeg(panel, v.model as FittedDepeg)
    .filter((p) => !opts.asset || p.coin === opts.asset.toUpperCase())
    .map((p) => ({ asset: p.coin, ts: new Date(p.ts).toISOString(), probability: p.p }));
  if (opts.asset && preds.length === 0)
    throw new NotFoundError(`no stored daily bars of stablecoin ${opts.asset}`);
  return { name, task: 'depeg', version: v.version, predictions: preds };
}

export interface RetrainResult {
  name: string;
  trained: TrainResult;
  previous_active: number | null;
  activated: boolean;
  reason: string;
}

/**
 * The weekly retrain: trains a new version and activates it only when it beats its baseline and, if a
 * version is active, has a lower log-loss than the active one on the latest walk-forward window — the
 * samples known after the active version's training window ended, which the active version never saw.
 */
export async function retrainModel(db: Db, name: string, opts: TrainOptions = {}): Promise<RetrainResult> {
  const trained = await trainModel(db, name, opts);
  const active = await activeModelVersion(db, name);
  const done = (activated: boolean, reason: string): RetrainResult => ({
    name,
    trained,
    previous_active: active?.version ?? null,
    activated,
    reason,
  });
  let window = 0;
  let logLossNew = Number.NaN;
  let logLossActive = Number.NaN;
  const entry = catalogEntry(name);
  let lossName = 'log-loss';
  if (trained.better_than_baseline && active && entry.task !== 'depeg') {
    // The active version's forecasts of the days after its training window, beside the new version's.
    const since = active.trainTo ?? Number.NEGATIVE_INFINITY;
    const recent = (await readModelPredictions(db, name, trained.version)).filter((p) => p.ts >= since);
    const old = new Map<number, number>();
    if (entry.task === 'vol') {
      const { ts, r } = logReturns(await loadCloses(db, trained.asset ?? entry.spec.asset));
      const h = volForecastSeries(active.model as FittedVol, r);
      for (const [i, t] of ts.entries()) old.set(t, h[i] as number);
    } else {
      const f = regimeForecastSeries(await loadBasket(db, entry.spec.assets), active.model as FittedRegimes);
      for (const [i, t] of f.ts.entries()) old.set(t, f.p[i] as number);
    }
    const rows = recent.filter((p) => (old.get(p.ts) ?? 0) > 0);
    const pOld = rows.map((p) => old.get(p.ts) as number);
    const pNew = rows.map((p) => p.p);
    const y = rows.map((p) => p.y);
    window = rows.length;
    if (entry.task === 'vol') {
      lossName = 'QLIKE';
      const [mn, mo] = pairedVolMetrics([pNew, pOld], y, { seed: 1, resamples: 0 });
      logLossNew = mn?.qlike.value ?? Number.NaN;
      logLossActive = mo?.qlike.value ?? Number.NaN;
    } else {
      logLossNew = logLoss(pNew, y);
      logLossActive = logLoss(pOld, y);
    }
  } else if (trained.better_than_baseline && active) {
    const since = active.trainTo ?? Number.NEGATIVE_INFINITY;
    const recent = (await readModelPredictions(db, name, trained.version)).filter((p) => p.ts >= since);
    const panel = await loadDepegPanel(db);
    const byKey = new Map(depegSamples(panel).map((s) => [`${s.coin}|${s.ts}`, s]));
    const pOld: number[] = [];
    const pNew: number[] = [];
    const y: number[] = [];
    for (const p of recent) {
      const s = byKey.get(`${p.asset}|${p.ts}`);
      if (!s) continue;
      pOld.push(predictDepeg(active.model as FittedDepeg, s));
      pNew.push(p.p);
      y.push(p.y);
    }
    window = y.length;
    logLossNew = logLoss(pNew, y);
    logLossActive = logLoss(pOld, y);
  }
  const decision = retrainDecision({
    beatsBaseline: trained.better_than_baseline,
    active,
    window,
    logLossNew,
    logLossActive,
    lossName,
  });
  if (decision.activate) await activateModelVersion(db, name, trained.version);
  return done(decision.activate, decision.reason);
}

/**
 * The weekly job: retrains each model; a model whose inputs the store does not have yet is skipped (and
 * said so), not a failure.
 */
export async function retrainModels(
  db: Db,
  names: readonly string[],
): Promise<{ records: number; skipped?: string; models: RetrainResult[] }> {
  const models: RetrainResult[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    try {
      models.push(await retrainModel(db, name));
    } catch (err) {
      if (err instanceof NotFoundError) {
        skipped.push(`${name}: ${err.message}`);
        continue;
      }
      throw err;
    }
  }
  const records = models.filter((m) => m.activated).length;
  return skipped.length > 0 ? { records, skipped: skipped.join('; '), models } : { records, models };
}

/**
 * The risk report's models section as of `asOf` (epoch ms): the depeg probabilities of every model with
 * an active version, forecast from the bars stored up to then. Models without an active version are
 * listed as such: a model that did not beat its baseline is never used.
 */
export async function reportModels(db: Queryable, asOf: number): Promise<ReportModels> {
  const out: ReportModels = { models: [], inactive: [], note: null };
  // one panel and one feature matrix, scored by every active model
  let panel: { panel: DepegPanel; samples: DepegSample[] } | null = null;
  for (const name of depegModelNames()) {
    const v = await activeModelVersion(db, name);
    if (!v) {
      out.inactive.push(name);
      continue;
    }
    if (!panel) {
      try {
        const p = await loadDepegPanel(db, { to: asOf });
        panel = { panel: p, samples: depegSamples(p) };
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        out.note = err.message;
        return out;
      }
    }
    const predictions = latestDepeg(panel.panel, v.model as FittedDepeg, panel.samples).map((p) => ({
      asset: p.coin,
      ts: new Date(p.ts).toISOString(),
      probability: p.p,
    }));
    out.models.push({ name, version: v.version, predictions });
  }
  return out;
}

/**
 * One model for the dashboard: every version with its metrics beside the baseline and the calibration
 * curves (model and baseline) of its walk-forward forecasts, and the active version's latest forecasts.
 */
export async function modelDetail(db: Queryable, name: string) {
  const entry = catalogEntry(name);
  // Calibration curves are of probability forecasts: none for a volatility model.
  const classifier = entry.task !== 'vol';
  const versions = await listModelVersions(db, name);
  const out = [];
  for (const v of versions) {
    const rows = await readModelPredictions(db, name, v.version);
    const y = rows.map((r) => r.y);
    out.push({
      version: v.version,
      active: v.active,
      better_than_baseline: v.betterThanBaseline,
      features: v.features,
      train_from: v.trainFrom === null ? null : new Date(v.trainFrom).toISOString(),
      train_to: v.trainTo === null ? null : new Date(v.trainTo).toISOString(),
      created_at: new Date(v.createdAt).toISOString(),
      metrics: v.metrics,
      baseline: v.baseline,
      calibration: {
        model: classifier
          ? calibrationBins(
              rows.map((r) => r.p),
              y,
            )
          : [],
        baseline: classifier
          ? calibrationBins(
              rows.map((r) => r.p_baseline),
              y,
            )
          : [],
      },
    });
  }
  const active = versions.find((v) => v.active);
  let latest: Prediction[] = [];
  if (active) {
    try {
      const res = await predictModel(db, name, { version: active.version });
      // The dashboard lists probability forecasts; a volatility model's are in `models predict`.
      if (res.task !== 'vol') latest = res.predictions;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  return { name, task: entry.task, description: entry.description, versions: out, latest };
}

/** What the risk engine uses of the active depeg model: its forecasts as of `asOf` and its base rate. */
export interface DepegForecast {
  name: string;
  version: number;
  /** Observed daily depeg frequency over the version's stored walk-forward forecasts (mean of y). */
  base_rate: number;
  /** P(depeg next day) by stablecoin, from the latest stored bar up to `asOf`. */
  probabilities: Record<string, number>;
}

/**
 * The first model of the catalogue with an active version, forecast as of `asOf` (epoch ms); a string
 * saying why when there is none, or when it cannot be used (no stored walk-forward forecasts to take a
 * base rate from, no bars of a stablecoin up to `asOf`).
 */
export async function activeDepegForecast(db: Queryable, asOf: number): Promise<DepegForecast | string> {
  for (const name of depegModelNames()) {
    const v = await activeModelVersion(db, name);
    if (!v) continue;
    const rows = await readModelPredictions(db, name, v.version);
    const baseRate = rows.length === 0 ? Number.NaN : rows.reduce((a, r) => a + r.y, 0) / rows.length;
    if (!(baseRate > 0))
      return `model ${name} v${v.version} has no stored forecast with a depeg to take a base rate from`;
    let panel: DepegPanel;
    try {
      panel = await loadDepegPanel(db, { to: asOf });
    } catch (err) {
      if (err instanceof NotFoundError) return err.message;
      throw err;
    }
    const probabilities: Record<string, number> = {};
    for (const p of latestDepeg(panel, v.model as FittedDepeg)) probabilities[p.coin] = p.p;
    return { name, version: v.version, base_rate: baseRate, probabilities };
  }
  return `no depeg model has an active version (${depegModelNames().join(', ')})`;
}

/** What the contagion alerts use of the active correlation-regime model. */
export interface RegimeForecast {
  model: string;
  version: number;
  /** P(the basket's average correlation is above the model's threshold next week). */
  p_high_correlation_next_week: number;
  basket: string;
  /** The last day of the basket's bars the forecast was made from (ISO). */
  as_of: string;
}

/**
 * The first regime model of the catalogue with an active version, forecast from the latest stored bars;
 * null when none is active or its basket has no bars.
 */
export async function activeRegimeForecast(db: Queryable): Promise<RegimeForecast | null> {
  for (const [name, e] of Object.entries(MODEL_CATALOG)) {
    if (e.task !== 'regimes' || !(await activeModelVersion(db, name))) continue;
    try {
      const r = await predictModel(db, name);
      const p = r.task === 'regimes' ? r.predictions[0] : undefined;
      if (!p) continue;
      return {
        model: name,
        version: r.version,
        p_high_correlation_next_week: p.probability,
        basket: p.asset,
        as_of: p.ts,
      };
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof RangeError) continue;
      throw err;
    }
  }
  return null;
}
