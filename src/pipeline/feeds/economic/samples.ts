/**
 * Offline economic data for the demo: FRED CSV extracts shipped in `samples/fred/` (`DATE,<SERIES>`, "."
 * for no value; provenance in samples/README.md), stored as one vintage per series.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EconomicSeries, Observation } from '../../../core/economic.ts';
import { fredValue } from '../../../sources/fred/mapping.ts';
import { SAMPLE_DIR } from '../../../sources/synthetic/real-samples.ts';
import type { Db } from '../../../store/db.ts';
import { upsertObservations, upsertSeries } from '../../../store/repos/economic.ts';
import { deriveEconomicEvents } from '../../../store/repos/events.ts';
import { recordWatermark } from '../../watermarks.ts';
import { type ItemOutcome, type RecordLoadSummary, summarize } from '../load-summary.ts';
import { dateMs, quarantineRecords } from '../quarantine-records.ts';
import { validateObservations } from './validate.ts';

/** @public Also read from dist/ by the compiled-bin test. */
export const FRED_SAMPLE_DIR = join(SAMPLE_DIR, 'fred');

const TITLES: Record<
  string,
  Omit<EconomicSeries, 'id' | 'lastUpdated' | 'observationStart' | 'observationEnd' | 'source'>
> = {
  DGS10: {
    title:
      'Market Yield on U.S. Treasury Securities at 10-Year Constant Maturity, Quoted on an Investment Basis',
    frequency: 'Daily',
    units: 'Percent',
    seasonalAdjustment: 'Not Seasonally Adjusted',
  },
  DFF: {
    title: 'Federal Funds Effective Rate',
    frequency: 'Daily, 7-Day',
    units: 'Percent',
    seasonalAdjustment: 'Not Seasonally Adjusted',
  },
};

/** Observations of a FRED CSV (`DATE,<SERIES>` header). The vintage is the day after the last date. */
function parseFredCsv(text: string, seriesId: string): Observation[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const rows = lines.slice(1).map((l) => l.split(','));
  const last = rows.at(-1)?.[0] ?? '1970-01-01';
  const vintage = new Date(dateMs(last) + 86_400_000).toISOString().slice(0, 10);
  return rows.map(([date = '', value = '']) => ({
    seriesId,
    date: date.trim(),
    realtimeStart: vintage,
    realtimeEnd: '9999-12-31',
    value: fredValue(value),
    source: 'sample',
  }));
}

/** Loads every `samples/fred/<SERIES>_*.csv` (or only `series`). Idempotent. */
export async function loadEconomicSamples(
  db: Db,
  opts: { series?: readonly string[]; dir?: string } = {},
): Promise<RecordLoadSummary> {
  const started = Date.now();
  const dir = opts.dir ?? FRED_SAMPLE_DIR;
  const wanted = opts.series?.length ? new Set(opts.series.map((s) => s.toUpperCase())) : undefined;
  const items: ItemOutcome[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort()) {
    const seriesId = file.split('_')[0] ?? file;
    if (wanted && !wanted.has(seriesId)) continue;
    const observations = parseFredCsv(readFileSync(join(dir, file), 'utf8'), seriesId);
    const { accepted, rejected } = validateObservations(observations);
    const meta = TITLES[seriesId] ?? {
      title: seriesId,
      frequency: null,
      units: null,
      seasonalAdjustment: null,
    };
    await upsertSeries(db, [
      {
        id: seriesId,
        ...meta,
        lastUpdated: null,
        observationStart: accepted[0]?.date ?? null,
        observationEnd: accepted.at(-1)?.date ?? null,
        source: 'sample',
      },
    ]);
    const quarantined = await quarantineRecords(db, rejected, 'sample');
    const counts = await upsertObservations(db, accepted);
    await deriveEconomicEvents(db, seriesId);
    const newest = accepted.at(-1)?.date;
    if (newest !== undefined) await recordWatermark(db, seriesId, 'economic', 'sample', dateMs(newest));
    items.push({ symbol: seriesId, read: observations.length, quarantined, ...counts });
  }
  return summarize('full', started, items);
}
