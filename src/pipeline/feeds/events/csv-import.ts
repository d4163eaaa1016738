/**
 * CSV import of events. One header row; `type` says which columns matter:
 *
 * | type     | symbol        | date         | other columns                                            |
 * |----------|---------------|--------------|----------------------------------------------------------|
 * | dividend | instrument    | ex-date      | amount, record_date, pay_date, declaration_date, currency |
 * | split    | instrument    | ex-date      | split_from, split_to (10-for-1: from 1, to 10)            |
 * | earnings | instrument    | report date  | estimate, actual, time_of_day (bmo/amc/dmh), fiscal_period, currency |
 * | economic | FRED series   | release date | period, actual, forecast, previous, release_name          |
 *
 * Dates are YYYY-MM-DD; empty cells are NULL; earnings surprise = actual − estimate when both are given.
 */
import { UsageError } from '../../../core/errors.ts';
import type { Dividend, Earnings, EconomicEvent, Split, TimeOfDay } from '../../../core/events.ts';
import { parseCsv } from '../../../sources/alphavantage/mapping.ts';
import type { Db } from '../../../store/db.ts';
import {
  upsertDividends,
  upsertEarnings,
  upsertEconomicEvents,
  upsertSplits,
} from '../../../store/repos/events.ts';
import { type ItemOutcome, type RecordLoadSummary, summarize } from '../load-summary.ts';
import { quarantineRecords, type RecordRejection } from '../quarantine-records.ts';
import { dividendProblem, earningsProblem, economicEventProblem, screen, splitProblem } from './validate.ts';

export interface ParsedEvents {
  dividends: Dividend[];
  splits: Split[];
  earnings: Earnings[];
  economic: EconomicEvent[];
  /** Rows of an unknown type or unreadable. */
  rejected: RecordRejection[];
}

const TIMES = new Set(['bmo', 'amc', 'dmh']);

export function parseEventsCsv(text: string, source = 'csv'): ParsedEvents {
  const [header, ...rows] = parseCsv(text);
  if (header === undefined) throw new UsageError('events CSV: the file is empty');
  const names = header.map((h) => h.trim().toLowerCase());
  for (const need of ['type', 'symbol', 'date']) {
    if (!names.includes(need))
      throw new UsageError(`events CSV: missing column "${need}" (header: ${names.join(',')})`);
  }
  const out: ParsedEvents = { dividends: [], splits: [], earnings: [], economic: [], rejected: [] };
  rows.forEach((cells, i) => {
    const get = (name: string): string => {
      const idx = names.indexOf(name);
      return idx < 0 ? '' : (cells[idx] ?? '').trim();
    };
    const text = (name: string): string | null => get(name) || null;
    const num = (name: string): number | null => (get(name) === '' ? null : Number(get(name)));
    const symbol = get('symbol');
    const date = get('date');
    switch (get('type').toLowerCase()) {
      case 'dividend':
        out.dividends.push({
          symbol,
          exDate: date,
          recordDate: text('record_date'),
          payDate: text('pay_date'),
          declarationDate: text('declaration_date'),
          amount: num('amount') ?? Number.NaN,
          currency: text('currency'),
          frequency: num('frequency'),
          dividendType: text('dividend_type'),
          source,
        });
        break;
      case 'split':
        out.splits.push({
          symbol,
          exDate: date,
          splitFrom: num('split_from') ?? Number.NaN,
          splitTo: num('split_to') ?? Number.NaN,
          source,
        });
        break;
      case 'earnings': {
        const estimate = num('estimate');
        const actual = num('actual');
        const tod = get('time_of_day').toLowerCase();
        out.earnings.push({
          symbol,
          reportDate: date,
          fiscalPeriod: text('fiscal_period'),
          timeOfDay: TIMES.has(tod) ? (tod as TimeOfDay) : null,
          estimate,
          actual,
          surprise: estimate !== null && actual !== null ? actual - estimate : null,
          currency: text('currency'),
          source,
        });
        break;
      }
      case 'economic':
        out.economic.push({
          seriesId: symbol,
          releaseDate: date,
          period: get('period') || date,
          releaseName: text('release_name'),
          actual: num('actual'),
          forecast: num('forecast'),
          previous: num('previous'),
          source,
        });
        break;
      default:
        out.rejected.push({
          symbol: symbol || null,
          kind: 'events',
          ts: null,
          raw: { line: i + 2, cells },
          rule: 'unknown_event_type',
          reason: `line ${i + 2}: type "${get('type')}" is not dividend, split, earnings or economic`,
        });
    }
  });
  return out;
}

type Upsert<T> = (
  db: Db,
  rows: readonly T[],
) => Promise<{ stored: number; unchanged: number; unknown?: string[] }>;

/** Stores `rows` one symbol at a time so the summary counts per instrument; quarantines what `problem` refuses. */
export async function storeScreened<T extends { symbol: string }>(
  db: Db,
  per: Map<string, ItemOutcome>,
  rows: readonly T[],
  check: (rows: readonly T[]) => { accepted: T[]; rejected: RecordRejection[] },
  upsert: Upsert<T>,
  source: string,
): Promise<void> {
  const { accepted, rejected } = check(rows);
  for (const r of rows) outcome(per, r.symbol).read += 1;
  await quarantineRecords(db, rejected, source);
  for (const r of rejected) outcome(per, r.symbol ?? '?').quarantined += 1;
  const bySymbol = new Map<string, T[]>();
  for (const r of accepted) bySymbol.set(r.symbol, [...(bySymbol.get(r.symbol) ?? []), r]);
  for (const [symbol, list] of bySymbol) {
    const res = await upsert(db, list);
    const it = outcome(per, symbol);
    if (res.unknown && res.unknown.length > 0)
      it.error = new Error(`unknown instrument "${symbol}" (see marketpipe instruments list)`);
    it.stored += res.stored;
    it.unchanged += res.unchanged;
  }
}

export function outcome(per: Map<string, ItemOutcome>, symbol: string): ItemOutcome {
  let it = per.get(symbol);
  if (!it) {
    it = { symbol, read: 0, stored: 0, unchanged: 0, quarantined: 0 };
    per.set(symbol, it);
  }
  return it;
}

/** Validates and stores parsed events; rows for symbols with no instrument are reported as failed. */
export async function storeParsedEvents(
  db: Db,
  parsed: ParsedEvents,
  source: string,
): Promise<RecordLoadSummary> {
  const started = Date.now();
  const per = new Map<string, ItemOutcome>();
  await quarantineRecords(db, parsed.rejected, source);
  for (const r of parsed.rejected) outcome(per, r.symbol ?? '?').quarantined += 1;
  await storeScreened(
    db,
    per,
    parsed.dividends,
    (r) => screen(r, dividendProblem, 'events:dividend', (x) => x.exDate),
    upsertDividends,
    source,
  );
  await storeScreened(
    db,
    per,
    parsed.splits,
    (r) => screen(r, splitProblem, 'events:split', (x) => x.exDate),
    upsertSplits,
    source,
  );
  await storeScreened(
    db,
    per,
    parsed.earnings,
    (r) => screen(r, earningsProblem, 'events:earnings', (x) => x.reportDate),
    upsertEarnings,
    source,
  );
  const economic = parsed.economic.map((e) => ({ ...e, symbol: e.seriesId }));
  await storeScreened(
    db,
    per,
    economic,
    (r) => screen(r, economicEventProblem, 'events:economic', (x) => x.releaseDate),
    upsertEconomicEvents,
    source,
  );
  return summarize('full', started, [...per.values()]);
}

export function importEventsCsv(db: Db, text: string, source = 'csv'): Promise<RecordLoadSummary> {
  return storeParsedEvents(db, parseEventsCsv(text, source), source);
}
