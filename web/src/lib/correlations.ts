import type { Correlations } from '../../../src/api/contract/correlations.ts';

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

/** The pairs of a `GET /api/correlations` answer (none before it arrives). */
export function pairsOf(body: Correlations | null | undefined): Pair[] {
  return (body?.pairs ?? []).map((r) => ({
    a: r.asset_1,
    b: r.asset_2,
    rho: r.correlation,
    points: r.data_points,
    level: r.risk_level ?? (r.correlation === null ? null : levelOf(r.correlation)),
  }));
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

/** Regime changes: 30-day vs 90-day pairs whose correlation moved by more than `threshold`, largest first. */
export function regimesOf(short: Pair[], long: Pair[], threshold = 0.3): Regime[] {
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
