import { describe, expect, it } from 'vitest';
import type { CorrelationPair } from './correlation.ts';
import { bestPairs, contagionSummary, pairCategory, regimeChanges, riskLevel } from './pairs.ts';

const pair = (
  asset_1: string,
  asset_2: string,
  correlation: number | null,
  data_points = 60,
): CorrelationPair => ({
  asset_1,
  asset_2,
  correlation,
  data_points,
});

describe('contagion levels: NORMAL < 0.7 ≤ ELEVATED < 0.8 ≤ HIGH < 0.9 ≤ CRITICAL', () => {
  it('puts the boundaries in the upper level', () => {
    expect([0.69, 0.7, 0.79, 0.8, 0.89, 0.9, 1, -0.95].map(riskLevel)).toEqual([
      'NORMAL',
      'ELEVATED',
      'ELEVATED',
      'HIGH',
      'HIGH',
      'CRITICAL',
      'CRITICAL',
      'NORMAL',
    ]);
  });

  it('summarises a set of pairs, skipping missing values', () => {
    const s = contagionSummary([
      pair('A', 'B', 0.95),
      pair('A', 'C', 0.75),
      pair('B', 'C', 0.1),
      pair('C', 'D', null),
    ]);
    expect(s.levels).toEqual({ NORMAL: 1, ELEVATED: 1, HIGH: 0, CRITICAL: 1 });
    expect(s.pairs).toBe(3);
    expect(s.average_correlation).toBeCloseTo(0.6, 12);
    expect(s.overall).toBe('NORMAL');
  });
});

describe('best pairs', () => {
  it('categorises at the documented thresholds', () => {
    expect([-0.41, -0.4, 0.39, 0.4, 0.69, 0.7, -0.39].map(pairCategory)).toEqual([
      'negative',
      'moderate',
      'uncorrelated',
      'moderate',
      'moderate',
      'high',
      'uncorrelated',
    ]);
  });

  it('ranks within each category and gives a one-line reason', () => {
    const out = bestPairs(
      [
        pair('A', 'B', 0.2),
        pair('A', 'C', -0.05),
        pair('B', 'C', -0.6),
        pair('C', 'D', -0.45),
        pair('A', 'D', 0.95),
        pair('B', 'D', 0.75),
      ],
      { windowDays: 90 },
    );
    const view = out.map((p) => `${p.category}#${p.rank} ${p.asset_1}/${p.asset_2}`);
    expect(view).toEqual([
      'negative#1 B/C',
      'negative#2 C/D',
      'uncorrelated#1 A/C',
      'uncorrelated#2 A/B',
      'high#1 A/D',
      'high#2 B/D',
    ]);
    expect(out[0]?.reason).toBe(
      'B and C move in opposite directions (ρ = -0.60 over 90 d, 60 returns): one tends to gain when the other loses, a natural hedge',
    );
    for (const p of out) expect(p.reason).not.toMatch(/\n/);
  });
});

describe('regime change', () => {
  it('flags pairs whose 30-day correlation moved more than the threshold from the 90-day one', () => {
    const changes = regimeChanges(
      [pair('A', 'B', 0.9), pair('A', 'C', 0.1), pair('B', 'C', 0.5)],
      [pair('A', 'B', 0.4), pair('A', 'C', 0.2), pair('B', 'C', 0.9)],
      0.3,
    );
    expect(changes.map((c) => [c.asset_1, c.asset_2, c.direction])).toEqual([
      ['A', 'B', 'strengthening'],
      ['B', 'C', 'weakening'],
    ]);
    expect(changes[0]?.change).toBeCloseTo(0.5, 12);
  });
});
