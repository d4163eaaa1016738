/** Politeness primitives for provider HTTP: a clock, a token bucket and a concurrency gate. */

/** Time source the HTTP layer uses; tests inject a fake one so backoff and rate limits take no real time. */
export interface Clock {
  /** Current time, epoch ms. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      if (ms <= 0) {
        resolve();
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface RateLimit {
  /** Requests allowed per `intervalMs` on average. */
  requests: number;
  /** Window the `requests` refer to, in ms (60000 for "per minute"). */
  intervalMs: number;
  /**
   * Requests that may go at once after a quiet spell (bucket capacity).
   * @defaultValue `requests` (a full window's worth)
   */
  burst?: number;
}

/**
 * What the HTTP client asks before each request: the in-process `TokenBucket`, or the Redis-backed
 * `SharedTokenBucket` (shared-rate-limit.ts) whose budget every process of a deployment draws from.
 */
export interface RateLimiter {
  /** Waits for a token and takes it; rejects with the signal's reason when it aborts first. */
  take(signal?: AbortSignal): Promise<void>;
  /** Tokens available now (fractional; an estimate for a shared bucket), for health checks. */
  available(): number;
}

/** Builds the rate limiter of one provider's HTTP client from its (settings-overlaid) limit. */
export type RateLimiterFactory = (provider: string, limit: RateLimit, clock: Clock) => RateLimiter;

/**
 * Token bucket: holds up to `burst` tokens, refilled continuously at `requests / intervalMs`; each request takes
 * one, waiting for the refill when empty. Waiters are served in arrival order.
 */
export class TokenBucket implements RateLimiter {
  private tokens: number;
  private last: number;
  private readonly capacity: number;
  private readonly perMs: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    limit: RateLimit,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(limit.requests > 0) || !(limit.intervalMs > 0)) {
      throw new RangeError(`rate limit must be positive, got ${limit.requests} per ${limit.intervalMs} ms`);
    }
    this.capacity = Math.max(1, limit.burst ?? limit.requests);
    this.perMs = limit.requests / limit.intervalMs;
    this.tokens = this.capacity;
    this.last = clock.now();
  }

  /** Tokens available now (fractional), for health checks. */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Waits for a token and takes it. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.takeNow(signal));
    // A failed (aborted) waiter must not block those behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async takeNow(signal?: AbortSignal): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil((1 - this.tokens) / this.perMs), signal);
    }
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + Math.max(0, now - this.last) * this.perMs);
    this.last = now;
  }
}

/** At most `limit` tasks run at once; others wait in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`concurrency must be at least 1, got ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter, so a newcomer cannot jump the queue.
    if (this.active < this.limit) this.active += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
