import type { FastifyPluginAsync } from 'fastify';
import { CACHE_TTL_SECONDS, type Cache, cacheKeys } from '../../cache/index.ts';
import { MemoryCache } from '../../cache/memory.ts';
import { ValidationError } from '../../core/errors.ts';
import { toIso } from '../../core/time.ts';
import type { CachedPrice } from '../../pipeline/latest.ts';
import type { Queryable } from '../../store/db.ts';
import { latestBars } from '../../store/repos/bars.ts';
import { listInstruments } from '../../store/repos/instruments.ts';
import { latestPrices } from '../../store/repos/prices.ts';
import { useApiKeys } from '../api-keys.ts';
import { watchlistRoutes as contract, MAX_WATCHLIST, type Watchlist } from '../contract/watchlist.ts';
import type { RouteOptions } from '../deps.ts';
import { sendJsonText } from '../json-text.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';
import { symbolList } from './common.ts';

type WatchlistResult = Watchlist;

/**
 * Latest prices, cache first (`latest_price:{symbol}`, one MGET for all), then the store for the misses:
 * the newest point price, else the close of the newest hourly or daily bar, whichever is newer. Store
 * answers are written back to the cache (cache-aside). Symbols with no data come back in `errors`.
 */
async function watchlist(
  db: Queryable,
  cache: Cache,
  symbols: readonly string[],
  /** The cache's answer for `symbols`, when the caller has read it already. */
  cached?: ReadonlyArray<CachedPrice | undefined>,
): Promise<WatchlistResult> {
  const hits = cached ?? (await cache.getMany<CachedPrice>(symbols.map(cacheKeys.latestPrice)));
  // The common case, every symbol cached: no store read, no bookkeeping.
  if (hits.every((h) => h !== undefined)) {
    return { items: hits.map((h) => ({ ...(h as CachedPrice), cached: true })), errors: [] };
  }
  const found = new Map<string, CachedPrice & { cached: boolean }>();
  const missing: string[] = [];
  symbols.forEach((s, i) => {
    const hit = hits[i];
    if (hit) found.set(s, { ...hit, cached: true });
    else missing.push(s);
  });
  if (missing.length > 0) {
    const fromStore = new Map<string, CachedPrice>();
    const keep = (p: CachedPrice) => {
      const old = fromStore.get(p.symbol);
      if (!old || old.ts < p.ts) fromStore.set(p.symbol, p);
    };
    for (const p of await latestPrices(db, missing)) {
      keep({ symbol: p.symbol, price: p.price, ts: toIso(p.ts), source: p.source });
    }
    for (const interval of ['1h', '1d'] as const) {
      for (const b of await latestBars(db, { interval, symbols: missing })) {
        keep({ symbol: b.symbol, price: b.close, ts: toIso(b.ts), source: b.source });
      }
    }
    for (const p of fromStore.values()) {
      await cache.set(cacheKeys.latestPrice(p.symbol), p, CACHE_TTL_SECONDS.latestPrice);
      found.set(p.symbol, { ...p, cached: false });
    }
  }
  const items: WatchlistResult['items'] = [];
  const errors: WatchlistResult['errors'] = [];
  for (const s of symbols) {
    const item = found.get(s);
    if (item) items.push(item);
    else errors.push({ symbol: s, error: `no price stored for "${s}" (unknown symbol or no data yet)` });
  }
  return { items, errors };
}

/** Most distinct `symbols=` strings whose serialised answer {@link BodyMemo} keeps. */
const MEMO_ENTRIES = 256;

/**
 * The serialised answer of an all-cached watchlist, reused while the cache holds the very same entries.
 * An in-process cache hands out the stored objects themselves, so "every value is the same object as when
 * this body was serialised" means no key was rewritten, deleted or expired since: the body is exactly what
 * serialising again would give, and a hit skips building and serialising the answer. Only for the memory
 * cache (a Redis read returns fresh objects, which never match).
 */
class BodyMemo {
  private readonly entries = new Map<string, { keys: string[]; values: unknown[]; body: string }>();

  constructor(private readonly cache: Cache) {}

  /** The stored body for this query string, if every cached value is still the one it was built from. */
  async get(query: string): Promise<string | undefined> {
    const e = this.entries.get(query);
    if (!e) return undefined;
    const now = await this.cache.getMany(e.keys);
    for (let i = 0; i < now.length; i++) if (now[i] !== e.values[i]) return undefined;
    return e.body;
  }

  remember(query: string, keys: string[], values: unknown[], body: string): void {
    this.entries.delete(query);
    this.entries.set(query, { keys, values, body });
    if (this.entries.size > MEMO_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}

/** `GET /api/watchlist?symbols=BTC,ETH`: latest prices for a watchlist. */
export const watchlistRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const cache = deps.cache;
  const reader = readerOf(deps);
  const memo = cache instanceof MemoryCache ? new BodyMemo(cache) : undefined;
  app.get('/api/watchlist', { schema: contract.get }, async (req, reply) => {
    const query = req.query.symbols;
    if (memo && query) {
      const body = await memo.get(query);
      if (body !== undefined) return sendJsonText(reply, body);
    }
    let symbols = symbolList(query);
    if (symbols.length === 0) {
      symbols = (await listInstruments(reader, { active: true }))
        .filter((i) => i.assetClass !== 'economic')
        .map((i) => i.symbol);
    }
    if (symbols.length > MAX_WATCHLIST) {
      throw new ValidationError(`symbols: at most ${MAX_WATCHLIST} per request (got ${symbols.length})`);
    }
    const keys = symbols.map(cacheKeys.latestPrice);
    const hits = await cache.getMany<CachedPrice>(keys);
    const result = await watchlist(reader, cache, symbols, hits);
    const body = memo && query && hits.every((h) => h !== undefined) ? reply.serialize(result) : undefined;
    if (memo && query && typeof body === 'string') {
      memo.remember(query, keys, hits, body);
      return sendJsonText(reply, body);
    }
    return result;
  });
};
