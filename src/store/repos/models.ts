/**
 * The model registry (schema `models`): versions with their parameters, metrics beside the baseline, the
 * serialised model and the active flag; the walk-forward forecasts each version was scored on; and the
 * daily bars the depeg models read (stablecoins with a peg, BTC as market stress), real sources only.
 */
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import type { Db, Queryable } from '../db.ts';

export interface ModelVersionInput {
  name: string;
  task: string;
  params: unknown;
  features: readonly string[];
  trainFrom: number | null;
  trainTo: number | null;
  metrics: unknown;
  baseline: unknown;
  betterThanBaseline: boolean;
  model: unknown;
  seed: number;
}

export interface ModelVersion extends ModelVersionInput {
  version: number;
  active: boolean;
  createdAt: number;
}

export interface StoredPrediction {
  asset: string;
  ts: number;
  /** 0/1 for a classifier, the realised squared return for a volatility model. */
  y: number;
  p: number;
  p_baseline: number;
}

interface VersionRow {
  name: string;
  version: number;
  task: string;
  params: unknown;
  features: string[];
  train_from: number | null;
  train_to: number | null;
  metrics: unknown;
  baseline: unknown;
  better_than_baseline: boolean;
  model: unknown;
  seed: number;
  active: boolean;
  created_at: number;
}

const COLUMNS = `name, version, task, params, features,
  (extract(epoch FROM train_from) * 1000)::float8 AS train_from, (extract(epoch FROM train_to) * 1000)::float8 AS train_to,
  metrics, baseline, better_than_baseline, model, seed, active, (extract(epoch FROM created_at) * 1000)::float8 AS created_at`;

function toVersion(r: VersionRow): ModelVersion {
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return {
    name: r.name,
    version: Number(r.version),
    task: r.task,
    params: json(r.params),
    features: r.features,
    trainFrom: r.train_from === null ? null : Number(r.train_from),
    trainTo: r.train_to === null ? null : Number(r.train_to),
    metrics: json(r.metrics),
    baseline: json(r.baseline),
    betterThanBaseline: r.better_than_baseline,
    model: json(r.model),
    seed: Number(r.seed),
    active: r.active,
    createdAt: Number(r.created_at),
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Stores a new version (the next number for `name`) with its walk-forward forecasts, in one transaction. */
export async function insertModelVersion(
  db: Db,
  v: ModelVersionInput,
  predictions: readonly StoredPrediction[],
): Promise<ModelVersion> {
  return db.transaction(async (tx) => {
    // Serialises concurrent trainings of one name so version numbers never collide.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`models:${v.name}`]);
    const res = await tx.query<VersionRow>(
      `INSERT INTO models.versions (name, version, task, params, features, train_from, train_to, metrics, baseline,
         better_than_baseline, model, seed)
       SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3::jsonb, $4::text[], $5::timestamptz, $6::timestamptz, $7::jsonb,
         $8::jsonb, $9, $10::jsonb, $11
         FROM models.versions WHERE name = $1
       RETURNING ${COLUMNS}`,
      [
        v.name,
        v.task,
        JSON.stringify(v.params),
        v.features,
        iso(v.trainFrom),
        iso(v.trainTo),
        JSON.stringify(v.metrics),
        JSON.stringify(v.baseline),
        v.betterThanBaseline,
        JSON.stringify(v.model),
        v.seed,
      ],
    );
    const stored = toVersion(res.rows[0] as VersionRow);
    await tx.copyRows(
      'models.predictions',
      ['name', 'version', 'asset', 'ts', 'y', 'p', 'p_baseline'],
      predictions.map((p) => [v.name, stored.version, p.asset, new Date(p.ts), p.y, p.p, p.p_baseline]),
    );
    return stored;
  });
}

/** Every version, newest first per name (the serialised model left out unless `withModel`). */
export async function listModelVersions(db: Queryable, name?: string): Promise<ModelVersion[]> {
  const res = await db.query<VersionRow>(
    `SELECT ${COLUMNS} FROM models.versions WHERE ($1::text IS NULL OR name = $1) ORDER BY name, version DESC`,
    [name ?? null],
  );
  return res.rows.map(toVersion);
}

export async function getModelVersion(db: Queryable, name: string, version: number): Promise<ModelVersion> {
  const res = await db.query<VersionRow>(
    `SELECT ${COLUMNS} FROM models.versions WHERE name = $1 AND version = $2`,
    [name, version],
  );
  const row = res.rows[0];
  if (!row) throw new NotFoundError(`model ${name} has no version ${version}`);
  return toVersion(row);
}

export async function activeModelVersion(db: Queryable, name: string): Promise<ModelVersion | null> {
  const res = await db.query<VersionRow>(
    `SELECT ${COLUMNS} FROM models.versions WHERE name = $1 AND active`,
    [name],
  );
  const row = res.rows[0];
  return row ? toVersion(row) : null;
}

/**
 * Makes `version` the active one of `name` (and no other). Refuses a version that did not beat its
 * baseline (ConflictError); the table's CHECK constraint refuses it too.
 */
export async function activateModelVersion(db: Db, name: string, version: number): Promise<ModelVersion> {
  return db.transaction(async (tx) => {
    const v = await getModelVersion(tx, name, version);
    if (!v.betterThanBaseline)
      throw new ConflictError(
        `model ${name} version ${version} did not beat its baseline; it cannot be activated`,
      );
    await tx.query('UPDATE models.versions SET active = false WHERE name = $1 AND active AND version <> $2', [
      name,
      version,
    ]);
    await tx.query('UPDATE models.versions SET active = true WHERE name = $1 AND version = $2', [
      name,
      version,
    ]);
    return { ...v, active: true };
  });
}

export async function readModelPredictions(
  db: Queryable,
  name: string,
  version: number,
): Promise<StoredPrediction[]> {
  const res = await db.query<{ asset: string; ts: number; y: number; p: number; p_baseline: number }>(
    `SELECT asset, (extract(epoch FROM ts) * 1000)::float8 AS ts, y, p, p_baseline FROM models.predictions
      WHERE name = $1 AND version = $2 ORDER BY ts, asset`,
    [name, version],
  );
  return res.rows.map((r) => ({
    asset: r.asset,
    ts: Number(r.ts),
    y: Number(r.y),
    p: Number(r.p),
    p_baseline: Number(r.p_baseline),
  }));
}

export interface DailyColumns {
  symbol: string;
  peg: number;
  ts: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

/**
 * Daily bars (`from <= ts < to`, epoch ms) of every stablecoin with a peg, and of BTC, from real sources
 * only: the demo's synthetic fill (`source = 'synthetic'`) would teach a model the generator, not markets.
 * Bars flagged `is_outlier` are kept: a depeg day is exactly the kind of bar a plausibility check flags.
 */
export async function readDepegInputs(
  db: Queryable,
  range: { from: number; to: number },
): Promise<{ coins: DailyColumns[]; btc: DailyColumns | null }> {
  const res = await db.query<{
    symbol: string;
    asset_class: string;
    peg: number | null;
    ts: number;
    high: number;
    low: number;
    close: number;
    volume: number;
  }>(
    `SELECT i.symbol, i.asset_class, i.peg_target AS peg, (extract(epoch FROM b.ts) * 1000)::float8 AS ts,
            b.high, b.low, b.close, b.volume
       FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id
      WHERE b.interval = '1d' AND b.source <> 'synthetic'
        AND ((i.asset_class = 'stablecoin' AND i.peg_target IS NOT NULL) OR i.symbol = 'BTC')
        AND b.ts >= $1::timestamptz AND b.ts < $2::timestamptz
      ORDER BY i.symbol, b.ts`,
    [
      iso(Number.isFinite(range.from) ? range.from : Date.UTC(1900, 0, 1)),
      iso(Number.isFinite(range.to) ? range.to : Date.UTC(9999, 0, 1)),
    ],
  );
  const by = new Map<string, DailyColumns>();
  let btc: DailyColumns | null = null;
  for (const r of res.rows) {
    let c = by.get(r.symbol);
    if (!c) {
      c = { symbol: r.symbol, peg: Number(r.peg ?? 1), ts: [], high: [], low: [], close: [], volume: [] };
      by.set(r.symbol, c);
      if (r.symbol === 'BTC' && r.asset_class !== 'stablecoin') btc = c;
    }
    c.ts.push(Number(r.ts));
    c.high.push(Number(r.high));
    c.low.push(Number(r.low));
    c.close.push(Number(r.close));
    c.volume.push(Number(r.volume));
  }
  return { coins: [...by.values()].filter((c) => c !== btc), btc };
}

/**
 * Daily closes (`from <= ts < to`, epoch ms) of each of `symbols` that is not a stablecoin, from real
 * sources only (never the demo's synthetic fill). A symbol without such bars is absent from the result.
 */
export async function readDailyCloses(
  db: Queryable,
  symbols: readonly string[],
  range: { from: number; to: number },
): Promise<Map<string, { ts: number[]; close: number[] }>> {
  const res = await db.query<{ symbol: string; ts: number; close: number }>(
    `SELECT i.symbol, (extract(epoch FROM b.ts) * 1000)::float8 AS ts, b.close
       FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id
      WHERE b.interval = '1d' AND b.source <> 'synthetic' AND i.asset_class <> 'stablecoin'
        AND i.symbol = ANY($1::text[]) AND b.ts >= $2::timestamptz AND b.ts < $3::timestamptz
      ORDER BY i.symbol, b.ts`,
    [
      [...symbols],
      iso(Number.isFinite(range.from) ? range.from : Date.UTC(1900, 0, 1)),
      iso(Number.isFinite(range.to) ? range.to : Date.UTC(9999, 0, 1)),
    ],
  );
  const out = new Map<string, { ts: number[]; close: number[] }>();
  for (const r of res.rows) {
    let c = out.get(r.symbol);
    if (!c) {
      c = { ts: [], close: [] };
      out.set(r.symbol, c);
    }
    const ts = Number(r.ts);
    // Two sources of one day: keep the first.
    if (c.ts[c.ts.length - 1] === ts) continue;
    c.ts.push(ts);
    c.close.push(Number(r.close));
  }
  return out;
}
