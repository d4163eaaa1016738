import { describe, expect, it } from 'vitest';
import { findGaps } from './gaps.ts';

const t = (iso: string): number => Date.parse(iso);

describe('gaps against the calendar', () => {
  it('reports missing trading days as spans, ignoring weekends and Good Friday', () => {
    const days = ['2024-03-25', '2024-03-26', '2024-04-02', '2024-04-03', '2024-04-05'].map((d) =>
      t(`${d}T00:00:00Z`),
    );
    const g = findGaps(days, 'equity', '1d');
    expect(g.missing).toBe(4);
    expect(
      g.spans.map((s) => [
        new Date(s.from).toISOString().slice(0, 10),
        new Date(s.to).toISOString().slice(0, 10),
        s.count,
      ]),
    ).toEqual([
      ['2024-03-27', '2024-04-01', 3],
      ['2024-04-04', '2024-04-04', 1],
    ]);
  });
});
