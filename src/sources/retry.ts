/**
 * When to retry a provider request and how long to wait: a pure function of the answer, so it is tested status
 * by status and the HTTP client only acts on it.
 */

/** Status used for answers that never came: connection refused/reset, DNS failure, per-request timeout. */
export const NETWORK_ERROR_STATUS = 0;

export interface RetryPolicy {
  /**
   * Retries after the first attempt (so `maxRetries + 1` attempts in all).
   * @defaultValue 4
   */
  maxRetries: number;
  /**
   * Backoff before the first retry, in ms; doubles each retry.
   * @defaultValue 500
   */
  baseDelayMs: number;
  /**
   * Ceiling of the exponential backoff, in ms.
   * @defaultValue 30000
   */
  maxDelayMs: number;
  /**
   * Longest `Retry-After` we are willing to sleep, in ms. A longer hint means "not now": no retry, the caller
   * gets a RateLimitedError carrying the hint. Polygon's free tier asks for up to 60 s.
   * @defaultValue 120000
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
});

/** Minimal read-only view of headers: a `Headers` object or a plain lower-case record both fit. */
export type HeadersLike = { get(name: string): string | null } | Readonly<Record<string, string | undefined>>;

export interface RetryDecision {
  retry: boolean;
  /** Wait before the next attempt, in ms (0 when not retrying unless a Retry-After hint was given). */
  delayMs: number;
}

export interface RetryContext extends Partial<RetryPolicy> {
  /** A uniform draw in [0, 1) for the jitter; the caller supplies it so this function stays pure. @defaultValue 0.5 */
  jitter?: number;
  /** Current time in epoch ms, to read an HTTP-date `Retry-After`. @defaultValue 0 (dates then read as past) */
  now?: number;
}

/** Statuses worth another try: timeouts, rate limits, and server-side failures that are usually brief. */
const RETRYABLE = new Set([NETWORK_ERROR_STATUS, 408, 425, 429, 500, 502, 503, 504]);
/** Statuses whose `Retry-After` header we honour (RFC 9110 §10.2.3 defines it for 429 and 503). */
const HONOURS_RETRY_AFTER = new Set([429, 503]);

function header(headers: HeadersLike | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | undefined>>;
  return record[name] ?? record[name.toLowerCase()];
}

/**
 * Reads `Retry-After` as delay-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`), in ms from
 * `now`. Returns undefined when absent or unreadable; a date in the past reads as 0.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Decides whether attempt number `attempt` (1 = the first request) that ended with `status` should be retried,
 * and after how long. Backoff is exponential with "equal jitter": half the capped delay fixed, half random, so
 * clients that failed together do not retry together. A `Retry-After` on 429/503 replaces the backoff.
 */
export function retryDecision(
  status: number,
  attempt: number,
  headers?: HeadersLike,
  context: RetryContext = {},
): RetryDecision {
  const policy = { ...DEFAULT_RETRY_POLICY, ...context };
  const retryAfter = HONOURS_RETRY_AFTER.has(status)
    ? parseRetryAfter(header(headers, 'retry-after'), context.now ?? 0)
    : undefined;
  if (!RETRYABLE.has(status) || attempt > policy.maxRetries) {
    return { retry: false, delayMs: retryAfter ?? 0 };
  }
  if (retryAfter !== undefined) {
    if (retryAfter > policy.maxRetryAfterMs) return { retry: false, delayMs: retryAfter };
    return { retry: true, delayMs: retryAfter };
  }
  const capped = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jitter = Math.min(Math.max(context.jitter ?? 0.5, 0), 1);
  return { retry: true, delayMs: Math.round(capped / 2 + (capped / 2) * jitter) };
}
