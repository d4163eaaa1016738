/**
 * The run summary every economic/news/events load returns: the shape of `ingest … --json` for prices
 * (`{read, stored, unchanged, quarantined, failed, duration_ms, instruments}`), plus the mode.
 */
import { describeError } from '../../core/errors.ts';
import type { LoadSummary } from '../../core/types.ts';
import { isUnreachable } from '../availability.ts';

export type RecordLoadMode = 'incremental' | 'full';

export interface RecordLoadSummary extends LoadSummary {
  mode: RecordLoadMode;
  /** Items no provider could be asked for (network, 5xx, rejected key, quota): jobs skip when all are. */
  unavailable?: number;
}

export interface ItemOutcome {
  symbol: string;
  read: number;
  stored: number;
  unchanged: number;
  quarantined: number;
  error?: unknown;
}

export function summarize(
  mode: RecordLoadMode,
  started: number,
  items: readonly ItemOutcome[],
): RecordLoadSummary {
  const sum = (f: (i: ItemOutcome) => number) => items.reduce((acc, i) => acc + f(i), 0);
  return {
    mode,
    read: sum((i) => i.read),
    stored: sum((i) => i.stored),
    unchanged: sum((i) => i.unchanged),
    quarantined: sum((i) => i.quarantined),
    failed: items.filter((i) => i.error !== undefined).length,
    unavailable: items.filter((i) => isUnreachable(i.error)).length,
    duration_ms: Math.max(0, Date.now() - started),
    instruments: items.map((i) => ({
      symbol: i.symbol,
      stored: i.stored,
      quarantined: i.quarantined,
      unchanged: i.unchanged,
      ...(i.error === undefined ? {} : { error: describeError(i.error) }),
    })),
  };
}
