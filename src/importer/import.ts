import { basename } from 'node:path';
import { ValidationError } from '../core/errors.ts';
import { startOfUtcDay } from '../core/time.ts';
import type { Interval, LoadSummary, PricePoint, StoredBar } from '../core/types.ts';
import { storedBoundaryBars, storedPriceContext } from '../quality/context.ts';
import { checkBars, checkPrices } from '../quality/gate.ts';
import { auditReplaced, quarantineRows } from '../quality/quarantine.ts';
import { loadThresholds } from '../quality/thresholds-config.ts';
import type { Db } from '../store/db.ts';
import { upsertBars } from '../store/repos/bars.ts';
import { requireInstrument } from '../store/repos/instruments.ts';
import { upsertPrices } from '../store/repos/prices.ts';
import { detectFormat, type FileFormat, readFileRecords } from './records.ts';

export interface ImportOptions {
  file: string;
  symbol: string;
  /** Interval of OHLC rows. @defaultValue '1d' */
  interval?: Interval;
  /** File layout; guessed from the extension when absent. */
  format?: FileFormat;
  /** Recorded as the rows' source. @defaultValue `file:<basename>` */
  source?: string;
  /** Rows per transaction. @defaultValue 20000 */
  batchSize?: number;
  now?: number;
  onProgress?: (rowsDone: number) => void;
}

/**
 * Loads a price file in two streaming passes so that memory stays flat for any file size:
 * 1. read every row and stop at the first malformed one (`file:line: reason`) — nothing is written;
 * 2. read again, pass each batch through the quality gate, store accepted rows idempotently and
 *    quarantine the others with their reasons.
 * Daily bars are keyed by their UTC date (a timestamp inside the day is moved to midnight UTC).
 */
export async function importFile(db: Db, options: ImportOptions): Promise<LoadSummary> {
  const started = Date.now();
  const now = options.now ?? Date.now();
  const interval = options.interval ?? '1d';
  const format = options.format ?? detectFormat(options.file);
  const source = options.source ?? `file:${basename(options.file)}`;
  const batchSize = options.batchSize ?? 20_000;
  const row = await requireInstrument(db, options.symbol);
  const instrument = { symbol: row.symbol, assetClass: row.assetClass, pegTarget: row.pegTarget ?? null };
  const thresholds = await loadThresholds(db);

  let total = 0;
  for await (const _ of readFileRecords(options.file, format)) total++;
  if (total === 0) throw new ValidationError(`${options.file}: no data rows`);

  const summary = { read: 0, stored: 0, unchanged: 0, quarantined: 0, failed: 0 };
  let bars: StoredBar[] = [];
  let prices: PricePoint[] = [];
  const missing: Array<{ row: StoredBar | PricePoint; rule: string; reason: string }> = [];

  const flush = async () => {
    if (bars.length > 0) {
      // the stored bars around this batch fix the boundaries it must keep (see GateContext.aligned)
      const aligned = await storedBoundaryBars(db, instrument.symbol, interval, bars);
      const gate = checkBars(bars, { instrument, mode: 'backfill', now, thresholds, aligned });
      // a revised value overwrites the stored one: keep the old one in the audit, as the pipeline does
      await auditReplaced(db, gate.replaced, source);
      const res = await upsertBars(db, gate.accepted);
      summary.stored += res.stored;
      summary.unchanged += res.unchanged + gate.unchanged.length;
      await quarantineRows(db, [...missing, ...gate.rejected], source);
      summary.quarantined += gate.rejected.length + missing.length;
    } else if (prices.length > 0 || missing.length > 0) {
      // the stored prices at and around the batch: revisions are audited, spikes judged in context
      const stored = await storedPriceContext(db, instrument.symbol, prices, thresholds);
      const gate = checkPrices(prices, { instrument, mode: 'backfill', now, thresholds, stored });
      await auditReplaced(db, gate.replaced, source);
      const res = await upsertPrices(db, gate.accepted);
      summary.stored += res.stored;
      summary.unchanged += res.unchanged + gate.unchanged.length;
      await quarantineRows(db, [...missing, ...gate.rejected], source);
      summary.quarantined += gate.rejected.length + missing.length;
    }
    bars = [];
    prices = [];
    missing.length = 0;
    options.onProgress?.(summary.read);
  };

  for await (const rec of readFileRecords(options.file, format)) {
    summary.read++;
    if (rec.kind === 'ohlc') {
      const ts = interval === '1d' ? startOfUtcDay(rec.ts) : rec.ts;
      const bar: StoredBar = {
        symbol: row.symbol,
        interval,
        ts,
        open: rec.open ?? Number.NaN,
        high: rec.high ?? Number.NaN,
        low: rec.low ?? Number.NaN,
        close: rec.close ?? Number.NaN,
        volume: rec.volume ?? 0,
        source,
      };
      if (rec.open === null || rec.high === null || rec.low === null || rec.close === null) {
        missing.push({ row: bar, rule: 'missing_values', reason: `line ${rec.line}: empty price field` });
      } else bars.push(bar);
    } else {
      const point: PricePoint = {
        symbol: row.symbol,
        ts: rec.ts,
        price: rec.price ?? Number.NaN,
        source,
        volume: rec.volume,
      };
      if (rec.price === null)
        missing.push({ row: point, rule: 'missing_values', reason: `line ${rec.line}: empty price` });
      else prices.push(point);
    }
    if (bars.length + prices.length + missing.length >= batchSize) await flush();
  }
  await flush();

  return {
    ...summary,
    duration_ms: Date.now() - started,
    instruments: [
      {
        symbol: row.symbol,
        stored: summary.stored,
        unchanged: summary.unchanged,
        quarantined: summary.quarantined,
      },
    ],
  };
}
