import type { Cache, ChannelMessage } from '../cache/index.ts';
import { assetCacheKeys } from './routes/asset.ts';
import { OVERVIEW_KEY } from './routes/market.ts';

/**
 * The route-cache keys a `data_ready` message makes stale: the market overview always (any new data may
 * move it), and for each symbol of the run (`symbols`, sent by ingest runs) its instrument, hourly and
 * daily-range answers. Symbols that are not short strings are ignored.
 */
export function staleKeys(message: ChannelMessage): string[] {
  const symbols = Array.isArray(message.symbols)
    ? message.symbols.filter((s): s is string => typeof s === 'string' && s.length > 0 && s.length <= 32)
    : [];
  return [OVERVIEW_KEY, ...[...new Set(symbols)].flatMap(assetCacheKeys)];
}

/**
 * Drops what `message` makes stale, so the next read goes to the store instead of serving bars from before
 * the run for up to the keys' TTL (60–300 s). A cache that fails to delete is no worse than the TTL.
 */
export async function dropStaleKeys(cache: Cache, message: ChannelMessage): Promise<number> {
  const keys = staleKeys(message);
  await Promise.allSettled(keys.map((k) => cache.del(k)));
  return keys.length;
}
