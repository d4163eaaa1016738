import { publishAnalyticsAlerts, snapshotContagion } from '../analytics/alerts-service.ts';
import {
  computeBestPairs,
  computeCorrelations,
  computeVolatility,
  detectDepegEvents,
} from '../analytics/service.ts';
import type { ConfigStore } from '../config/store.ts';
import { ConfigError, describeError } from '../core/errors.ts';
import { DAY_MS, HOUR_MS, type NamedRange, toIsoDate } from '../core/time.ts';
import type { AssetClass, LoadSummary } from '../core/types.ts';
import { MODEL_CATALOG } from '../models/catalog.ts';
import { economicFeed } from '../pipeline/feeds/economic/service.ts';
import { eventsFeed } from '../pipeline/feeds/events/service.ts';
import type { Feed, FeedDeps } from '../pipeline/feeds/feed.ts';
import type { RecordLoadSummary } from '../pipeline/feeds/load-summary.ts';
import { newsFeed } from '../pipeline/feeds/news/service.ts';
import { supplyFeed } from '../pipeline/feeds/supply.ts';
import { runLatest } from '../pipeline/latest.ts';
import { type IngestOptions, runIngest } from '../pipeline/run.ts';
import { saveValidationReport, validateStore } from '../quality/validate.ts';
import { runReportJob } from '../reports/job.ts';
import { runDailyRisk } from '../risk/service.ts';
import { listInstruments } from '../store/repos/instruments.ts';
import { runCleanup } from './cleanup.ts';
import { type AnyJob, defineJob, type JobContext, type JobResult, type Registry } from './types.ts';

/**
 * The default jobs (schedules from the seed systems). Each handler calls the pipeline, analytics, risk or
 * quality services and is idempotent, so a retried or re-delivered run leaves the same data.
 */

/** Typed payload of every default job, by name. */
interface JobPayloads {
  depeg_backfill: { days: number };
  correlation_matrices: { windows: number[] };
  risk_report: { date: string };
  fx_correlations: { windows: number[]; best_pairs_window: number };
  historical_backfill: { range: NamedRange };
  cleanup: { archive_after_days: number };
  integrity_checks: { freshness: boolean };
  hourly_ohlc: { hours: number };
  equities_daily: Record<string, never>;
  equities_hourly: Record<string, never>;
  latest_prices: Record<string, never>;
  equities_weekly_backfill: { range: NamedRange };
  report_sod: { date: string };
  report_eod: { date: string };
  economic_daily: Record<string, never>;
  news_hourly: Record<string, never>;
  events_daily: Record<string, never>;
  supply_daily: Record<string, never>;
  models_weekly_retrain: { models: string[] };
}

const UTC = 'UTC';
const NY = 'America/New_York';
const EQUITY_CLASSES: readonly AssetClass[] = ['equity', 'etf'];

/** The reference time of a run: its tick, but never in the future (a simulated clock may run ahead). */
const alertDeps = async (ctx: JobContext) => ({
  config: await ctx.config(),
  pubsub: ctx.pubsub,
  cache: ctx.cache,
});
const refTime = (ctx: JobContext): number => Math.min(ctx.tick, Date.now());
const mockSource = (ctx: JobContext): string | undefined =>
  ctx.settings.useMockData ? 'synthetic' : undefined;

async function symbolsOf(ctx: JobContext, classes: readonly AssetClass[]): Promise<string[]> {
  const out: string[] = [];
  for (const assetClass of classes) {
    for (const i of await listInstruments(ctx.db, { assetClass, active: true })) out.push(i.symbol);
  }
  return out;
}

async function ingest(ctx: JobContext, symbols: string[], opts: Omit<IngestOptions, 'symbols'>) {
  // an empty list means "every instrument" to runIngest: a job with nothing to do must not fetch everything
  if (symbols.length === 0) return { records: 0, note: 'no active instruments of this kind' };
  const s = await runIngest(ctx.db, ctx.sources, {
    ...opts,
    symbols,
    source: mockSource(ctx),
    signal: ctx.signal,
    pubsub: ctx.pubsub,
  });
  return {
    records: s.stored,
    read: s.read,
    stored: s.stored,
    unchanged: s.unchanged,
    quarantined: s.quarantined,
    failed: s.failed,
    interval: s.interval,
    instruments: s.instruments.map((i) => ({ symbol: i.symbol, stored: i.stored, error: i.error })),
    ...skipWhenUnavailable(s.unavailable, s),
  };
}

/**
 * `{ skipped: reason }` when no item of a provider load could be asked for (every one lacked a configured
 * provider or could not reach it) and nothing was stored: the run did nothing through no fault of the data,
 * so it is recorded `skipped` rather than failed, and not retried.
 */
function skipWhenUnavailable(
  unavailable: number | undefined,
  s: Pick<LoadSummary, 'stored' | 'instruments'>,
): { skipped?: string } {
  const total = s.instruments.length;
  if (total === 0 || s.stored > 0 || unavailable !== total) return {};
  const first = s.instruments.find((i) => i.error);
  const example = first ? `${first.symbol}: ${first.error}` : '';
  return {
    skipped: `no provider configured or reachable for ${total} item${total === 1 ? '' : 's'}${example ? ` (e.g. ${example})` : ''}`,
  };
}

/** A feed's dependencies from a job's context: the runtime's store, settings and provider clients. */
function feedDeps(ctx: JobContext): FeedDeps {
  return { db: ctx.db, settings: ctx.settings, clients: ctx.feedClients, pubsub: ctx.pubsub };
}

/** Runs a provider load whose service refuses to start without a key (ConfigError): that is a skip. */
async function unlessUnconfigured(load: () => Promise<RecordLoadSummary>): Promise<JobResult> {
  try {
    return recordResult(await load());
  } catch (err) {
    if (err instanceof ConfigError) return { records: 0, skipped: describeError(err) };
    throw err;
  }
}

/** The handler of a job that runs `feed` with the job's dependencies and abort signal. */
function feedHandler(feed: Feed<{ signal?: AbortSignal }>): (ctx: JobContext) => Promise<JobResult> {
  return (ctx) => unlessUnconfigured(() => feed.ingest(feedDeps(ctx), { signal: ctx.signal }));
}

const jobs: AnyJob[] = [
  defineJob<JobPayloads['depeg_backfill']>({
    name: 'depeg_backfill',
    description: 'incremental depeg backfill: stablecoin hourly bars of the last 7 days, then depeg events',
    schedule: { cron: '0 2 * * *', timezone: UTC, window: 'always' },
    payload: () => ({ days: 7 }),
    handler: async (ctx, p) => {
      const now = refTime(ctx);
      const load = await ingest(ctx, await symbolsOf(ctx, ['stablecoin']), {
        mode: 'backfill',
        from: now - p.days * DAY_MS,
        to: now,
        interval: '1h',
      });
      if ('skipped' in load && load.skipped) return load;
      const depegs = await detectDepegEvents(ctx.db, { since: now - p.days * DAY_MS });
      return { ...load, records: load.records + depegs.written, depeg_events: depegs.events.length };
    },
  }),
  defineJob<JobPayloads['correlation_matrices']>({
    name: 'correlation_matrices',
    description: 'correlation matrices over 30, 90 and 365 days',
    schedule: { cron: '10 2 * * *', timezone: UTC, window: 'always' },
    payload: () => ({ windows: [30, 90, 365] }),
    handler: async (ctx, p) => {
      const before = await snapshotContagion(ctx.db);
      const r = await computeCorrelations(ctx.db, { windows: p.windows, asOf: refTime(ctx) });
      const alerts = await publishAnalyticsAlerts(ctx.db, await alertDeps(ctx), {
        before,
        windows: p.windows,
      });
      return {
        alerts: alerts.correlation.length + alerts.volatility.length,
        records: r.windows.reduce((a, w) => a + w.written, 0),
        windows: r.windows.map((w) => ({ window_days: w.window_days, pairs: w.pairs.length })),
        regime_changes: r.regime_changes.length,
        errors: r.errors.length,
      };
    },
  }),
  defineJob<JobPayloads['risk_report']>({
    name: 'risk_report',
    description: 'daily risk report (VaR, stress tests) written to $MARKETPIPE_HOME/reports',
    schedule: { cron: '20 2 * * *', timezone: UTC, window: 'always' },
    payload: (tick) => ({ date: toIsoDate(Math.min(tick, Date.now())) }),
    handler: async (ctx, p) => {
      const r = await runDailyRisk(ctx.db, {
        home: ctx.settings.home,
        date: p.date,
        config: await ctx.config(),
      });
      return { records: 1, date: p.date, files: r.files };
    },
  }),
  defineJob<JobPayloads['fx_correlations']>({
    name: 'fx_correlations',
    description: 'FX correlation matrices and best pairs',
    schedule: { cron: '0 0 * * *', timezone: UTC, window: 'always' },
    payload: () => ({ windows: [30, 90], best_pairs_window: 90 }),
    handler: async (ctx, p) => {
      const assets = await symbolsOf(ctx, ['fx']);
      if (assets.length < 2) return { records: 0, note: 'fewer than two FX instruments' };
      const corr = await computeCorrelations(ctx.db, { windows: p.windows, assets, asOf: refTime(ctx) });
      const pairs = await computeBestPairs(ctx.db, { windowDays: p.best_pairs_window });
      return {
        records: corr.windows.reduce((a, w) => a + w.written, 0) + pairs.written,
        best_pairs: pairs.pairs.length,
      };
    },
  }),
  defineJob<JobPayloads['historical_backfill']>({
    name: 'historical_backfill',
    description: 'full historical backfill of daily bars (only the missing spans)',
    schedule: { cron: '0 3 * * 0', timezone: UTC, window: 'always' },
    timeoutMs: 3 * 3_600_000,
    payload: () => ({ range: '5Y' }),
    handler: async (ctx, p) =>
      ingest(ctx, await symbolsOf(ctx, ['crypto', 'stablecoin', 'fx', 'index']), {
        mode: 'historical',
        range: p.range,
      }),
  }),
  defineJob<JobPayloads['cleanup']>({
    name: 'cleanup',
    description: 'archive history older than 2 years, dedup quarantine, VACUUM ANALYZE, refresh views',
    schedule: { cron: '0 4 * * 0', timezone: UTC, window: 'always' },
    payload: () => ({ archive_after_days: 730 }),
    handler: async (ctx, p) => ({
      ...(await runCleanup(ctx.db, { now: refTime(ctx), archiveAfterDays: p.archive_after_days })),
    }),
  }),
  defineJob<JobPayloads['integrity_checks']>({
    name: 'integrity_checks',
    description: 'the quality gate over the whole store (report kept in ops.validation_reports)',
    schedule: { cron: '30 4 * * 0', timezone: UTC, window: 'always' },
    payload: () => ({ freshness: true }),
    handler: async (ctx, p) => {
      const report = await validateStore(ctx.db, { now: refTime(ctx), freshness: p.freshness });
      const id = await saveValidationReport(ctx.db, report);
      return {
        records: report.total_checks,
        report_id: id,
        overall_valid: report.overall_valid,
        failed: report.failed,
      };
    },
  }),
  defineJob<JobPayloads['hourly_ohlc']>({
    name: 'hourly_ohlc',
    description: 'hourly OHLC of the last 2 hours (crypto, stablecoins, FX) and volatility metrics',
    schedule: { cron: '0 * * * *', timezone: UTC, window: 'always' },
    timeoutMs: 15 * 60_000,
    payload: () => ({ hours: 2 }),
    handler: async (ctx, p) => {
      const now = refTime(ctx);
      const symbols = await symbolsOf(ctx, ['crypto', 'stablecoin', 'fx']);
      const load = await ingest(ctx, symbols, {
        mode: 'backfill',
        from: now - p.hours * HOUR_MS,
        to: now,
        interval: '1h',
      });
      if ('skipped' in load && load.skipped) return load;
      // volatility only where hourly bars moved: unchanged bars give unchanged metrics, and `records` counts
      // rows this run wrote (stored bars + metric rows), never the history it re-read
      const moved =
        'instruments' in load ? load.instruments.filter((i) => i.stored > 0).map((i) => i.symbol) : [];
      const vol = moved.length ? await computeVolatility(ctx.db, { symbols: moved, interval: '1h' }) : null;
      const written = vol?.instruments.reduce((a, i) => a + i.written, 0) ?? 0;
      if (vol) await publishAnalyticsAlerts(ctx.db, await alertDeps(ctx), { interval: '1h', windows: [] });
      return { ...load, records: load.records + written, volatility_rows: written };
    },
  }),
  defineJob<JobPayloads['equities_daily']>({
    name: 'equities_daily',
    description: 'equities and ETFs: daily bars after the close (NYSE trading days)',
    schedule: { cron: '30 16 * * 1-5', timezone: NY, window: 'nyse_day' },
    payload: () => ({}),
    handler: async (ctx) => ingest(ctx, await symbolsOf(ctx, EQUITY_CLASSES), { mode: 'daily' }),
  }),
  defineJob<JobPayloads['equities_hourly']>({
    name: 'equities_hourly',
    description: 'equities and ETFs: hourly bars, on the hour in market hours (10:00–16:00 ET)',
    schedule: { cron: '0 10-16 * * 1-5', timezone: NY, window: 'nyse_session' },
    timeoutMs: 15 * 60_000,
    payload: () => ({}),
    handler: async (ctx) => ingest(ctx, await symbolsOf(ctx, EQUITY_CLASSES), { mode: 'hourly' }),
  }),
  defineJob<JobPayloads['latest_prices']>({
    name: 'latest_prices',
    description: 'equities and ETFs: latest prices every minute while the NYSE is open',
    schedule: { cron: '* 9-16 * * 1-5', timezone: NY, window: 'nyse_session' },
    timeoutMs: 50_000,
    maxRetries: 0,
    alertOnFailure: false,
    payload: () => ({}),
    handler: async (ctx) => {
      const symbols = await symbolsOf(ctx, EQUITY_CLASSES);
      if (symbols.length === 0) return { records: 0 };
      const s = await runLatest(ctx.db, ctx.sources, {
        symbols,
        source: mockSource(ctx),
        cache: ctx.cache,
        pubsub: ctx.pubsub,
        signal: ctx.signal,
      });
      return {
        records: s.stored,
        stored: s.stored,
        failed: s.failed,
        ...skipWhenUnavailable(s.unavailable, s),
      };
    },
  }),
  defineJob<JobPayloads['equities_weekly_backfill']>({
    name: 'equities_weekly_backfill',
    description: 'equities and ETFs: weekly MAX backfill of daily bars (only the missing spans)',
    schedule: { cron: '0 2 * * 0', timezone: NY, window: 'always' },
    timeoutMs: 3 * 3_600_000,
    payload: () => ({ range: 'MAX' }),
    handler: async (ctx, p) =>
      ingest(ctx, await symbolsOf(ctx, EQUITY_CLASSES), { mode: 'historical', range: p.range }),
  }),
  defineJob<JobPayloads['report_sod']>({
    name: 'report_sod',
    description: 'start-of-day report (HTML + PDF; emailed when SMTP_URL and REPORT_RECIPIENTS are set)',
    schedule: { cron: '30 6 * * 1-5', timezone: NY, window: 'always' },
    payload: (tick) => ({ date: toIsoDate(Math.min(tick, Date.now())) }),
    handler: async (ctx, p) => runReportJob(ctx.db, ctx.settings, 'sod', p.date),
  }),
  defineJob<JobPayloads['report_eod']>({
    name: 'report_eod',
    description: 'end-of-day report after the US close (HTML + PDF; emailed when SMTP is configured)',
    schedule: { cron: '30 17 * * 1-5', timezone: NY, window: 'always' },
    payload: (tick) => ({ date: toIsoDate(Math.min(tick, Date.now())) }),
    handler: async (ctx, p) => runReportJob(ctx.db, ctx.settings, 'eod', p.date),
  }),
  defineJob<JobPayloads['economic_daily']>({
    name: 'economic_daily',
    description: 'economic indicators (FRED): new observations and revisions, release calendar',
    schedule: { cron: '0 18 * * *', timezone: NY, window: 'always' },
    timeoutMs: 30 * 60_000,
    payload: () => ({}),
    handler: feedHandler(economicFeed),
  }),
  defineJob<JobPayloads['news_hourly']>({
    name: 'news_hourly',
    description: 'news and sentiment (NewsAPI, AlphaVantage) since the news watermark',
    schedule: { cron: '5 * * * *', timezone: UTC, window: 'always' },
    timeoutMs: 20 * 60_000,
    payload: () => ({}),
    handler: feedHandler(newsFeed),
  }),
  defineJob<JobPayloads['events_daily']>({
    name: 'events_daily',
    description: 'dividends and splits (Polygon reference) and the earnings calendar (AlphaVantage)',
    schedule: { cron: '0 6 * * *', timezone: NY, window: 'always' },
    timeoutMs: 60 * 60_000,
    payload: () => ({}),
    handler: feedHandler(eventsFeed),
  }),
  defineJob<JobPayloads['supply_daily']>({
    name: 'supply_daily',
    description: 'stablecoin circulating supply (DefiLlama): total and per chain, supply-drop alerts',
    schedule: { cron: '15 0 * * *', timezone: UTC, window: 'always' },
    timeoutMs: 20 * 60_000,
    payload: () => ({}),
    handler: async (ctx) => {
      const config = await ctx.config();
      return unlessUnconfigured(() => supplyFeed.ingest({ ...feedDeps(ctx), config }));
    },
  }),
  defineJob<JobPayloads['models_weekly_retrain']>({
    name: 'models_weekly_retrain',
    description:
      'predictive models: weekly walk-forward retrain; a new version is activated only if it beats its baseline and the active version',
    schedule: { cron: '0 3 * * 0', timezone: UTC, window: 'always' },
    timeoutMs: 60 * 60_000,
    payload: () => ({ models: Object.keys(MODEL_CATALOG) }),
    handler: async (ctx, p) => {
      const { retrainModels } = await import('../models/service.ts');
      return retrainModels(ctx.db, p.models);
    },
  }),
];

/** A run summary of the economic/news/events loads as a job result. */
function recordResult(s: RecordLoadSummary) {
  return {
    records: s.stored,
    read: s.read,
    stored: s.stored,
    unchanged: s.unchanged,
    quarantined: s.quarantined,
    failed: s.failed,
    ...skipWhenUnavailable(s.unavailable, s),
  };
}

/** The default registry, by name. */
export const DEFAULT_JOBS: Registry = new Map(jobs.map((j) => [j.name, j]));

/**
 * Whether the scheduler runs `def`: config `schedules.<name>.enabled` (a boolean), else the job's default.
 * Manual runs ignore it.
 */
export function isEnabled(def: AnyJob, cfg: Pick<ConfigStore, 'find'>): boolean {
  const v = cfg.find('schedules', `${def.name}.enabled`)?.value;
  return typeof v === 'boolean' ? v : def.enabledByDefault;
}
