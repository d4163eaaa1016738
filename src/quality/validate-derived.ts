/**
 * Stored-data rules over derived results, run by `validateStore` when their tables exist: correlation
 * matrices (`derived.asset_correlations`, one per window), depeg events (`derived.depeg_events`, per asset)
 * and stress scenarios (`risk.stress_scenarios`, enabled ones).
 */
import type { Queryable } from '../store/db.ts';
import { checkCorrelationMatrix } from './rules/correlation-matrix.ts';
import { checkDepegEvent } from './rules/depeg-event.ts';
import type { Violation } from './rules/rule.ts';
import { RULES } from './rules/rule.ts';
import { checkScenarioProbabilities } from './rules/scenario-probabilities.ts';
import type { QualityThresholds } from './thresholds.ts';

export interface DerivedCheck {
  check_name: string;
  /** Null when the check passed. */
  failure: string | null;
}

async function exists(db: Queryable, table: string): Promise<boolean> {
  const r = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]);
  return Boolean(r.rows[0]?.t);
}

const summarize = (v: Violation[]): string | null =>
  v.length === 0
    ? null
    : `${v.length} problem(s): ${v
        .slice(0, 3)
        .map((x) => x.reason)
        .join('; ')}`;

/** One check per correlation window, per depeg asset, and one for the scenario set. */
export async function validateDerived(
  db: Queryable,
  t: QualityThresholds,
  symbols?: readonly string[],
): Promise<DerivedCheck[]> {
  const out: DerivedCheck[] = [];
  const only = symbols ? new Set(symbols) : null;
  if (!only && (await exists(db, 'derived.asset_correlations'))) {
    const rows = await db.query<{
      asset_1: string;
      asset_2: string;
      window_days: number;
      correlation: number | null;
    }>(
      'SELECT asset_1, asset_2, window_days, correlation FROM derived.asset_correlations WHERE correlation IS NOT NULL ORDER BY window_days',
    );
    const byWindow = new Map<number, typeof rows.rows>();
    for (const r of rows.rows)
      byWindow.set(Number(r.window_days), [...(byWindow.get(Number(r.window_days)) ?? []), r]);
    for (const [window, pairs] of byWindow) {
      const assets = [...new Set(pairs.flatMap((p) => [p.asset_1, p.asset_2]))].sort();
      const index = new Map(assets.map((a, i) => [a, i]));
      // Pairs are stored once (asset_1 < asset_2); a pair not computed is left at 0 (no claim made).
      const m = assets.map((_, i) => assets.map((__, j): number => (i === j ? 1 : 0)));
      for (const p of pairs) {
        const i = index.get(p.asset_1) ?? 0;
        const j = index.get(p.asset_2) ?? 0;
        const v = Number(p.correlation);
        const rowI = m[i];
        const rowJ = m[j];
        if (rowI) rowI[j] = v;
        if (rowJ) rowJ[i] = v;
      }
      out.push({
        check_name: `${RULES.correlation}[${window}d]`,
        failure: summarize(checkCorrelationMatrix(m, t, assets)),
      });
    }
  }
  if (await exists(db, 'derived.depeg_events')) {
    const rows = await db.query<{
      asset: string;
      start_ms: number;
      end_ms: number | null;
      min_price: number;
      duration_seconds: number;
      recovery_time_seconds: number | null;
    }>(
      `SELECT asset, (extract(epoch FROM start_time) * 1000)::float8 AS start_ms,
              (extract(epoch FROM end_time) * 1000)::float8 AS end_ms, min_price, duration_seconds, recovery_time_seconds
         FROM derived.depeg_events WHERE end_time IS NOT NULL ORDER BY asset, start_time`,
    );
    const byAsset = new Map<string, Violation[]>();
    for (const e of rows.rows) {
      if (only && !only.has(e.asset)) continue;
      const duration = Number(e.duration_seconds);
      const v = checkDepegEvent(
        {
          start: Number(e.start_ms),
          end: Number(e.end_ms),
          minPrice: Number(e.min_price),
          durationSeconds: duration,
          // Not yet back within 0.5 % of the peg: nothing to compare.
          recoveryTimeSeconds: e.recovery_time_seconds === null ? duration : Number(e.recovery_time_seconds),
        },
        t,
      ).map((x) => ({ ...x, reason: `${new Date(Number(e.start_ms)).toISOString()}: ${x.reason}` }));
      byAsset.set(e.asset, [...(byAsset.get(e.asset) ?? []), ...v]);
    }
    for (const [asset, v] of byAsset)
      out.push({ check_name: `${RULES.depeg}[${asset}]`, failure: summarize(v) });
  }
  if (!only && (await exists(db, 'risk.stress_scenarios'))) {
    const rows = await db.query<{
      name: string;
      probability: number;
      weight: number;
      normalized_weight: number | null;
    }>(
      'SELECT name, probability_annual AS probability, weight, normalized_weight FROM risk.stress_scenarios WHERE enabled ORDER BY name',
    );
    if (rows.rows.length > 0) {
      const v = checkScenarioProbabilities(
        rows.rows.map((r) => ({
          name: r.name,
          probability: Number(r.probability),
          weight: Number(r.weight),
          normalizedWeight: r.normalized_weight === null ? null : Number(r.normalized_weight),
        })),
        t,
      );
      out.push({ check_name: `${RULES.scenario}[risk.stress_scenarios]`, failure: summarize(v) });
    }
  }
  return out;
}
