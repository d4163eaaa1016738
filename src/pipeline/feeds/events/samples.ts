/**
 * Offline events for the demo: `samples/events/events.csv` (the CSV import format, see csv-import.ts):
 * dividends, splits and earnings modelled on public announcements (SPY 2019–2020, AAPL, MSFT, NVDA) and two
 * economic releases. Rows for instruments not in the store are skipped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_DIR } from '../../../sources/synthetic/real-samples.ts';
import type { Db } from '../../../store/db.ts';
import type { RecordLoadSummary } from '../load-summary.ts';
import { parseEventsCsv, storeParsedEvents } from './csv-import.ts';

/** @public Also read from dist/ by the compiled-bin test. */
export const EVENTS_SAMPLE_FILE = join(SAMPLE_DIR, 'events', 'events.csv');

export async function loadEventSamples(db: Db, file = EVENTS_SAMPLE_FILE): Promise<RecordLoadSummary> {
  const parsed = parseEventsCsv(readFileSync(file, 'utf8'), 'sample');
  const known = new Set(
    (await db.query<{ symbol: string }>('SELECT symbol FROM market_data.instruments')).rows.map(
      (r) => r.symbol,
    ),
  );
  const keep = <T extends { symbol: string }>(rows: T[]) => rows.filter((r) => known.has(r.symbol));
  return storeParsedEvents(
    db,
    {
      ...parsed,
      dividends: keep(parsed.dividends),
      splits: keep(parsed.splits),
      earnings: keep(parsed.earnings),
    },
    'sample',
  );
}
