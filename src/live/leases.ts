/**
 * Scale-out: several `marketpipe stream` processes share the (venue, symbol) subscriptions through Redis
 * leases. Each process announces itself (a member key with a TTL) and holds at most its fair share
 * (⌈pairs / live members⌉) of leases, each `SET NX PX ttl` and renewed well before it expires; a process
 * that dies stops renewing, so within `ttlMs` + one round its pairs are free and the others take them
 * (repairing the hole from REST, see StreamRunner.add). A lease lost to a renewal failure is unsubscribed.
 */
import type { Redis } from 'ioredis';
import type { StreamTarget } from './runner.ts';

export interface LeaseOptions {
  /** Redis client (the process's own connection, not the cache's). */
  redis: Redis;
  /** Unique per process, e.g. `${hostname}:${pid}:${random}`. */
  owner: string;
  /** Key prefix (one per deployment or test). @defaultValue 'marketpipe:' */
  prefix?: string;
  /** Lease lifetime (ms). @defaultValue 5000 */
  ttlMs?: number;
  /** How often leases are renewed and free ones sought (ms). @defaultValue 1500 */
  roundMs?: number;
  onAcquire(targets: StreamTarget[]): void;
  onRelease(targets: StreamTarget[]): void;
  log?: { warn(message: string): void };
}

/** Renews a lease only if we still own it. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class LeaseManager {
  private readonly held = new Map<string, StreamTarget>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly prefix: string;
  private readonly ttlMs: number;

  constructor(
    private readonly targets: readonly StreamTarget[],
    private readonly options: LeaseOptions,
  ) {
    this.prefix = options.prefix ?? 'marketpipe:';
    this.ttlMs = options.ttlMs ?? 5000;
  }

  /** Pairs this process holds now. */
  get holding(): StreamTarget[] {
    return [...this.held.values()];
  }

  start(): void {
    this.roundSoon();
    this.timer = setInterval(() => this.roundSoon(), this.options.roundMs ?? 1500);
  }

  /** Gives every lease back (a clean shutdown hands them over at once). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    const r = this.options.redis;
    for (const key of this.held.keys()) await r.eval(RELEASE, 1, key, this.options.owner).catch(() => 0);
    await r.zrem(this.membersKey(), this.options.owner).catch(() => 0);
    const all = this.holding;
    this.held.clear();
    if (all.length > 0) this.options.onRelease(all);
  }

  private key(t: StreamTarget): string {
    return `${this.prefix}stream:lease:${t.venue}:${t.symbol}`;
  }

  private membersKey(): string {
    return `${this.prefix}stream:members`;
  }

  private roundSoon(): void {
    this.running = this.running
      .then(() => this.round())
      .catch((err: unknown) => this.options.log?.warn(`stream leases: ${(err as Error).message}`));
  }

  private async round(): Promise<void> {
    const r = this.options.redis;
    const now = Date.now();
    const members = this.membersKey();
    await r.zadd(members, now, this.options.owner);
    await r.zremrangebyscore(members, 0, now - this.ttlMs);
    const live = Math.max(1, await r.zcard(members));
    const share = Math.ceil(this.targets.length / live);
    const lost: StreamTarget[] = [];
    for (const [key, t] of this.held) {
      const ok = Number(await r.eval(RENEW, 1, key, this.options.owner, String(this.ttlMs)));
      if (ok !== 1) {
        this.held.delete(key);
        lost.push(t);
      }
    }
    // Above the fair share (a process joined): hand the surplus back so it can take it.
    while (this.held.size > share) {
      const [key, t] = this.held.entries().next().value as [string, StreamTarget];
      await r.eval(RELEASE, 1, key, this.options.owner);
      this.held.delete(key);
      lost.push(t);
    }
    if (lost.length > 0) this.options.onRelease(lost);
    const got: StreamTarget[] = [];
    for (const t of this.targets) {
      if (this.held.size >= share) break;
      const key = this.key(t);
      if (this.held.has(key)) continue;
      if ((await r.set(key, this.options.owner, 'PX', this.ttlMs, 'NX')) === 'OK') {
        this.held.set(key, t);
        got.push(t);
      }
    }
    if (got.length > 0) this.options.onAcquire(got);
  }
}
