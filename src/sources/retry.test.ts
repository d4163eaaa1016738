import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, NETWORK_ERROR_STATUS, parseRetryAfter, retryDecision } from './retry.ts';

describe('retryDecision, status by status', () => {
  it.each([
    [NETWORK_ERROR_STATUS, true],
    [408, true],
    [425, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [418, false],
    [422, false],
    [501, false],
  ])('status %i → retry %s on the first attempt', (status, retry) => {
    expect(retryDecision(status, 1).retry).toBe(retry);
  });

  it('stops after maxRetries', () => {
    expect(retryDecision(503, DEFAULT_RETRY_POLICY.maxRetries).retry).toBe(true);
    expect(retryDecision(503, DEFAULT_RETRY_POLICY.maxRetries + 1).retry).toBe(false);
    expect(retryDecision(500, 3, undefined, { maxRetries: 2 }).retry).toBe(false);
  });
});

describe('retryDecision backoff', () => {
  it('doubles per attempt with equal jitter: half fixed, half from the draw', () => {
    const base = { baseDelayMs: 100, maxDelayMs: 10_000 };
    // attempt n → cap = 100·2^(n−1); delay = cap/2 + cap/2·jitter
    expect(retryDecision(500, 1, undefined, { ...base, jitter: 0 }).delayMs).toBe(50);
    expect(retryDecision(500, 1, undefined, { ...base, jitter: 1 }).delayMs).toBe(100);
    expect(retryDecision(500, 2, undefined, { ...base, jitter: 0.5 }).delayMs).toBe(150);
    expect(retryDecision(500, 4, undefined, { ...base, jitter: 0 }).delayMs).toBe(400);
  });

  it('caps at maxDelayMs', () => {
    const d = retryDecision(500, 4, undefined, { baseDelayMs: 1000, maxDelayMs: 2000, jitter: 1 });
    expect(d).toEqual({ retry: true, delayMs: 2000 });
  });
});

describe('retryDecision honours Retry-After on 429 and 503', () => {
  it('reads delay-seconds', () => {
    expect(retryDecision(429, 1, { 'retry-after': '7' })).toEqual({ retry: true, delayMs: 7000 });
    expect(retryDecision(503, 2, new Headers({ 'Retry-After': '0' }))).toEqual({ retry: true, delayMs: 0 });
  });

  it('reads an HTTP-date relative to now', () => {
    const now = Date.parse('2015-10-21T07:27:30Z');
    const d = retryDecision(429, 1, { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, { now });
    expect(d).toEqual({ retry: true, delayMs: 30_000 });
  });

  it('gives up when the hint is longer than maxRetryAfterMs, still reporting it', () => {
    expect(retryDecision(429, 1, { 'retry-after': '3600' })).toEqual({ retry: false, delayMs: 3_600_000 });
  });

  it('ignores Retry-After on 500 (backoff applies)', () => {
    const d = retryDecision(500, 1, { 'retry-after': '60' }, { baseDelayMs: 100, jitter: 0 });
    expect(d).toEqual({ retry: true, delayMs: 50 });
  });

  it('falls back to backoff when the header is unreadable', () => {
    const d = retryDecision(429, 1, { 'retry-after': 'soon' }, { baseDelayMs: 100, jitter: 0 });
    expect(d).toEqual({ retry: true, delayMs: 50 });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds, fractional seconds, past dates and rejects junk', () => {
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter('1.5', 0)).toBe(1500);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT', 5000)).toBe(0);
    expect(parseRetryAfter('later', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });
});
