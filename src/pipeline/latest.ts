import { CACHE_TTL_SECONDS, type Cache, cacheKeys, type PubSub } from '../cache/index.ts';
import type { PricePoint } from '../core/types.ts';
import { storedPriceContext } from '../quality/context.ts';
import { checkPrices } from '../quality/gate.ts';
import {
  agreeingPending,
  recentQuarantinedPrices,
  releaseCorroborated,
} from '../quality/pending-corroboration.ts';
import { quarantineRows } from '../quality/quarantine.ts';
import { loadThresholds } from '../quality/thresholds-config.ts';
import { describeProviderError } from '../sources/errors.ts';
import { sourcesFor } from '../sources/source.ts';
import type { Source } from '../sources/types.ts';
import type { Db } from '../store/db.ts';
import { type InstrumentRow, listInstruments } from '../store/repos/instruments.ts';
import { upsertPrices } from '../store/repos/prices.ts';
import { isUnreachable, unconfigured } from './availability.ts';

export interface LatestOptions {
  symbols?: readonly string[];
  source?: string;
  cache?: Cache;
  pubsub?: PubSub;
  now?: number;
  signal?: AbortSignal;
}

export interface LatestSummary {
  requested: number;
  read: number;
  stored: number;
  unchanged: number;
  quarantined: number;
  /** Quarantined points a new point confirmed (a lasting move beyond the bounds), now stored. */
  released: number;
  failed: number;
  /** Instruments no provider could be asked for: none configured (no API key) or none reachable. */
  unavailable: number;
  duration_ms: number;
  prices: Array<{ symbol: string; price: number; ts: string; source: string }>;
  instruments: Array<{ symbol: string; stored: number; quarantined: number; error?: string }>;
}

/** The cached form of a latest price (`latest_price:{symbol}`, 60 s). */
export interface CachedPrice {
  symbol: string;
  price: number;
  ts: string;
  source: string;
}

/**
 * `ingest latest`: the newest price of each instrument from the first source that answers, through the
 * quality gate into `market_data.prices`, the cache (`latest_price:{symbol}`) and the `price_updates`
 * channel; then one `data_ready` message.
 */
export async function runLatest(
  db: Db,
  sources: Readonly<Record<string, Source>>,
  options: LatestOptions = {},
): Promise<LatestSummary> {
  const started = Date.now();
  const now = options.now ?? Date.now();
  const instruments = (
    await listInstruments(db, options.symbols?.length ? { symbols: options.symbols } : { active: true })
  ).filter((i) => i.assetClass !== 'economic');
  const pending = new Map(instruments.map((i) => [i.symbol, i]));
  const errors = new Map<string, string[]>();
  // symbols a provider answered for with something other than "cannot reach / no key" (see availability.ts)
  const answered = new Set<string>();
  const got: PricePoint[] = [];

  // Try each instrument's sources in order: group the still-missing instruments by their next source.
  for (let round = 0; round < 4 && pending.size > 0; round++) {
    const groups = new Map<Source, InstrumentRow[]>();
    for (const inst of pending.values()) {
      const source = sourcesFor(sources, inst, { only: options.source })[round];
      if (!source) continue;
      const list = groups.get(source) ?? [];
      list.push(inst);
      groups.set(source, list);
    }
    if (groups.size === 0) break;
    for (const [source, list] of groups) {
      try {
        const res = await source.fetchLatest(list, { signal: options.signal });
        for (const p of res.items) {
          got.push(p);
          pending.delete(p.symbol);
        }
        for (const e of res.errors) {
          if (!isUnreachable(e.error)) answered.add(e.symbol);
          errors.set(e.symbol, [
            ...(errors.get(e.symbol) ?? []),
            describeProviderError(source.name, e.error),
          ]);
        }
      } catch (err) {
        for (const inst of list) {
          if (!isUnreachable(err)) answered.add(inst.symbol);
          errors.set(inst.symbol, [
            ...(errors.get(inst.symbol) ?? []),
            describeProviderError(source.name, err),
          ]);
        }
      }
    }
  }

  const perSymbol = new Map<string, { stored: number; quarantined: number; error?: string }>();
  let unavailable = 0;
  let stored = 0;
  let unchanged = 0;
  let quarantined = 0;
  let released = 0;
  const accepted: PricePoint[] = [];
  const thresholds = await loadThresholds(db);
  const bySymbol = new Map<string, PricePoint[]>();
  for (const p of got) bySymbol.set(p.symbol, [...(bySymbol.get(p.symbol) ?? []), p]);
  for (const inst of instruments) {
    const points = bySymbol.get(inst.symbol) ?? [];
    if (points.length === 0) {
      const tried = errors.get(inst.symbol);
      const missing = tried ? [] : unconfigured(sources, inst, undefined, options.source);
      if (tried ? !answered.has(inst.symbol) : missing.length > 0) unavailable++;
      perSymbol.set(inst.symbol, {
        stored: 0,
        quarantined: 0,
        error:
          tried?.join('; ') ??
          (missing.length
            ? `no configured source carries it (${missing.join(', ')}: no API key; or set USE_MOCK_DATA=true)`
            : 'no source carries it'),
      });
      continue;
    }
    const instrument = {
      symbol: inst.symbol,
      assetClass: inst.assetClass,
      pegTarget: inst.pegTarget ?? null,
    };
    const context = await storedPriceContext(db, inst.symbol, points, thresholds);
    // Recent quarantined points count as observations: the second point of a lasting move beyond the
    // bounds is then not alone (see quality/pending-corroboration.ts).
    const held = await recentQuarantinedPrices(db, inst.symbol, points, context, thresholds);
    const gate = checkPrices(points, {
      instrument,
      mode: 'incremental',
      now,
      thresholds,
      stored: held.length ? [...context, ...held.map((h) => h.row)] : context,
    });
    if (gate.rejected.length) await quarantineRows(db, gate.rejected, points[0]?.source ?? 'latest');
    const res = await upsertPrices(db, gate.accepted);
    const agreeing = agreeingPending(held, gate.accepted, instrument, thresholds);
    released += (await releaseCorroborated(db, agreeing, { now, thresholds })).length;
    stored += res.stored;
    unchanged += res.unchanged + gate.unchanged.length;
    quarantined += gate.rejected.length;
    accepted.push(...gate.accepted);
    perSymbol.set(inst.symbol, { stored: res.stored, quarantined: gate.rejected.length });
  }

  const prices = accepted.map((p) => ({
    symbol: p.symbol,
    price: p.price,
    ts: new Date(p.ts).toISOString(),
    source: p.source,
  }));
  for (const p of prices) {
    await options.cache?.set(
      cacheKeys.latestPrice(p.symbol),
      p satisfies CachedPrice,
      CACHE_TTL_SECONDS.latestPrice,
    );
    await options.pubsub?.publish('price_updates', { type: 'price', ...p });
  }
  await options.pubsub?.publish('data_ready', {
    type: 'latest',
    symbols: prices.map((p) => p.symbol),
    rows: stored,
  });

  const failed = [...perSymbol.values()].filter((v) => v.error).length;
  return {
    requested: instruments.length,
    read: got.length,
    stored,
    unchanged,
    quarantined,
    released,
    failed,
    unavailable,
    duration_ms: Date.now() - started,
    prices,
    instruments: [...perSymbol.entries()].map(([symbol, v]) => ({ symbol, ...v })),
  };
}
