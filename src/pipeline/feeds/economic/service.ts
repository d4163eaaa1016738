/**
 * Economic ingestion: for each FRED series, metadata, every vintage of the observations since the
 * watermark (minus a year, the window in which statistical agencies revise), release dates, and the
 * economic events derived from first releases. Idempotent: a re-run stores nothing new.
 */
import { ConfigError } from '../../../core/errors.ts';
import { DAY_MS, toIsoDate } from '../../../core/time.ts';
import type { Settings } from '../../../settings.ts';
import type { FredClient } from '../../../sources/fred/client.ts';
import type { Db, Queryable } from '../../../store/db.ts';
import {
  lastObservationDate,
  upsertObservations,
  upsertReleaseDates,
  upsertSeries,
} from '../../../store/repos/economic.ts';
import { deriveEconomicEvents } from '../../../store/repos/events.ts';
import { getInstrument, listInstruments } from '../../../store/repos/instruments.ts';
import { recordWatermark } from '../../watermarks.ts';
import { type Feed, type FeedClients, feedClients } from '../feed.ts';
import { type ItemOutcome, type RecordLoadSummary, summarize } from '../load-summary.ts';
import { dateMs, quarantineRecords } from '../quarantine-records.ts';
import { loadEconomicSamples } from './samples.ts';
import { validateObservations } from './validate.ts';

/** The 15 indicators of the default universe. */
const DEFAULT_FRED_SERIES = [
  'GDP',
  'CPIAUCSL',
  'UNRATE',
  'FEDFUNDS',
  'DGS10',
  'DGS2',
  'T10Y2Y',
  'VIXCLS',
  'DTWEXBGS',
  'M2SL',
  'PAYEMS',
  'INDPRO',
  'UMCSENT',
  'HOUST',
  'PCEPI',
] as const;

/** FRED's widest realtime window: every vintage ever published. */
const ALL_VINTAGES = { realtimeStart: '1776-07-04', realtimeEnd: '9999-12-31' } as const;
/** Incremental runs re-read the last year of observations: revisions land there. */
const REVISION_OVERLAP_DAYS = 366;

export interface EconomicIngestOptions {
  /** Our symbols or FRED ids. @defaultValue every active `economic` instrument with a FRED id */
  series?: readonly string[];
  /** First observation date (YYYY-MM-DD); overrides the watermark. */
  since?: string;
  /** Everything from the first observation, ignoring the watermark. @defaultValue false */
  full?: boolean;
  /** Also load release dates. @defaultValue true */
  releases?: boolean;
  /** The connector (tests inject one on a loopback server). @defaultValue built from settings */
  /** A client to use instead of the runtime's (tests); given, it skips the USE_MOCK_DATA samples. */
  client?: FredClient;
  /** The runtime's provider clients. */
  clients?: () => Promise<FeedClients>;
  /** @defaultValue Date.now() */
  now?: number;
  signal?: AbortSignal;
}

interface Target {
  symbol: string;
  fredId: string;
}

async function targets(db: Queryable, wanted: readonly string[] | undefined): Promise<Target[]> {
  if (wanted !== undefined && wanted.length > 0) {
    const out: Target[] = [];
    for (const s of wanted) {
      const inst = await getInstrument(db, s);
      out.push({ symbol: inst?.symbol ?? s.toUpperCase(), fredId: inst?.sources?.fred ?? s.toUpperCase() });
    }
    return out;
  }
  const stored = (await listInstruments(db, { assetClass: 'economic', active: true }))
    .filter((i) => i.sources?.fred)
    .map((i) => ({ symbol: i.symbol, fredId: i.sources?.fred ?? i.symbol }));
  return stored.length > 0 ? stored : DEFAULT_FRED_SERIES.map((s) => ({ symbol: s, fredId: s }));
}

/**
 * `ingest economic`: loads FRED series into `economic_data`. Under USE_MOCK_DATA it loads the shipped
 * samples instead (offline). Per-series failures are reported in the summary, not thrown.
 */
export async function ingestEconomic(
  db: Db,
  settings: Settings,
  opts: EconomicIngestOptions = {},
): Promise<RecordLoadSummary> {
  const started = Date.now();
  const mode = opts.full ? 'full' : 'incremental';
  if (opts.client === undefined && settings.useMockData) {
    const samples = await loadEconomicSamples(db, { series: opts.series });
    return { ...samples, mode };
  }
  const client = opts.client ?? (await feedClients(opts.clients)).fred;
  if (!client.configured)
    throw new ConfigError('FRED_API_KEY is not set (or set USE_MOCK_DATA=true for samples)');
  const now = opts.now ?? Date.now();
  const items: ItemOutcome[] = [];
  for (const target of await targets(db, opts.series)) {
    opts.signal?.throwIfAborted();
    const item: ItemOutcome = { symbol: target.symbol, read: 0, stored: 0, unchanged: 0, quarantined: 0 };
    items.push(item);
    try {
      await loadSeries(db, client, target, item, opts, now);
    } catch (err) {
      item.error = err;
    }
  }
  return summarize(mode, started, items);
}

async function loadSeries(
  db: Db,
  client: FredClient,
  target: Target,
  item: ItemOutcome,
  opts: EconomicIngestOptions,
  now: number,
): Promise<void> {
  const meta = await client.series(target.fredId, opts.signal);
  await upsertSeries(db, [{ ...meta, id: target.fredId }]);
  let start = opts.since;
  if (start === undefined && !opts.full) {
    const last = await lastObservationDate(db, target.fredId);
    if (last !== null) start = toIsoDate(dateMs(last) - REVISION_OVERLAP_DAYS * DAY_MS);
  }
  let newest: string | null = null;
  for await (const page of client.observations(target.fredId, {
    ...ALL_VINTAGES,
    observationStart: start,
    signal: opts.signal,
  })) {
    item.read += page.length;
    const { accepted, rejected } = validateObservations(page);
    item.quarantined += await quarantineRecords(db, rejected, 'fred');
    const counts = await upsertObservations(db, accepted);
    item.stored += counts.stored;
    item.unchanged += counts.unchanged;
    for (const o of accepted) if (newest === null || o.date > newest) newest = o.date;
  }
  if (opts.releases ?? true) {
    const since = toIsoDate(now - REVISION_OVERLAP_DAYS * DAY_MS);
    await upsertReleaseDates(db, await client.releaseDates(target.fredId, since, opts.signal));
  }
  await deriveEconomicEvents(db, target.fredId);
  if (newest !== null) await recordWatermark(db, target.symbol, 'economic', 'fred', dateMs(newest));
}

/** FRED series through the runtime's client. */
export const economicFeed: Feed<EconomicIngestOptions> = {
  name: 'economic',
  ingest: ({ db, settings, clients }, opts = {}) => ingestEconomic(db, settings, { ...opts, clients }),
};
