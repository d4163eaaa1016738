import type { PubSub } from '../cache/cache.ts';
import { expectedBarTimes } from '../core/calendar.ts';
import { describeError, NotFoundError } from '../core/errors.ts';
import type { NamedRange } from '../core/time.ts';
import type { Interval, LoadSummary, StoredBar, TimeRange } from '../core/types.ts';
import { otherSourceReference, storedBarContext, storedBoundaryBars } from '../quality/context.ts';
import { checkBars, type GateContext, type RejectedRow } from '../quality/gate.ts';
import { auditReplaced, quarantineRows } from '../quality/quarantine.ts';
import { RULES } from '../quality/rules/rule.ts';
import type { QualityThresholds } from '../quality/thresholds.ts';
import { loadThresholds } from '../quality/thresholds-config.ts';
import { describeProviderError, ProviderAuthError, ProviderNotFoundError } from '../sources/errors.ts';
import { sourcesFor } from '../sources/source.ts';
import type { Source } from '../sources/types.ts';
import type { Db } from '../store/db.ts';
import { upsertBars } from '../store/repos/bars.ts';
import { findGaps } from '../store/repos/coverage.ts';
import { type InstrumentRow, listInstruments, setInstrumentActive } from '../store/repos/instruments.ts';
import { addInstrumentHint } from '../universe.ts';
import { isUnreachable, unconfigured } from './availability.ts';
import { type IngestMode, intervalFor, planSpans } from './plan.ts';
import { readSpan, recordWatermark } from './watermarks.ts';

export interface IngestOptions {
  mode: IngestMode;
  /** Our symbols; all active instruments with a price source when empty. */
  symbols?: readonly string[];
  range?: NamedRange;
  from?: number;
  to?: number;
  interval?: Interval;
  /** Use only this source (`--source`, or `synthetic` under USE_MOCK_DATA). */
  source?: string;
  /** Instruments per batch. @defaultValue 50 */
  batchSize?: number;
  /** Instruments fetched at once inside a batch. @defaultValue 4 */
  concurrency?: number;
  /** Fetched rows buffered per instrument before one write. @defaultValue 10000 */
  flushRows?: number;
  /** Where the run announces new data (`data_ready`), as every ingest run does. */
  pubsub?: PubSub;
  now?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, symbol: string) => void;
}

export interface IngestSummary extends LoadSummary {
  mode: IngestMode;
  interval: Interval;
  requested: number;
  fetched: number;
  quarantined_by_rule: Record<string, number>;
  /**
   * Instruments no provider could be asked for: none configured (no API key) or none reachable. When it
   * equals `requested` the run did nothing through no fault of the data (jobs record it `skipped`).
   */
  unavailable: number;
  instruments: Array<LoadSummary['instruments'][number] & { source?: string; fetched?: number }>;
}

interface InstrumentOutcome {
  symbol: string;
  source?: string;
  fetched: number;
  stored: number;
  unchanged: number;
  quarantined: number;
  error?: string;
  /** No source could be asked: none configured (no key) or none reachable (network, auth, rate limit). */
  unavailable?: boolean;
}

/**
 * Runs one ingest: plans spans per instrument (watermark, gaps), fetches them page by page from the first
 * source that answers, passes every page through the quality gate, stores accepted bars idempotently and
 * quarantines the rest, then advances the watermark. One failing instrument never stops the others; an
 * instrument the provider does not know is marked inactive with the reason and not retried.
 */
export async function runIngest(
  db: Db,
  sources: Readonly<Record<string, Source>>,
  options: IngestOptions,
): Promise<IngestSummary> {
  const started = Date.now();
  const now = options.now ?? Date.now();
  const interval = intervalFor(options.mode, options.interval);
  const all = await listInstruments(
    db,
    options.symbols?.length ? { symbols: options.symbols } : { active: true },
  );
  if (options.symbols?.length) {
    const known = new Set(all.map((i) => i.symbol));
    const unknown = options.symbols.filter((s) => !known.has(s));
    if (unknown.length) {
      throw new NotFoundError(addInstrumentHint(unknown));
    }
  }
  const instruments = all.filter((i) => i.assetClass !== 'economic');
  const thresholds = await loadThresholds(db);
  const byRule: Record<string, number> = {};
  const outcomes: InstrumentOutcome[] = [];
  const batchSize = options.batchSize ?? 50;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  let done = 0;

  for (let b = 0; b < instruments.length; b += batchSize) {
    const batch = instruments.slice(b, b + batchSize);
    let next = 0;
    const worker = async () => {
      for (;;) {
        const inst = batch[next++];
        if (!inst) return;
        if (options.signal?.aborted) throw options.signal.reason;
        outcomes.push(await ingestOne(db, sources, inst, interval, options, now, byRule, thresholds));
        options.onProgress?.(++done, instruments.length, inst.symbol);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
  }

  outcomes.sort((a, b) => a.symbol.localeCompare(b.symbol));
  await options.pubsub?.publish('data_ready', {
    type: 'ingest',
    mode: options.mode,
    interval,
    stored: outcomes.reduce((s, o) => s + o.stored, 0),
    symbols: outcomes.filter((o) => o.stored > 0).map((o) => o.symbol),
  });
  const sum = (k: 'fetched' | 'stored' | 'unchanged' | 'quarantined') =>
    outcomes.reduce((s, o) => s + o[k], 0);
  const failed = outcomes.filter((o) => o.error).length;
  return {
    mode: options.mode,
    interval,
    requested: instruments.length,
    fetched: sum('fetched'),
    read: sum('fetched'),
    stored: sum('stored'),
    unchanged: sum('unchanged'),
    quarantined: sum('quarantined'),
    failed,
    quarantined_by_rule: byRule,
    unavailable: outcomes.filter((o) => o.unavailable).length,
    duration_ms: Date.now() - started,
    instruments: outcomes.map((o) => ({
      symbol: o.symbol,
      source: o.source,
      fetched: o.fetched,
      stored: o.stored,
      unchanged: o.unchanged,
      quarantined: o.quarantined,
      ...(o.error ? { error: o.error } : {}),
    })),
  };
}

/** Rules a second source's observation can overturn (a real move both saw), as opposed to malformed rows. */
const CONFIRMABLE = new Set<string>([
  RULES.outlier,
  RULES.outlierBatch,
  RULES.bounds,
  RULES.wick,
  RULES.replacesOutlier,
]);

async function ingestOne(
  db: Db,
  sources: Readonly<Record<string, Source>>,
  inst: InstrumentRow,
  interval: Interval,
  options: IngestOptions,
  now: number,
  byRule: Record<string, number>,
  thresholds: QualityThresholds,
): Promise<InstrumentOutcome> {
  const out: InstrumentOutcome = { symbol: inst.symbol, fetched: 0, stored: 0, unchanged: 0, quarantined: 0 };
  const candidates = sourcesFor(sources, inst, { interval, only: options.source });
  if (candidates.length === 0) {
    const missing = unconfigured(sources, inst, interval, options.source);
    out.unavailable = missing.length > 0;
    out.error = options.source
      ? `source ${options.source} does not carry ${inst.symbol} at ${interval}${missing.length ? ' (not configured: no API key)' : ''}`
      : `no configured source carries ${inst.symbol} (${inst.assetClass}) at ${interval}${missing.length ? ` (${missing.join(', ')}: no API key; or set USE_MOCK_DATA=true)` : ''}`;
    return out;
  }
  let spans: TimeRange[];
  try {
    const span = await readSpan(db, inst.symbol, interval);
    // Historical and backfill runs over an instrument that has data fetch only what is missing (gap repair).
    const repair = (options.mode === 'historical' || options.mode === 'backfill') && span.count > 0;
    const gaps = repair
      ? (await findGaps(db, inst.symbol, interval)).map((g) => ({
          from: Date.parse(g.from),
          to: Date.parse(g.to),
        }))
      : undefined;
    spans = planSpans(
      {
        mode: options.mode,
        now,
        range: options.range,
        from: options.from,
        to: options.to,
        first: span.first,
        last: span.last,
        hasData: span.count > 0,
        gaps,
      },
      interval,
    );
  } catch (err) {
    out.error = describeError(err);
    return out;
  }
  // A span holding no expected bar (a weekend, a holiday) would only cost a request.
  spans = spans.filter((s) => expectedBarTimes(inst.assetClass, interval, s).length > 0);
  if (spans.length === 0) return out;

  const errors: string[] = [];
  // stays true while every source tried was out of reach (network, 5xx, auth, rate limit), not wrong data
  let unreachable = true;
  const flushRows = options.flushRows ?? 10_000;
  for (const source of candidates) {
    let pending: StoredBar[] = [];
    let rejected: Array<RejectedRow<StoredBar>> = [];
    let lastTs: number | undefined;
    // Rows first, watermark after: a run killed in between leaves the watermark behind what is stored, so
    // the re-run fetches those pages again and the idempotent upsert makes them a no-op. Pages are buffered
    // up to `flushRows` so each write is one large set-based merge rather than many small ones.
    const flush = async () => {
      if (pending.length > 0) {
        const res = await upsertBars(db, pending);
        out.stored += res.stored;
        out.unchanged += res.unchanged;
      }
      if (rejected.length > 0) await quarantineRows(db, rejected, source.name);
      if (lastTs !== undefined) await recordWatermark(db, inst.symbol, interval, source.name, lastTs);
      pending = [];
      rejected = [];
    };
    try {
      for (const span of spans) {
        for await (const page of source.fetchBars(inst, interval, span, { signal: options.signal })) {
          if (page.length === 0) continue;
          out.fetched += page.length;
          const rows: StoredBar[] = page.map((b) => ({
            ...b,
            symbol: inst.symbol,
            interval,
            source: source.name,
          }));
          const incremental = options.mode === 'daily' || options.mode === 'hourly';
          // Incremental loads are judged against the stored bars around them: a spike on the first new bar
          // is seen in context, and a revised bar (newer source wins) keeps the value it replaces in the audit.
          const ctx: GateContext<StoredBar> = {
            instrument: {
              symbol: inst.symbol,
              assetClass: inst.assetClass,
              pegTarget: inst.pegTarget ?? null,
            },
            mode: incremental ? 'incremental' : 'backfill',
            now,
            thresholds,
            stored: incremental
              ? await storedBarContext(db, inst.symbol, interval, rows, thresholds)
              : undefined,
            // a backfill still keeps the stored bars' boundaries (a fallback source must not interleave)
            aligned: incremental ? undefined : await storedBoundaryBars(db, inst.symbol, interval, rows),
          };
          let gate = checkBars(rows, ctx);
          // A spike, wick or out-of-bounds price another source already stored over this span is real: judge
          // again with those bars as the second source. Read only when the page has such a candidate.
          if (gate.rejected.some((r) => CONFIRMABLE.has(r.rule))) {
            const reference = await otherSourceReference(db, inst.symbol, interval, rows, source.name);
            if (reference.length > 0) gate = checkBars(rows, { ...ctx, reference });
          }
          if (gate.replaced.length > 0) await auditReplaced(db, gate.replaced, source.name);
          for (const row of gate.accepted) pending.push(row);
          for (const r of gate.rejected) rejected.push(r);
          out.unchanged += gate.unchanged.length;
          out.quarantined += gate.rejected.length;
          for (const r of gate.rejected) byRule[r.rule] = (byRule[r.rule] ?? 0) + 1;
          lastTs = page.at(-1)?.ts ?? lastTs;
          if (pending.length >= flushRows) await flush();
        }
      }
      await flush();
      out.source = source.name;
      return out;
    } catch (err) {
      // Keep what this source delivered before it failed: those rows passed the gate.
      await flush().catch(() => undefined);
      if (options.signal?.aborted) throw err;
      if (err instanceof ProviderNotFoundError) {
        const reason = describeProviderError(source.name, err);
        await setInstrumentActive(db, inst.symbol, false, reason);
        out.error = `marked inactive: ${reason}`;
        return out;
      }
      // Any other failure (auth, unavailable after retries, bad payload): try the next source in order.
      if (!isUnreachable(err)) unreachable = false;
      errors.push(
        `${describeProviderError(source.name, err)}${err instanceof ProviderAuthError ? ' (check the API key)' : ''}`,
      );
    }
  }
  out.error = errors.join('; ');
  out.unavailable = unreachable;
  return out;
}
