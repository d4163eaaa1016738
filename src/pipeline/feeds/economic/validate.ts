/**
 * Quality rules for economic observations, applied before storing: real calendar dates, a realtime period
 * that does not end before it starts, and a finite value or NULL (FRED's "." for "no observation").
 */

import type { Observation } from '../../../core/economic.ts';
import { dateMs, isIsoDate, type RecordRejection } from '../quarantine-records.ts';

export function validateObservations(rows: readonly Observation[]): {
  accepted: Observation[];
  rejected: RecordRejection[];
} {
  const accepted: Observation[] = [];
  const rejected: RecordRejection[] = [];
  for (const row of rows) {
    const reason = observationProblem(row);
    if (reason === undefined) accepted.push(row);
    else {
      rejected.push({
        symbol: row.seriesId,
        kind: 'economic',
        ts: isIsoDate(row.date) ? dateMs(row.date) : null,
        raw: { ...row },
        rule: reason.rule,
        reason: reason.reason,
      });
    }
  }
  return { accepted, rejected };
}

function observationProblem(row: Observation): { rule: string; reason: string } | undefined {
  for (const [name, value] of [
    ['date', row.date],
    ['realtime_start', row.realtimeStart],
    ['realtime_end', row.realtimeEnd],
  ] as const) {
    if (!isIsoDate(value))
      return { rule: 'invalid_date', reason: `${name} "${value}" is not a YYYY-MM-DD date` };
  }
  if (row.realtimeEnd < row.realtimeStart) {
    return {
      rule: 'invalid_period',
      reason: `realtime_end ${row.realtimeEnd} is before realtime_start ${row.realtimeStart}`,
    };
  }
  if (row.value !== null && !Number.isFinite(row.value)) {
    return { rule: 'invalid_value', reason: `value ${String(row.value)} is not a finite number` };
  }
  return undefined;
}
