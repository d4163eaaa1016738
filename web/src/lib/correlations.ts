import { isRow, listOf, numOf, strOf } from './shapes.ts';

export interface Pair {
  a: string;
  b: string;
  rho: number | null;
  points: number | null;
  level: string | null;
}

export const LEVELS = ['CRITICAL', 'HIGH', 'ELEVATED', 'NORMAL'] as const;

/** Contagion level of a signed correlation (same cut-offs as src/analytics/pairs.ts). */
function levelOf(rho: number): string {
  if (rho >= 0.9) return 'CRITICAL';
  if (rho >= 0.8) return 'HIGH';
  if (rho >= 0.7) return 'ELEVATED';
  return 'NORMAL';
}

export function pairsOf(body: unknown): Pair[] {
  return listOf(body, 'pairs', 'correlations', 'items').map((r) => {
    const rho = numOf(r, 'correlation', 'rho', 'value');
    return {
      a: strOf(r, 'asset_1', 'a', 'symbol_1') ?? '?',
      b: strOf(r, 'asset_2', 'b', 'symbol_2') ?? '?',
      rho,
      points: numOf(r, 'data_points', 'n'),
      level: strOf(r, 'risk_level', 'level') ?? (rho === null ? null : levelOf(rho)),
    };
  });
}

/** Symmetric lookup for the heatmap, with a unit diagonal. */
export function matrix(pairs: Pair[]): { labels: string[]; value: (a: string, b: string) => number | null } {
  const m = new Map<string, number | null>();
  const labels = new Set<string>();
  for (const p of pairs) {
    labels.add(p.a);
    labels.add(p.b);
    m.set(`${p.a}|${p.b}`, p.rho);
    m.set(`${p.b}|${p.a}`, p.rho);
  }
  return {
    labels: [...labels].sort(),
    value: (a, b) => (a === b ? 1 : (m.get(`${a}|${b}`) ?? null)),
  };
}

export interface Regime {
  a: string;
  b: string;
  short: number;
  long: number;
  change: number;
}

/** Regime changes: from the API's `regime_changes` when given, else 30-day vs 90-day pairs moving > 0.3. */
export function regimesOf(api: unknown, short: Pair[], long: Pair[], threshold = 0.3): Regime[] {
  const given = isRow(api) ? listOf(api, 'regime_changes', 'regimes') : [];
  if (given.length > 0) {
    return given.map((r) => ({
      a: strOf(r, 'asset_1') ?? '?',
      b: strOf(r, 'asset_2') ?? '?',
      short: numOf(r, 'short_correlation', 'corr_30d') ?? Number.NaN,
      long: numOf(r, 'long_correlation', 'corr_90d') ?? Number.NaN,
      change: numOf(r, 'change') ?? Number.NaN,
    }));
  }
  const longBy = new Map(long.map((p) => [`${p.a}|${p.b}`, p.rho]));
  const out: Regime[] = [];
  for (const p of short) {
    const l = longBy.get(`${p.a}|${p.b}`);
    if (p.rho === null || l === null || l === undefined) continue;
    const change = p.rho - l;
    if (Math.abs(change) > threshold) out.push({ a: p.a, b: p.b, short: p.rho, long: l, change });
  }
  return out.sort((x, y) => Math.abs(y.change) - Math.abs(x.change));
}
