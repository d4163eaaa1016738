import type { Logger } from '../core/log.ts';
import type { Db } from '../store/db.ts';
import type { Cache, PubSub } from './cache.ts';
import { MemoryCache } from './memory.ts';
import { PgPubSub } from './pg-pubsub.ts';
import { RedisCache, RedisPubSub } from './redis.ts';

export type { Cache, PubSub } from './cache.ts';

export { CACHE_TTL_SECONDS, type ChannelMessage, cacheKeys } from './keys.ts';

/** Redis when `REDIS_URL` is set, else the in-process memory cache. */
export function createCache(settings: { redisUrl?: string }, log?: Logger): Cache {
  return settings.redisUrl ? new RedisCache({ url: settings.redisUrl, log }) : new MemoryCache();
}

/** Redis pub/sub when `REDIS_URL` is set, else LISTEN/NOTIFY on the store. */
export function createPubSub(settings: { redisUrl?: string }, db: Db, log?: Logger): PubSub {
  return settings.redisUrl ? new RedisPubSub({ url: settings.redisUrl, log }) : new PgPubSub(db, log);
}
