/** Helpers for rate-limit tests that count requests as a provider's server sees them. */

/** The most of `times` (epoch ms, any order) that fall in one window `[t, t + windowMs)`. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (const [end, t] of sorted.entries()) {
    while (t - (sorted[start] ?? t) >= windowMs) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/**
 * The most requests a token bucket lets through in any window of `windowMs`, seen from a server whose
 * arrival times may each lag their grant by between 0 and `lagMs`: `burst` plus the refill over the window
 * widened by the lag.
 */
export function bucketBound(
  limit: { requests: number; intervalMs: number; burst: number },
  windowMs: number,
  lagMs: number,
): number {
  return Math.floor(limit.burst + (limit.requests * (windowMs + lagMs)) / limit.intervalMs);
}
