/**
 * Provider rate limits shared by every process of a deployment. Scaled out, N workers with a bucket each
 * would together send N times a provider's budget (CoinGecko's 30 requests/minute becomes 30 × N, answered
 * with 429s); here every process draws from one token bucket per provider kept in Redis.
 *
 * One Lua script does the whole step atomically: refill from the time elapsed since the last call (measured
 * by Redis `TIME`, so the processes' own clocks never matter), then take a token or answer how long until
 * one is due. A waiter sleeps that long (on the injected clock, abortably) and asks again.
 *
 * Redis trouble never stops ingestion: a failed call switches to an in-process `TokenBucket` with the same
 * limit (one warning per outage), and Redis is tried again after a cool-down (one line when it is back).
 * While degraded each process keeps its own full budget, as in embedded mode.
 */
import type { Redis } from 'ioredis';
import { DEFAULT_KEY_PREFIX, RedisLink, type SharedRedisOptions } from '../cache/redis-link.ts';
import { createLogger } from '../core/log.ts';
import {
  type Clock,
  type RateLimit,
  type RateLimiter,
  type RateLimiterFactory,
  systemClock,
  TokenBucket,
} from './rate-limit.ts';

/** Key of a provider's shared bucket: a hash `{tokens, ts}` that expires once it would be full anyway. */
export function rateLimitKey(provider: string, keyPrefix = DEFAULT_KEY_PREFIX): string {
  return `${keyPrefix}rate_limit:${provider}`;
}

/**
 * KEYS[1] bucket; ARGV capacity, requests, intervalMs. Returns `{waitMs, tokensLeft}`: waitMs 0 means a
 * token was taken. Numbers go back and forth as strings: Lua numbers become Redis integers on return, and
 * `%.17g` keeps the fractional tokens exact where Lua's default `%.14g` would round.
 */
const TAKE_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2]) / tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * perMs)
  ts = now
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) / perMs))
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', ts))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / perMs) + 1000)
return {wait, string.format('%.17g', tokens)}
`;

interface TakeCommand {
  marketpipeTakeToken(key: string, capacity: number, requests: number, intervalMs: number): Promise<unknown>;
}

/** Shared buckets' Redis settings; a call slower than `commandTimeoutMs` (default 500 ms) uses the local bucket. */
export type SharedRateLimitsOptions = SharedRedisOptions;

/** A grant decision from Redis: 0 = token taken, else ms until one is due; with the tokens left. */
interface Answer {
  waitMs: number;
  tokens: number;
}

/**
 * One Redis connection and outage state for all of a process's shared buckets (a `RedisLink`: opened on
 * first use, never keeping the process alive, reopened by the first take past the cool-down of an outage).
 */
export class SharedRateLimits {
  readonly keyPrefix: string;
  private readonly link: RedisLink;

  constructor(options: SharedRateLimitsOptions) {
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.link = new RedisLink({
      url: options.url,
      commandTimeoutMs: options.commandTimeoutMs,
      cooldownMs: options.cooldownMs,
      now: options.now,
      log: options.log ?? createLogger('info', 'rate-limit'),
      downMessage: (why) =>
        `redis unavailable for shared rate limits (${why}); ` +
        'each process uses its own provider budget until it is back',
      backMessage: 'redis is back: provider rate limits are shared across processes again',
      scripts: { marketpipeTakeToken: { numberOfKeys: 1, lua: TAKE_SCRIPT } },
    });
  }

  /** True while the local fallback buckets are in use. */
  get degraded(): boolean {
    return this.link.degraded;
  }

  /** The shared bucket of `provider`. Use it as `HttpClientOptions.rateLimiter` via `factory()`. */
  bucket(provider: string, limit: RateLimit, clock: Clock = systemClock): SharedTokenBucket {
    return new SharedTokenBucket(this, rateLimitKey(provider, this.keyPrefix), limit, clock);
  }

  /** `bucket` as a `RateLimiterFactory` for HttpClient / createSources. */
  factory(): (provider: string, limit: RateLimit, clock: Clock) => SharedTokenBucket {
    return (provider, limit, clock) => this.bucket(provider, limit, clock);
  }

  /**
   * One atomic refill-and-take on `key`; undefined when Redis cannot answer (the caller then uses its local
   * bucket). Never throws.
   */
  tryTake(key: string, limit: Required<RateLimit>): Promise<Answer | undefined> {
    return this.link.attempt(async (client) =>
      parseAnswer(
        await (client as Redis & TakeCommand).marketpipeTakeToken(
          key,
          limit.burst,
          limit.requests,
          limit.intervalMs,
        ),
      ),
    );
  }

  close(): Promise<void> {
    return this.link.close();
  }
}

function parseAnswer(reply: unknown): Answer {
  if (!Array.isArray(reply) || reply.length !== 2) {
    throw new Error(`unexpected rate-limit script reply ${JSON.stringify(reply)}`);
  }
  const waitMs = Number(reply[0]);
  const tokens = Number(reply[1]);
  if (!Number.isFinite(waitMs) || !Number.isFinite(tokens)) {
    throw new Error(`unexpected rate-limit script reply ${JSON.stringify(reply)}`);
  }
  return { waitMs, tokens };
}

/**
 * A provider's token bucket kept in Redis, with TokenBucket's interface and limits (`burst` defaults to
 * `requests`). Waiters of one process ask Redis one at a time, in arrival order, so only the head of the
 * queue polls while the others wait their turn.
 */
export class SharedTokenBucket implements RateLimiter {
  readonly limit: Required<RateLimit>;
  private readonly local: TokenBucket;
  private queue: Promise<void> = Promise.resolve();
  /** Tokens Redis reported after our last take, and when (local clock); undefined before the first. */
  private lastSeen: { tokens: number; at: number } | undefined;

  constructor(
    private readonly shared: SharedRateLimits,
    readonly key: string,
    limit: RateLimit,
    private readonly clock: Clock = systemClock,
  ) {
    // The local bucket validates the limit (positive rate) and is the fallback during a Redis outage.
    this.local = new TokenBucket(limit, clock);
    this.limit = {
      requests: limit.requests,
      intervalMs: limit.intervalMs,
      burst: Math.max(1, limit.burst ?? limit.requests),
    };
  }

  /**
   * Tokens in the shared bucket as Redis last reported them, refilled by the time since (other processes
   * may have taken some meanwhile); the local bucket's while Redis is unavailable or not yet asked.
   */
  available(): number {
    if (this.shared.degraded || this.lastSeen === undefined) return this.local.available();
    const perMs = this.limit.requests / this.limit.intervalMs;
    const elapsed = Math.max(0, this.clock.now() - this.lastSeen.at);
    return Math.min(this.limit.burst, this.lastSeen.tokens + elapsed * perMs);
  }

  /** Waits for a token of the shared budget (or of the local one while Redis is unavailable) and takes it. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.takeNow(signal));
    // A failed (aborted) waiter must not block those behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async takeNow(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const answer = await this.shared.tryTake(this.key, this.limit);
      if (answer === undefined) {
        await this.local.take(signal);
        return;
      }
      this.lastSeen = { tokens: answer.tokens, at: this.clock.now() };
      if (answer.waitMs <= 0) return;
      await this.clock.sleep(answer.waitMs, signal);
    }
  }
}

const perUrl = new Map<string, SharedRateLimits>();

/**
 * The process's `SharedRateLimits` for `redisUrl` (one connection however many sources are built), as a
 * `RateLimiterFactory` for `createSources` / `ProviderOptions`.
 */
function sharedRateLimiter(
  redisUrl: string,
  options: Omit<SharedRateLimitsOptions, 'url'> = {},
): (provider: string, limit: RateLimit, clock: Clock) => SharedTokenBucket {
  let shared = perUrl.get(redisUrl);
  if (shared === undefined) {
    shared = new SharedRateLimits({ ...options, url: redisUrl });
    perUrl.set(redisUrl, shared);
  }
  return shared.factory();
}

/**
 * The rate limiter factory for provider HTTP clients under `settings`: with `REDIS_URL` one budget per
 * provider shared by every process (in-process buckets while Redis is unavailable); without it undefined,
 * i.e. an in-process TokenBucket per client (embedded mode).
 */
export function rateLimiterFor(settings: {
  redisUrl?: string;
  logLevel?: string;
}): RateLimiterFactory | undefined {
  if (settings.redisUrl === undefined) return undefined;
  return sharedRateLimiter(settings.redisUrl, {
    log: createLogger(settings.logLevel ?? 'info', 'rate-limit'),
  });
}
