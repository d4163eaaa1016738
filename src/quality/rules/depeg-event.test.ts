import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS as T } from '../thresholds.ts';
import { checkDepegEvent } from './depeg-event.ts';

const t = (iso: string): number => Date.parse(iso);

describe('depeg events', () => {
  const start = t('2023-03-11T00:00:00Z');
  it('rejects a 2400 s event with the seed message', () => {
    const v = checkDepegEvent(
      { start, end: start + 2_400_000, minPrice: 0.97, durationSeconds: 2400, recoveryTimeSeconds: 3000 },
      T,
    );
    expect(v.map((x) => x.reason)).toEqual(['Duration 2400 seconds < 1 hour minimum']);
  });
  it('checks price bounds, recovery, order and duration arithmetic', () => {
    const v = checkDepegEvent(
      { start, end: start - 1000, minPrice: 0.4, durationSeconds: 7200, recoveryTimeSeconds: 10 },
      T,
    );
    expect(v.map((x) => x.reason)).toEqual([
      'Min price 0.40 outside bounds [0.50, 1.50]',
      'Recovery time 10 seconds < duration 7200 seconds',
      'End 2023-03-10T23:59:59.000Z is not after start 2023-03-11T00:00:00.000Z',
    ]);
    const ok = {
      start,
      end: start + 7_200_000,
      minPrice: 0.87,
      durationSeconds: 7200,
      recoveryTimeSeconds: 7200,
    };
    expect(checkDepegEvent(ok, T)).toEqual([]);
    expect(checkDepegEvent({ ...ok, durationSeconds: 8000, recoveryTimeSeconds: 9000 }, T)[0]?.reason).toBe(
      'Duration 8000 seconds != end - start 7200 seconds',
    );
  });
});
