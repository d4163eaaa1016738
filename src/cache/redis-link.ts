/**
 * A Redis connection for state that several processes share but none may depend on: provider rate limits
 * (sources/shared-rate-limit.ts) and API request budgets (api/rate-window.ts). A call either answers or
 * yields `undefined`, and the caller then decides locally (its in-process bucket or window).
 *
 * Outage handling: the first failed call warns once and opens a cool-down during which Redis is not asked
 * at all (so an outage costs at most one command timeout per cool-down); the first call past it tries a
 * fresh connection, and one info line says when Redis is back.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../core/log.ts';

/** The deployment prefix of shared keys, the one BullMQ's keys use too (`marketpipe:jobs:…`). */
export const DEFAULT_KEY_PREFIX = 'marketpipe:';

/** A Lua script run as a named command (EVALSHA, falling back to EVAL on a restarted Redis). */
interface LinkScript {
  numberOfKeys: number;
  lua: string;
}

/** What a user of a shared Redis counter configures (rate limits of providers and of the API). */
export interface SharedRedisOptions {
  /** `REDIS_URL`. */
  url: string;
  /** Prefix of the keys (one per deployment, or per test). @defaultValue 'marketpipe:' */
  keyPrefix?: string;
  /** A Redis call slower than this counts as a failure and the caller decides locally (ms). */
  commandTimeoutMs?: number;
  /** After a failure, callers decide locally this long before Redis is tried again (ms). @defaultValue 5000 */
  cooldownMs?: number;
  /** @defaultValue an info-level logger on stderr */
  log?: Pick<Logger, 'warn' | 'info'>;
  /** Wall clock for the cool-down (epoch ms). @defaultValue Date.now */
  now?: () => number;
}

export interface RedisLinkOptions {
  /** `REDIS_URL`. */
  url: string;
  /** A Redis call slower than this counts as a failure (ms). @defaultValue 500 */
  commandTimeoutMs?: number;
  /** After a failure, callers decide locally this long before Redis is tried again (ms). @defaultValue 5000 */
  cooldownMs?: number;
  log: Pick<Logger, 'warn' | 'info'>;
  /** The one warning of an outage, given the connection's error (e.g. `connect ECONNREFUSED …`). */
  downMessage: (why: string) => string;
  /** The one line when Redis answers again. */
  backMessage: string;
  /** Scripts defined on every connection, by command name. @defaultValue none */
  scripts?: Readonly<Record<string, LinkScript>>;
  /** Wall clock for the cool-down (epoch ms). @defaultValue Date.now */
  now?: () => number;
}

/**
 * One lazily opened connection and its outage state. The connection does not keep the process alive (a CLI
 * run ends when its work does) and does not reconnect in the background: after an outage the first call
 * past the cool-down opens a fresh one.
 */
export class RedisLink {
  private client: Redis | undefined;
  private down = false;
  private retryAt = 0;
  /** The connection's last error (e.g. ECONNREFUSED), more telling than the failed call's own. */
  private lastError: string | undefined;
  private readonly now: () => number;

  constructor(private readonly options: RedisLinkOptions) {
    this.now = options.now ?? Date.now;
  }

  /** True from a failed call until the next one that succeeds. */
  get degraded(): boolean {
    return this.down;
  }

  /**
   * `fn` on the connection; undefined when Redis cannot answer (down, cooling down, too slow, or `fn`
   * threw, e.g. on a reply it did not expect). Never throws.
   */
  async attempt<T>(fn: (client: Redis) => Promise<T>): Promise<T | undefined> {
    if (this.down && this.now() < this.retryAt) return undefined;
    let client: Redis | undefined;
    try {
      client = this.connection();
      const value = await fn(client);
      if (this.down) {
        this.down = false;
        this.options.log.info(this.options.backMessage);
      }
      return value;
    } catch (err) {
      if (!this.down) {
        const why = this.lastError ?? (err instanceof Error ? err.message : String(err));
        this.options.log.warn(this.options.downMessage(why));
      }
      this.down = true;
      this.retryAt = this.now() + (this.options.cooldownMs ?? 5000);
      client?.disconnect();
      if (this.client === client) this.client = undefined;
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.client?.disconnect();
    this.client = undefined;
  }

  private connection(): Redis {
    if (this.client && this.client.status !== 'end') return this.client;
    const client = new Redis(this.options.url, {
      // Commands wait for the first connect, bounded by commandTimeout; a lost connection fails them at once.
      enableOfflineQueue: true,
      maxRetriesPerRequest: 0,
      commandTimeout: this.options.commandTimeoutMs ?? 500,
      connectTimeout: 1000,
      // No background reconnects (their timers would keep a finished CLI run alive): see attempt.
      retryStrategy: () => null,
    });
    // Failures surface through the calls; without a listener ioredis would print each one.
    this.lastError = undefined;
    client.on('error', (err: Error) => {
      if (this.client === client) this.lastError = err.message;
    });
    // An idle connection must not keep the process alive; a pending command's timeout timer still does.
    client.on('connect', () => client.stream?.unref?.());
    for (const [name, script] of Object.entries(this.options.scripts ?? {})) {
      client.defineCommand(name, script);
    }
    this.client = client;
    return client;
  }
}
