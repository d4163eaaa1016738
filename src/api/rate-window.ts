/**
 * Fixed-window request counters for the API's budgets (per API key on the data routes, per admin user on
 * the admin routes). A window starts at an id's first request and lasts `windowMs`; every request in it
 * counts, and once it ends the count starts again at the next request.
 *
 * In-process (`LocalWindowCounter`) each `serve` process counts alone, so N processes behind a load
 * balancer grant N times a budget. `SharedWindowCounter` keeps the counts in Redis so every process of a
 * deployment draws from one window per id; a Redis outage falls back to the local counter (one warning per
 * outage, recovery by itself), so it never fails a request.
 */
import type { Redis } from 'ioredis';
import { DEFAULT_KEY_PREFIX, RedisLink, type SharedRedisOptions } from '../cache/redis-link.ts';
import { createLogger } from '../core/log.ts';

/** One request counted in its window. */
export interface WindowHit {
  /** Requests in the window so far, this one included. */
  count: number;
  /** Milliseconds until the window ends. */
  resetInMs: number;
}

/** Counts requests per id (`{kind}:{id}`, e.g. `key:3f2a…` or `user:alice`) in fixed windows. */
export interface WindowCounter {
  /** Counts one request of `id` in its window of `windowMs` (opened by this request if none is). */
  hit(id: string, windowMs: number): Promise<WindowHit>;
}

/** Whole seconds to wait for a window that ends in `resetInMs` (a Retry-After value, at least 1). */
export function retryAfterSeconds(resetInMs: number): number {
  return Math.max(1, Math.ceil(resetInMs / 1000));
}

/** Windows this many ids are kept before ended ones are dropped (bounds memory under many users). */
const PRUNE_AT = 10_000;

/** The in-process counter: one window per id in a Map. */
export class LocalWindowCounter implements WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /** @param now wall clock, epoch ms. @defaultValue Date.now */
  constructor(private readonly now: () => number = Date.now) {}

  async hit(id: string, windowMs: number): Promise<WindowHit> {
    return this.hitNow(id, windowMs);
  }

  /** `hit` without the promise. */
  hitNow(id: string, windowMs: number): WindowHit {
    const t = this.now();
    let w = this.windows.get(id);
    if (!w || t - w.start >= windowMs) {
      if (!w && this.windows.size >= PRUNE_AT) this.prune(t, windowMs);
      w = { start: t, count: 0 };
      this.windows.set(id, w);
    }
    w.count++;
    return { count: w.count, resetInMs: w.start + windowMs - t };
  }

  private prune(t: number, windowMs: number): void {
    for (const [id, w] of this.windows) if (t - w.start >= windowMs) this.windows.delete(id);
  }
}

/** Redis key of `id`'s window (`marketpipe:api_rate:key:3f2a…`); `id` never holds a raw API key. */
export function apiRateKey(id: string, keyPrefix = DEFAULT_KEY_PREFIX): string {
  return `${keyPrefix}api_rate:${id}`;
}

/**
 * KEYS[1] window; ARGV[1] window length in ms. Returns `{count, msLeft}`. INCR opens a window at 1 and the
 * expiry is set in the same atomic step, so a window never outlives its length however the callers fail.
 * Redis keeps the time (PEXPIRE / PTTL): the processes' own clocks never matter.
 */
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  ttl = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {n, ttl}
`;

interface HitCommand {
  marketpipeWindowHit(key: string, windowMs: number): Promise<unknown>;
}

function parseHit(reply: unknown): WindowHit {
  const [count, resetInMs] = Array.isArray(reply) ? reply.map(Number) : [];
  if (count === undefined || resetInMs === undefined || !(count >= 1) || !(resetInMs >= 0)) {
    throw new Error(`unexpected request-window script reply ${JSON.stringify(reply)}`);
  }
  return { count, resetInMs };
}

/**
 * Shared windows' Redis settings; a call slower than `commandTimeoutMs` (default 250 ms) counts the request
 * locally, and `now` also drives the local windows.
 */
export type SharedWindowCounterOptions = SharedRedisOptions;

/**
 * Request windows shared by every process through Redis (one atomic INCR-and-expire per request), with the
 * in-process counter as the fallback while Redis cannot answer. While degraded each process grants its own
 * full budget, as in embedded mode; windows counted locally are forgotten once Redis is back.
 */
export class SharedWindowCounter implements WindowCounter {
  readonly keyPrefix: string;
  private readonly link: RedisLink;
  private readonly local: LocalWindowCounter;

  constructor(options: SharedWindowCounterOptions) {
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.local = new LocalWindowCounter(options.now);
    this.link = new RedisLink({
      url: options.url,
      commandTimeoutMs: options.commandTimeoutMs ?? 250,
      cooldownMs: options.cooldownMs,
      now: options.now,
      log: options.log ?? createLogger('info', 'api-rate-limit'),
      downMessage: (why) =>
        `redis unavailable for shared API rate limits (${why}); ` +
        'each process counts its own API budgets until it is back',
      backMessage: 'redis is back: API rate limits are shared across processes again',
      scripts: { marketpipeWindowHit: { numberOfKeys: 1, lua: HIT_SCRIPT } },
    });
  }

  /** True while requests are counted locally. */
  get degraded(): boolean {
    return this.link.degraded;
  }

  async hit(id: string, windowMs: number): Promise<WindowHit> {
    const ms = Math.max(1, Math.ceil(windowMs));
    const shared = await this.link.attempt(async (client) =>
      parseHit(await (client as Redis & HitCommand).marketpipeWindowHit(apiRateKey(id, this.keyPrefix), ms)),
    );
    return shared ?? this.local.hitNow(id, ms);
  }

  close(): Promise<void> {
    return this.link.close();
  }
}
