/**
 * News ingestion: per instrument, NewsAPI articles found by its keywords and Alpha Vantage articles with
 * per-ticker sentiment, since the news watermark (minus an hour) or `since`. Articles without a provider
 * score for the instrument get our lexicon score (lexicon.ts). Deduplicated on store (repo.ts).
 */
import { ConfigError } from '../../../core/errors.ts';
import type { NewsItem } from '../../../core/news.ts';
import { DAY_MS, HOUR_MS } from '../../../core/time.ts';
import type { AssetClass, Instrument } from '../../../core/types.ts';
import type { Settings } from '../../../settings.ts';
import type { AlphaVantageClient } from '../../../sources/alphavantage/client.ts';
import type { NewsApiClient } from '../../../sources/newsapi/client.ts';
import type { Db } from '../../../store/db.ts';
import { listInstruments } from '../../../store/repos/instruments.ts';
import { storeNews } from '../../../store/repos/news.ts';
import { readWatermark, recordWatermark } from '../../watermarks.ts';
import { type Feed, type FeedClients, feedClients } from '../feed.ts';
import { type ItemOutcome, type RecordLoadSummary, summarize } from '../load-summary.ts';
import { quarantineRecords } from '../quarantine-records.ts';
import { withLexicon } from './lexicon.ts';
import { loadNewsSamples } from './samples.ts';
import { validateNews } from './validate.ts';

/** Asset classes searched when no symbols are given. */
const NEWS_ASSET_CLASSES: readonly AssetClass[] = ['equity', 'etf', 'crypto', 'stablecoin'];
/** A first run (no watermark) reads this far back; NewsAPI's developer plan keeps a month. */
const FIRST_RUN_DAYS = 7;
const FULL_DAYS = 30;

export interface NewsIngestOptions {
  symbols?: readonly string[];
  /** UTC ms; overrides the watermark. */
  since?: number;
  /** Read the last 30 days whatever the watermark. @defaultValue false */
  full?: boolean;
  /** Clients to use instead of the runtime's (tests); either one given skips the USE_MOCK_DATA samples. */
  newsapi?: NewsApiClient;
  alphavantage?: AlphaVantageClient;
  /** The runtime's provider clients. */
  clients?: () => Promise<FeedClients>;
  /** @defaultValue Date.now() */
  now?: number;
  signal?: AbortSignal;
}

/** NewsAPI query for an instrument: its name without the legal suffix, or its ticker. */
function newsKeywords(instrument: Pick<Instrument, 'symbol' | 'name'>): string {
  const name = instrument.name
    .replace(/[,.]?\s+(inc|corp|corporation|ltd|plc|co|company|holdings|group)\.?$/i, '')
    .trim();
  return name && name.toUpperCase() !== instrument.symbol.toUpperCase()
    ? `"${name}" OR ${instrument.symbol}`
    : instrument.symbol;
}

/** Alpha Vantage's ticker for an instrument (`CRYPTO:BTC` for coins), undefined where it has none. */
function alphaVantageTicker(instrument: Instrument): string | undefined {
  const mapped = instrument.sources?.alphavantage;
  if (mapped) return mapped;
  if (instrument.assetClass === 'equity' || instrument.assetClass === 'etf') return instrument.symbol;
  if (instrument.assetClass === 'crypto' || instrument.assetClass === 'stablecoin')
    return `CRYPTO:${instrument.symbol}`;
  return undefined;
}

export async function ingestNews(
  db: Db,
  settings: Settings,
  opts: NewsIngestOptions = {},
): Promise<RecordLoadSummary> {
  const started = Date.now();
  const mode = opts.full ? 'full' : 'incremental';
  const injected = opts.newsapi !== undefined || opts.alphavantage !== undefined;
  if (!injected && settings.useMockData) return { ...(await loadNewsSamples(db)), mode };
  const given = injected ? undefined : await feedClients(opts.clients);
  const newsapi = given ? given.newsapi : opts.newsapi;
  const av = given ? given.alphavantage : opts.alphavantage;
  const clients = { newsapi: newsapi?.configured ? newsapi : undefined, av: av?.configured ? av : undefined };
  if (!clients.newsapi && !clients.av) {
    throw new ConfigError(
      'neither NEWSAPI_API_KEY nor ALPHAVANTAGE_API_KEY is set (or set USE_MOCK_DATA=true for samples)',
    );
  }
  const now = opts.now ?? Date.now();
  const instruments =
    opts.symbols && opts.symbols.length > 0
      ? await listInstruments(db, { symbols: opts.symbols })
      : (await listInstruments(db, { active: true })).filter((i) =>
          NEWS_ASSET_CLASSES.includes(i.assetClass),
        );
  const items: ItemOutcome[] = [];
  for (const missing of (opts.symbols ?? []).filter((s) => !instruments.some((i) => i.symbol === s))) {
    items.push({
      symbol: missing,
      read: 0,
      stored: 0,
      unchanged: 0,
      quarantined: 0,
      error: new Error(`unknown instrument "${missing}"`),
    });
  }
  for (const instrument of instruments) {
    opts.signal?.throwIfAborted();
    const item: ItemOutcome = { symbol: instrument.symbol, read: 0, stored: 0, unchanged: 0, quarantined: 0 };
    items.push(item);
    const errors: string[] = [];
    const ticker = alphaVantageTicker(instrument);
    const feeds: Array<{ provider: string; fetch: (since: number) => Promise<NewsItem[]> }> = [];
    const { newsapi: na, av: alpha } = clients;
    if (na)
      feeds.push({
        provider: 'newsapi',
        fetch: (since) => na.everything({ q: newsKeywords(instrument), from: since, signal: opts.signal }),
      });
    if (alpha && ticker) {
      feeds.push({
        provider: 'alphavantage',
        fetch: (since) =>
          alpha.newsSentiment([ticker], (t) => (t === ticker ? instrument.symbol : undefined), {
            since,
            signal: opts.signal,
          }),
      });
    }
    for (const { provider, fetch } of feeds) {
      try {
        const mark = await readWatermark(db, instrument.symbol, 'news', provider);
        const since =
          opts.since ??
          (opts.full || mark === null
            ? now - (opts.full ? FULL_DAYS : FIRST_RUN_DAYS) * DAY_MS
            : mark - HOUR_MS);
        const fetched = withLexicon(await fetch(since), instrument.symbol);
        item.read += fetched.length;
        const { accepted, rejected } = validateNews(fetched, now, instrument.symbol);
        item.quarantined += await quarantineRecords(db, rejected, provider);
        const stored = await storeNews(db, accepted);
        item.stored += stored.stored;
        item.unchanged += stored.unchanged;
        const newest = Math.max(...accepted.map((a) => a.article.publishedAt));
        if (Number.isFinite(newest)) await recordWatermark(db, instrument.symbol, 'news', provider, newest);
      } catch (err) {
        errors.push((err as Error).message);
        if (item.error === undefined) item.error = err;
      }
    }
    if (errors.length > 1) item.error = new Error(errors.join('; '));
  }
  return summarize(mode, started, items);
}

/** NewsAPI and Alpha Vantage news through the runtime's clients. */
export const newsFeed: Feed<NewsIngestOptions> = {
  name: 'news',
  ingest: ({ db, settings, clients }, opts = {}) => ingestNews(db, settings, { ...opts, clients }),
};
