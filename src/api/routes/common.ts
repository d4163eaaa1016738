import type { Cache } from '../../cache/index.ts';

/** Splits `A,B , C` into symbols, dropping empties and duplicates. */
export function symbolList(text: string | undefined): string[] {
  if (!text) return [];
  return [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * Cache-aside that does not keep empty answers (an empty list before the first analytics run must not
 * hide the data for a day): the cached value, or `load()` stored for `ttlSeconds` unless `isEmpty`.
 */
export async function cacheAside<T>(
  cache: Cache,
  key: string,
  ttlSeconds: number,
  load: () => Promise<T>,
  isEmpty: (v: T) => boolean = (v) => Array.isArray(v) && v.length === 0,
): Promise<{ value: T; cached: boolean }> {
  const hit = await cache.get<T>(key);
  if (hit !== undefined) return { value: hit, cached: true };
  const value = await load();
  if (value !== undefined && value !== null && !isEmpty(value)) await cache.set(key, value, ttlSeconds);
  return { value, cached: false };
}
