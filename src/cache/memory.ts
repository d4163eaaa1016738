import type { Cache, CacheStats } from './cache.ts';

export interface MemoryCacheOptions {
  /** Most entries kept; the least recently used go first. @defaultValue 10000 */
  maxEntries?: number;
  /** Clock in ms (tests). @defaultValue Date.now */
  now?: () => number;
}

/**
 * In-process cache with per-key TTL and an LRU bound. A Map keeps insertion order, so its first key is the
 * least recently written or moved; a hit moves its key to the end only once the key has drifted a quarter of
 * the bound from the end (a hot key is not moved on every read: delete + re-insert is most of a hit's cost).
 * A key read at least once every ¾ × maxEntries writes is therefore never evicted.
 */
export class MemoryCache implements Cache {
  private readonly map = new Map<string, { value: unknown; expires: number; seq: number }>();
  /** Count of insertions and moves; an entry's `seq` is the count when it was last put at the end. */
  private seq = 0;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private hits = 0;
  private misses = 0;
  private sets = 0;

  constructor(options: MemoryCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  private read<T>(key: string): T | undefined {
    const entry = this.map.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    if (entry.expires <= this.now()) {
      this.map.delete(key);
      this.misses++;
      return undefined;
    }
    if (this.seq - entry.seq > this.maxEntries >> 2) {
      this.map.delete(key);
      entry.seq = ++this.seq;
      this.map.set(key, entry);
    }
    this.hits++;
    // Values are stored as given; callers treat them as read-only (as a JSON round trip through Redis would).
    return entry.value as T;
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.read<T>(key);
  }

  async getMany<T>(keys: readonly string[]): Promise<Array<T | undefined>> {
    return keys.map((k) => this.read<T>(k));
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.sets++;
    this.map.delete(key);
    this.map.set(key, { value, expires: this.now() + ttlSeconds * 1000, seq: ++this.seq });
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
    }
  }

  async del(key: string): Promise<void> {
    this.map.delete(key);
  }

  stats(): CacheStats {
    const total = this.hits + this.misses;
    return {
      backend: 'memory',
      hits: this.hits,
      misses: this.misses,
      sets: this.sets,
      hit_rate: total === 0 ? 0 : this.hits / total,
      entries: this.map.size,
      degraded: false,
      errors: 0,
    };
  }

  async close(): Promise<void> {
    this.map.clear();
  }
}
