import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS as T } from '../thresholds.ts';
import { checkTimestamp } from './timestamps.ts';

const HOUR = 3_600_000;
const t = (iso: string): number => Date.parse(iso);

describe('timestamps', () => {
  it('timestamps: future beyond 5 min skew; older than a year only for incremental loads', () => {
    const now = t('2024-06-01T00:00:00Z');
    expect(checkTimestamp(now + 60_000, now, 'incremental', T)).toBeNull();
    expect(checkTimestamp(now + 600_000, now, 'backfill', T)?.rule).toBe('timestamp_future');
    expect(checkTimestamp(now - 366 * 24 * HOUR, now, 'backfill', T)).toBeNull();
    expect(checkTimestamp(now - 366 * 24 * HOUR, now, 'incremental', T)?.rule).toBe('timestamp_too_old');
  });
});
