/**
 * Corroboration by recent quarantine rows, for live loads (`ingest latest`) that judge one new point at a
 * time. The first point of a real move beyond the stablecoin bounds is alone when it arrives and is
 * quarantined, so nothing stored could ever confirm the second one: UST's collapse (0.80 on 2022-05-11,
 * 0.41 on 05-12, 0.15 on 05-13) would never be stored live. Pending quarantine rows of the same symbol and
 * rule family near the batch are therefore judged as if stored; when a new point is accepted and agrees
 * with one of them (the same side of the bounds, or within the gate's reference tolerance), the new point
 * is stored and the quarantined ones are released through the ordinary release path (the gate judges them
 * again, now with the new point stored beside them). A lone 5.00 followed by 1.00 agrees with nothing and
 * stays quarantined.
 */
import { appendAuditNow } from '../audit/chain.ts';
import type { AssetClass, PricePoint } from '../core/types.ts';
import type { Db, Queryable } from '../store/db.ts';
import { REFERENCE_TOLERANCE } from './gate.ts';
import { releaseQuarantine } from './quarantine.ts';
import { gateReleaseLoader } from './release.ts';
import { checkBounds } from './rules/bounds.ts';
import { RULES } from './rules/rule.ts';
import { DEFAULT_THRESHOLDS, type QualityThresholds } from './thresholds.ts';

/** Rules whose rows a later agreeing point can confirm: a price judged alone, not a malformed one. */
const FAMILY: readonly string[] = [RULES.bounds, RULES.outlier, RULES.replacesOutlier];

export interface PendingPoint {
  id: number;
  row: PricePoint;
}

interface Instrument {
  assetClass: AssetClass;
  pegTarget?: number | null;
}

/**
 * Pending quarantined point prices of `symbol` in the rule family within `padMs` of the batch (default:
 * the gate's stored-context pad, `outlierWindow` + 2 hours), leaving out those at a time the batch or the
 * store already has a row for (they would read as duplicates of it). One indexed-by-time read.
 */
export async function recentQuarantinedPrices(
  db: Queryable,
  symbol: string,
  batch: ReadonlyArray<{ ts: number }>,
  taken: ReadonlyArray<{ ts: number }>,
  t: Pick<QualityThresholds, 'outlierWindow'> = DEFAULT_THRESHOLDS,
  padMs = (t.outlierWindow + 2) * 3_600_000,
): Promise<PendingPoint[]> {
  const times = batch.map((r) => r.ts).filter(Number.isFinite);
  if (times.length === 0) return [];
  const lo = Math.min(...times) - padMs;
  const hi = Math.max(...times) + padMs;
  const res = await db.query<{ id: number; raw: unknown }>(
    `SELECT id::int AS id, raw FROM ops.quarantine
      WHERE released_at IS NULL AND symbol = $1 AND interval IS NULL AND rule = ANY($2::text[])
        AND ts >= $3::timestamptz AND ts <= $4::timestamptz
      ORDER BY ts, id`,
    [symbol, FAMILY, new Date(lo).toISOString(), new Date(hi).toISOString()],
  );
  const busy = new Set([...times, ...taken.map((r) => r.ts)]);
  const out: PendingPoint[] = [];
  const seen = new Set<number>();
  for (const r of res.rows) {
    const raw = (typeof r.raw === 'string' ? JSON.parse(r.raw) : r.raw) as Partial<PricePoint>;
    const { ts, price } = raw;
    if (typeof ts !== 'number' || typeof price !== 'number' || !(price > 0) || !Number.isFinite(price))
      continue;
    // one row per time (the same value quarantined twice under two rules is one observation)
    if (busy.has(ts) || seen.has(ts)) continue;
    seen.add(ts);
    out.push({
      id: Number(r.id),
      row: {
        symbol,
        ts,
        price,
        source: raw.source ?? 'quarantine',
        volume: raw.volume ?? null,
        marketCap: raw.marketCap ?? null,
      },
    });
  }
  return out;
}

/** -1 below the bounds, 1 above, 0 within. */
function side(price: number, inst: Instrument, t: QualityThresholds): number {
  if (!checkBounds(price, inst.assetClass, t, inst.pegTarget)) return 0;
  return price < (inst.pegTarget && inst.pegTarget > 0 ? inst.pegTarget : 1) ? -1 : 1;
}

/**
 * The pending points an accepted point agrees with: beyond the bounds on the same side, or within the
 * gate's reference tolerance (2 %, log) of it.
 */
export function agreeingPending(
  pending: readonly PendingPoint[],
  accepted: readonly PricePoint[],
  inst: Instrument,
  t: QualityThresholds = DEFAULT_THRESHOLDS,
): Array<{ pending: PendingPoint; by: PricePoint }> {
  const out: Array<{ pending: PendingPoint; by: PricePoint }> = [];
  for (const p of pending) {
    const s = side(p.row.price, inst, t);
    const by = accepted.find(
      (a) =>
        (s !== 0 && side(a.price, inst, t) === s) ||
        Math.abs(Math.log(a.price / p.row.price)) <= REFERENCE_TOLERANCE,
    );
    if (by) out.push({ pending: p, by });
  }
  return out;
}

/**
 * Releases the agreeing quarantine rows through the gate (release.ts) and records why in their reason.
 * Returns the ids released; rows the gate still refuses stay pending with its new reason.
 */
export async function releaseCorroborated(
  db: Db,
  agreeing: ReadonlyArray<{ pending: PendingPoint; by: PricePoint }>,
  opts: { now: number; thresholds?: QualityThresholds },
): Promise<number[]> {
  if (agreeing.length === 0) return [];
  const res = await releaseQuarantine(
    db,
    agreeing.map((a) => a.pending.id),
    gateReleaseLoader(db, { now: opts.now, thresholds: opts.thresholds }),
  );
  const loaded = new Set(res.loaded);
  for (const { pending, by } of agreeing) {
    if (!loaded.has(pending.id)) continue;
    await db.query(`UPDATE ops.quarantine SET reason = reason || $2 WHERE id = $1`, [
      pending.id,
      `; released: corroborated by ${by.source} price ${by.price} at ${new Date(by.ts).toISOString()}`,
    ]);
  }
  if (res.loaded.length) {
    await appendAuditNow(db, {
      kind: 'quarantine',
      actor: 'system:corroboration',
      action: 'release',
      subject: `quarantine ${res.loaded.join(',')}`,
      detail: { loaded: res.loaded, refused: res.refused },
    });
  }
  return res.loaded;
}
