import { Redis } from 'ioredis';
import type { Logger } from '../core/log.ts';
import type { Cache, CacheStats, PubSub } from './cache.ts';
import { stamp } from './cache.ts';
import type { Channel, ChannelMessage } from './keys.ts';
import { PublishGuard } from './outages.ts';

export interface RedisCacheOptions {
  url: string;
  /** Prefix of every key (tests, shared Redis). @defaultValue '' */
  keyPrefix?: string;
  /** A call slower than this counts as a failure. @defaultValue 250 ms */
  commandTimeoutMs?: number;
  /** How long the breaker stays open before one trial call. @defaultValue 2000 ms */
  cooldownMs?: number;
  log?: Pick<Logger, 'warn' | 'info'>;
  now?: () => number;
}

/**
 * A circuit breaker: after a failure every call is skipped (answered as a miss) for `cooldownMs`; then one
 * trial call decides whether Redis is back. One warning per outage, one line on recovery.
 */
export class Breaker {
  private openUntil = 0;
  private down = false;
  errors = 0;

  constructor(
    private readonly cooldownMs: number,
    private readonly now: () => number,
    private readonly log?: Pick<Logger, 'warn' | 'info'>,
    private readonly what = 'redis',
  ) {}

  get isOpen(): boolean {
    return this.down && this.now() < this.openUntil;
  }

  get degraded(): boolean {
    return this.down;
  }

  async run<T>(fn: () => Promise<T>, fallback: T): Promise<T> {
    if (this.isOpen) return fallback;
    try {
      const value = await fn();
      if (this.down) {
        this.down = false;
        this.log?.info(`${this.what} is back; cache in use again`);
      }
      return value;
    } catch (err) {
      this.errors++;
      if (!this.down)
        this.log?.warn(`${this.what} unavailable (${(err as Error).message}); serving from the database`);
      this.down = true;
      this.openUntil = this.now() + this.cooldownMs;
      return fallback;
    }
  }
}

function connect(url: string, commandTimeoutMs: number): Redis {
  const client = new Redis(url, {
    lazyConnect: false,
    // Queued while (re)connecting, but bounded by commandTimeout: an outage costs one timeout per cooldown.
    enableOfflineQueue: true,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 1000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Errors surface through the calls (and the breaker); without a listener ioredis would print each one.
  client.on('error', () => undefined);
  return client;
}

export class RedisCache implements Cache {
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly breaker: Breaker;
  private hits = 0;
  private misses = 0;
  private sets = 0;

  constructor(options: RedisCacheOptions) {
    this.client = connect(options.url, options.commandTimeoutMs ?? 250);
    this.prefix = options.keyPrefix ?? '';
    this.breaker = new Breaker(options.cooldownMs ?? 2000, options.now ?? Date.now, options.log);
  }

  async get<T>(key: string): Promise<T | undefined> {
    const [value] = await this.getMany<T>([key]);
    return value;
  }

  async getMany<T>(keys: readonly string[]): Promise<Array<T | undefined>> {
    if (keys.length === 0) return [];
    const raw = await this.breaker.run(
      () => this.client.mget(...keys.map((k) => this.prefix + k)),
      keys.map(() => null as string | null),
    );
    return raw.map((text) => {
      if (text === null) {
        this.misses++;
        return undefined;
      }
      this.hits++;
      return JSON.parse(text) as T;
    });
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.sets++;
    await this.breaker.run(
      () => this.client.set(this.prefix + key, JSON.stringify(value), 'EX', ttlSeconds),
      null,
    );
  }

  async del(key: string): Promise<void> {
    await this.breaker.run(() => this.client.del(this.prefix + key), 0);
  }

  stats(): CacheStats {
    const total = this.hits + this.misses;
    return {
      backend: 'redis',
      hits: this.hits,
      misses: this.misses,
      sets: this.sets,
      hit_rate: total === 0 ? 0 : this.hits / total,
      entries: null,
      degraded: this.breaker.degraded,
      errors: this.breaker.errors,
    };
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}

/** Redis pub/sub; subscriptions live on their own connection, as Redis requires. */
export class RedisPubSub implements PubSub {
  private readonly pub: Redis;
  private sub: Redis | undefined;
  private readonly handlers = new Map<string, Set<(m: ChannelMessage) => void>>();
  private readonly prefix: string;
  private readonly guard: PublishGuard;

  constructor(
    private readonly options: {
      url: string;
      channelPrefix?: string;
      log?: Pick<Logger, 'warn' | 'info'>;
      /** See PublishGuardOptions.cooldownMs. @defaultValue 2000 ms */
      cooldownMs?: number;
    },
  ) {
    this.pub = connect(options.url, 1000);
    this.prefix = options.channelPrefix ?? '';
    this.guard = new PublishGuard({
      what: 'redis pub/sub',
      log: options.log,
      cooldownMs: options.cooldownMs,
    });
  }

  private subscriber(): Redis {
    if (this.sub) return this.sub;
    const sub = new Redis(this.options.url, { retryStrategy: (t) => Math.min(t * 200, 2000) });
    sub.on('error', () => undefined);
    sub.on('message', (channel: string, text: string) => {
      const set = this.handlers.get(channel);
      if (!set) return;
      let message: ChannelMessage;
      try {
        message = JSON.parse(text) as ChannelMessage;
      } catch {
        this.options.log?.warn(`ignored a non-JSON message on ${channel}`);
        return;
      }
      for (const h of set) h(message);
    });
    this.sub = sub;
    return sub;
  }

  /** Never rejects: a Redis outage drops the message (counted, logged once per outage; see PublishGuard). */
  async publish(channel: Channel, message: Omit<ChannelMessage, 'ts'> & { ts?: string }): Promise<void> {
    const text = JSON.stringify(stamp(message));
    await this.guard.publish(channel, () => this.pub.publish(this.prefix + channel, text));
  }

  async subscribe(channel: Channel, handler: (m: ChannelMessage) => void): Promise<() => Promise<void>> {
    const name = this.prefix + channel;
    let set = this.handlers.get(name);
    if (!set) {
      set = new Set();
      this.handlers.set(name, set);
      await this.subscriber().subscribe(name);
    }
    set.add(handler);
    return async () => {
      const s = this.handlers.get(name);
      s?.delete(handler);
      if (s && s.size === 0) {
        this.handlers.delete(name);
        await this.sub?.unsubscribe(name);
      }
    };
  }

  async close(): Promise<void> {
    this.pub.disconnect();
    this.sub?.disconnect();
  }
}
