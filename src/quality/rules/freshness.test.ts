import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS as T } from '../thresholds.ts';
import { checkFreshness } from './freshness.ts';

const HOUR = 3_600_000;
const t = (iso: string): number => Date.parse(iso);

describe('freshness, market-hours aware', () => {
  it('an equity daily bar of Thursday 2024-03-28 is fresh over the Good Friday weekend', () => {
    const input = {
      symbol: 'AAPL',
      assetClass: 'equity' as const,
      interval: '1d' as const,
      latestTs: t('2024-03-28T00:00:00Z'),
    };
    expect(checkFreshness({ ...input, now: t('2024-03-31T12:00:00Z') }, T)).toBeNull();
    // Monday 2024-04-01 session closes 20:00 UTC; stale once that day plus 24 h has passed without a bar.
    expect(checkFreshness({ ...input, now: t('2024-04-01T15:00:00Z') }, T)).toBeNull();
    expect(checkFreshness({ ...input, now: t('2024-04-02T21:00:00Z') }, T)?.reason).toMatch(
      /^AAPL 1d: latest point/,
    );
  });
  it('crypto runs on wall-clock time; future points and no data are failures', () => {
    const now = t('2024-03-31T12:00:00Z');
    const base = { symbol: 'BTC', assetClass: 'crypto' as const, interval: '1h' as const, now };
    expect(checkFreshness({ ...base, latestTs: now - 20 * HOUR }, T)).toBeNull();
    expect(checkFreshness({ ...base, latestTs: now - 30 * HOUR }, T)?.rule).toBe('freshness');
    expect(checkFreshness({ ...base, latestTs: now + HOUR }, T)?.reason).toMatch(/in the future/);
    expect(checkFreshness({ ...base, latestTs: null }, T)?.reason).toBe('BTC: no data');
  });
});
