/**
 * Events ingestion: dividends and splits from Polygon's reference endpoints, upcoming earnings from Alpha
 * Vantage's EARNINGS_CALENDAR (one request for the whole market, filtered to our instruments). Economic
 * events come with the FRED load (events/repo.ts deriveEconomicEvents) and CSV imports.
 */
import { ConfigError } from '../../../core/errors.ts';
import type { AssetClass, Instrument } from '../../../core/types.ts';
import type { Settings } from '../../../settings.ts';
import type { AlphaVantageClient } from '../../../sources/alphavantage/client.ts';
import type { PolygonReferenceClient } from '../../../sources/polygon/reference.ts';
import type { Db } from '../../../store/db.ts';
import { upsertDividends, upsertEarnings, upsertSplits } from '../../../store/repos/events.ts';
import { listInstruments } from '../../../store/repos/instruments.ts';
import { recordWatermark } from '../../watermarks.ts';
import { type Feed, type FeedClients, feedClients } from '../feed.ts';
import { type ItemOutcome, type RecordLoadSummary, summarize } from '../load-summary.ts';
import { dateMs } from '../quarantine-records.ts';
import { outcome, storeScreened } from './csv-import.ts';
import { loadEventSamples } from './samples.ts';
import { dividendProblem, earningsProblem, screen, splitProblem } from './validate.ts';

/** Corporate actions exist for listed shares and funds. */
const EVENT_ASSET_CLASSES: readonly AssetClass[] = ['equity', 'etf'];

export interface EventsIngestOptions {
  symbols?: readonly string[];
  /** Clients to use instead of the runtime's (tests); either one given skips the USE_MOCK_DATA samples. */
  polygon?: PolygonReferenceClient;
  alphavantage?: AlphaVantageClient;
  /** The runtime's provider clients. */
  clients?: () => Promise<FeedClients>;
  /** Read everything again (the reference endpoints are read in full either way). @defaultValue false */
  full?: boolean;
  signal?: AbortSignal;
}

export async function ingestEvents(
  db: Db,
  settings: Settings,
  opts: EventsIngestOptions = {},
): Promise<RecordLoadSummary> {
  const started = Date.now();
  const mode = opts.full ? 'full' : 'incremental';
  const injected = opts.polygon !== undefined || opts.alphavantage !== undefined;
  if (!injected && settings.useMockData) return { ...(await loadEventSamples(db)), mode };
  const given = injected ? undefined : await feedClients(opts.clients);
  const polygon = given ? given.polygonReference : opts.polygon;
  const av = given ? given.alphavantage : opts.alphavantage;
  const usePolygon = polygon?.configured ? polygon : undefined;
  const useAv = av?.configured ? av : undefined;
  if (!usePolygon && !useAv)
    throw new ConfigError(
      'neither POLYGON_API_KEY nor ALPHAVANTAGE_API_KEY is set (or set USE_MOCK_DATA=true for samples)',
    );
  const instruments: Instrument[] =
    opts.symbols && opts.symbols.length > 0
      ? await listInstruments(db, { symbols: opts.symbols })
      : (await listInstruments(db, { active: true })).filter((i) =>
          EVENT_ASSET_CLASSES.includes(i.assetClass),
        );
  const per = new Map<string, ItemOutcome>();
  for (const missing of (opts.symbols ?? []).filter((s) => !instruments.some((i) => i.symbol === s))) {
    outcome(per, missing).error = new Error(`unknown instrument "${missing}"`);
  }
  for (const i of instruments) outcome(per, i.symbol);
  if (usePolygon) {
    for (const instrument of instruments) {
      opts.signal?.throwIfAborted();
      const ticker = instrument.sources?.polygon ?? instrument.symbol;
      try {
        const dividends = await usePolygon.dividends(ticker, instrument.symbol, opts.signal);
        await storeScreened(
          db,
          per,
          dividends,
          (r) => screen(r, dividendProblem, 'events:dividend', (x) => x.exDate),
          upsertDividends,
          'polygon',
        );
        const splits = await usePolygon.splits(ticker, instrument.symbol, opts.signal);
        await storeScreened(
          db,
          per,
          splits,
          (r) => screen(r, splitProblem, 'events:split', (x) => x.exDate),
          upsertSplits,
          'polygon',
        );
        const newest = [...dividends.map((d) => d.exDate), ...splits.map((s) => s.exDate)].sort().at(-1);
        if (newest !== undefined)
          await recordWatermark(db, instrument.symbol, 'events', 'polygon', dateMs(newest));
      } catch (err) {
        outcome(per, instrument.symbol).error = err;
      }
    }
  }
  if (useAv && instruments.length > 0) {
    const bySymbol = new Map(instruments.map((i) => [i.sources?.alphavantage ?? i.symbol, i.symbol]));
    try {
      const earnings = await useAv.earningsCalendar((t) => bySymbol.get(t), {
        ticker: instruments.length === 1 ? [...bySymbol.keys()][0] : undefined,
        signal: opts.signal,
      });
      await storeScreened(
        db,
        per,
        earnings,
        (r) => screen(r, earningsProblem, 'events:earnings', (x) => x.reportDate),
        upsertEarnings,
        'alphavantage',
      );
    } catch (err) {
      // one request for every instrument: its failure is every instrument's
      for (const i of instruments) outcome(per, i.symbol).error ??= err;
    }
  }
  return summarize(mode, started, [...per.values()]);
}

/** Polygon reference data and Alpha Vantage earnings through the runtime's clients. */
export const eventsFeed: Feed<EventsIngestOptions> = {
  name: 'events',
  ingest: ({ db, settings, clients }, opts = {}) => ingestEvents(db, settings, { ...opts, clients }),
};
