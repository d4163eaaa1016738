import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../core/time.ts';
import { DAILY_OVERLAP_DAYS, planSpans } from './plan.ts';

const NOW = Date.UTC(2026, 10, 21, 15, 30); // 2026-11-21T15:30Z
const D = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe('planSpans', () => {
  it('historical with no data fetches the whole named range, aligned to the day', () => {
    expect(planSpans({ mode: 'historical', range: '1M', now: NOW, hasData: false }, '1d')).toEqual([
      { from: D('2026-10-21'), to: NOW },
    ]);
  });

  it('daily starts at the watermark minus the overlap', () => {
    const last = D('2026-11-18');
    expect(planSpans({ mode: 'daily', now: NOW, last, hasData: true }, '1d')).toEqual([
      { from: last - DAILY_OVERLAP_DAYS * DAY_MS, to: NOW },
    ]);
  });

  it('hourly reads the last day plus an hour', () => {
    const [span] = planSpans({ mode: 'hourly', now: NOW, hasData: false }, '1h');
    expect(span?.to).toBe(NOW);
    expect(NOW - (span?.from ?? 0)).toBe(DAY_MS + HOUR_MS + 30 * 60_000); // aligned down to the hour
  });

  it('gap repair fetches only history before the first bar, the gaps, and after the watermark', () => {
    const spans = planSpans(
      {
        mode: 'backfill',
        now: NOW,
        from: D('2026-01-01'),
        to: D('2026-03-01'),
        first: D('2026-01-10'),
        last: D('2026-02-10'),
        hasData: true,
        gaps: [{ from: D('2026-01-20'), to: D('2026-01-22') }],
      },
      '1d',
    );
    expect(spans).toEqual([
      { from: D('2026-01-01'), to: D('2026-01-10') },
      { from: D('2026-01-20'), to: D('2026-01-22') },
      { from: D('2026-02-11'), to: D('2026-03-01') },
    ]);
  });

  it('a complete series needs nothing', () => {
    const spans = planSpans(
      {
        mode: 'backfill',
        now: NOW,
        from: D('2026-01-01'),
        to: D('2026-01-31'),
        first: D('2026-01-01'),
        last: D('2026-01-30'),
        hasData: true,
        gaps: [],
      },
      '1d',
    );
    expect(spans).toEqual([]);
  });

  it('never plans past now', () => {
    expect(planSpans({ mode: 'backfill', now: NOW, from: NOW + DAY_MS, hasData: false }, '1d')).toEqual([]);
  });
});
