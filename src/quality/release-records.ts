/**
 * Release of quarantined economic observations, news articles and events. Their quarantine entry keeps the
 * record its loader refused (`raw`, with the kind in `interval`, see economic/quarantine-records.ts), so a
 * value the provider no longer serves (an old FRED vintage, an expired article) can still come back: release
 * decodes it, re-validates it with the loader's own rules (skipped when forced, exactly as for bars) and
 * stores it through the loader's own upsert, so the same keys and the news dedup rules apply.
 */
import { z } from 'zod';
import { SENTIMENT_LABELS } from '../core/news.ts';
import { validateObservations } from '../pipeline/feeds/economic/validate.ts';
import {
  dividendProblem,
  earningsProblem,
  economicEventProblem,
  splitProblem,
} from '../pipeline/feeds/events/validate.ts';
import { validateNews } from '../pipeline/feeds/news/validate.ts';
import type { Db, Queryable } from '../store/db.ts';
import { upsertObservations } from '../store/repos/economic.ts';
import {
  deriveEconomicEvents,
  upsertDividends,
  upsertEarnings,
  upsertEconomicEvents,
  upsertSplits,
} from '../store/repos/events.ts';
import { storeNews } from '../store/repos/news.ts';
import type { QuarantineEntry, ReleaseOutcome } from './quarantine.ts';

type Problem = { rule: string; reason: string } | undefined;

interface RecordKind<T> {
  /** The record as its loader built it, from the quarantine's JSON. */
  schema: z.ZodType<T>;
  /** The loader's validation, or undefined when the record passes. `now` in UTC ms. */
  problem(row: T, entry: QuarantineEntry, now: number): Problem;
  /** The loader's upsert; resolves to the symbols it found no instrument for (the record is then not stored). */
  load(tx: Queryable, row: T): Promise<string[]>;
}

const kind = <T>(k: RecordKind<T>): RecordKind<T> => k;

/** A number as the quarantine writes it: JSON, or the text of a non-finite one. */
const num = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity']).transform(Number)]);
const optNum = num.nullable().default(null);
const optText = z.string().nullable().default(null);

const first = (rejected: ReadonlyArray<{ rule: string; reason: string }>): Problem =>
  rejected[0] ? { rule: rejected[0].rule, reason: rejected[0].reason } : undefined;

const KINDS: Record<string, RecordKind<unknown>> = {
  economic: kind({
    schema: z.object({
      seriesId: z.string(),
      date: z.string(),
      realtimeStart: z.string(),
      realtimeEnd: z.string(),
      value: optNum,
      source: z.string(),
    }),
    problem: (row) => first(validateObservations([row]).rejected),
    // As the FRED load: observations, then the economic events derived from first releases.
    load: async (tx, row) => {
      await upsertObservations(tx, [row]);
      await deriveEconomicEvents(tx, row.seriesId);
      return [];
    },
  }),
  news: kind({
    // validate.ts quarantines the article's fields with its `sentiments` beside them.
    schema: z
      .object({
        url: z.string(),
        title: z.string(),
        description: optText,
        author: optText,
        source: z.string(),
        provider: z.string(),
        publishedAt: num,
        language: optText,
        sentiments: z
          .array(
            z.object({
              symbol: z.string(),
              provider: z.string(),
              score: num,
              label: z.enum(SENTIMENT_LABELS),
              relevance: optNum,
            }),
          )
          .default([]),
      })
      .transform(({ sentiments, ...article }) => ({ article, sentiments })),
    problem: (item, entry, now) => first(validateNews([item], now, entry.symbol).rejected),
    // Sentiments for symbols without an instrument are left out, as in the news load.
    load: async (tx, item) => {
      await storeNews(tx, [item]);
      return [];
    },
  }),
  'events:dividend': kind({
    schema: z.object({
      symbol: z.string(),
      exDate: z.string(),
      recordDate: optText,
      payDate: optText,
      declarationDate: optText,
      amount: num,
      currency: optText,
      frequency: optNum,
      dividendType: optText,
      source: z.string(),
    }),
    problem: dividendProblem,
    load: async (tx, row) => (await upsertDividends(tx, [row])).unknown,
  }),
  'events:split': kind({
    schema: z.object({
      symbol: z.string(),
      exDate: z.string(),
      splitFrom: num,
      splitTo: num,
      source: z.string(),
    }),
    problem: splitProblem,
    load: async (tx, row) => (await upsertSplits(tx, [row])).unknown,
  }),
  'events:earnings': kind({
    schema: z.object({
      symbol: z.string(),
      reportDate: z.string(),
      fiscalPeriod: optText,
      timeOfDay: z.enum(['bmo', 'amc', 'dmh']).nullable().default(null),
      estimate: optNum,
      actual: optNum,
      surprise: optNum,
      currency: optText,
      source: z.string(),
    }),
    problem: earningsProblem,
    load: async (tx, row) => (await upsertEarnings(tx, [row])).unknown,
  }),
  'events:economic': kind({
    schema: z.object({
      seriesId: z.string(),
      releaseDate: z.string(),
      period: z.string(),
      releaseName: optText,
      actual: optNum,
      forecast: optNum,
      previous: optNum,
      source: z.string(),
    }),
    problem: economicEventProblem,
    load: async (tx, row) => {
      await upsertEconomicEvents(tx, [row]);
      return [];
    },
  }),
};

/**
 * Why a forced record cannot be stored, when the fault is the row's: a value the database refuses (SQLSTATE
 * class 22, data exception: a date like 2023-02-30) or a constraint it breaks (class 23: a negative dividend),
 * or a time JavaScript cannot write (RangeError). Anything else (the store being down) is thrown.
 */
function storeRefusal(err: unknown): string | undefined {
  if (err instanceof RangeError) return err.message;
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  if (err instanceof Error && typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) return err.message;
  return undefined;
}

export interface RecordReleaseOptions {
  /** UTC ms, the clock news validation measures "in the future" against. @defaultValue Date.now() */
  now?: number;
  /** Store without re-validation (a human vouches for the records). @defaultValue false */
  force?: boolean;
}

/**
 * Releases quarantine entries of the economic, news and events loaders, one record per transaction: each is
 * re-validated (unless forced) and stored through its loader's upsert, so a record already stored (the same
 * key, or for news the same URL or story) is found unchanged and nothing is stored twice.
 */
export async function releaseRecords(
  db: Db,
  entries: readonly QuarantineEntry[],
  opts: RecordReleaseOptions = {},
): Promise<Required<ReleaseOutcome>> {
  const now = opts.now ?? Date.now();
  const out: Required<ReleaseOutcome> = { loaded: [], refused: [], skipped: [] };
  for (const entry of entries) {
    const interval = entry.interval ?? '';
    const handler = KINDS[interval];
    if (handler === undefined) {
      out.skipped.push({
        id: entry.id,
        interval,
        reason:
          interval === 'events'
            ? 'an events row of an unknown type keeps only its CSV cells: fix the file and run marketpipe events import FILE'
            : `no release for ${interval || 'unnamed'} records`,
      });
      continue;
    }
    const decoded = handler.schema.safeParse(entry.raw);
    if (!decoded.success) {
      const issue = decoded.error.issues[0];
      out.skipped.push({
        id: entry.id,
        interval,
        reason: `the stored row is not a readable ${interval} record (${issue?.path.join('.') || 'row'}: ${issue?.message ?? 'invalid'})`,
      });
      continue;
    }
    const row = decoded.data;
    const problem = opts.force ? undefined : handler.problem(row, entry, now);
    if (problem) {
      out.refused.push({ id: entry.id, ...problem });
      continue;
    }
    let unknown: string[];
    try {
      unknown = await db.transaction((tx) => handler.load(tx, row));
    } catch (err) {
      const why = storeRefusal(err);
      if (why === undefined) throw err;
      out.refused.push({ id: entry.id, rule: 'store_refused', reason: `the store refused the row: ${why}` });
      continue;
    }
    const [missing] = unknown;
    if (missing === undefined) out.loaded.push(entry.id);
    else
      out.refused.push({ id: entry.id, rule: 'unknown_instrument', reason: `Unknown instrument ${missing}` });
  }
  return out;
}
