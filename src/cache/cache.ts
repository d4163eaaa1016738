import type { Channel, ChannelMessage } from './keys.ts';

export interface CacheStats {
  backend: 'memory' | 'redis';
  hits: number;
  misses: number;
  sets: number;
  hit_rate: number;
  entries: number | null;
  /** Redis only: the breaker is open (Redis unreachable; every call answers as a miss). */
  degraded: boolean;
  errors: number;
}

/**
 * A cache in front of the database, which stays the truth: a cache that fails answers `undefined` (a
 * miss) and the caller reads the store, so an outage never fails a request.
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  getMany<T>(keys: readonly string[]): Promise<Array<T | undefined>>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  del(key: string): Promise<void>;
  stats(): CacheStats;
  close(): Promise<void>;
}

/** Cross-process events: Postgres LISTEN/NOTIFY on the embedded store, Redis pub/sub when scaled out. */
export interface PubSub {
  publish(channel: Channel, message: Omit<ChannelMessage, 'ts'> & { ts?: string }): Promise<void>;
  subscribe(channel: Channel, handler: (message: ChannelMessage) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export function stamp(message: Omit<ChannelMessage, 'ts'> & { ts?: string }): ChannelMessage {
  return { ...message, ts: message.ts ?? new Date().toISOString() } as ChannelMessage;
}
