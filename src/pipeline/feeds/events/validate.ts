/**
 * Quality rules for events before storing: real calendar dates, a non-negative finite dividend, a split with
 * positive finite share counts, finite estimates and actuals (or none). Refused rows go to quarantine.
 */

import type { Dividend, Earnings, EconomicEvent, Split } from '../../../core/events.ts';
import { dateMs, isIsoDate, type RecordRejection } from '../quarantine-records.ts';

type Problem = { rule: string; reason: string } | undefined;

const optionalDate = (name: string, v: string | null): Problem =>
  v === null || isIsoDate(v)
    ? undefined
    : { rule: 'invalid_date', reason: `${name} "${v}" is not a YYYY-MM-DD date` };
const optionalNumber = (name: string, v: number | null): Problem =>
  v === null || Number.isFinite(v)
    ? undefined
    : { rule: 'invalid_value', reason: `${name} ${String(v)} is not a finite number` };

export function dividendProblem(d: Dividend): Problem {
  if (!isIsoDate(d.exDate))
    return { rule: 'invalid_date', reason: `ex_date "${d.exDate}" is not a YYYY-MM-DD date` };
  if (!Number.isFinite(d.amount) || d.amount < 0)
    return { rule: 'invalid_value', reason: `dividend amount ${d.amount} is not a non-negative number` };
  return (
    optionalDate('record_date', d.recordDate) ??
    optionalDate('pay_date', d.payDate) ??
    optionalDate('declaration_date', d.declarationDate)
  );
}

export function splitProblem(s: Split): Problem {
  if (!isIsoDate(s.exDate))
    return { rule: 'invalid_date', reason: `ex_date "${s.exDate}" is not a YYYY-MM-DD date` };
  if (!(Number.isFinite(s.splitFrom) && s.splitFrom > 0 && Number.isFinite(s.splitTo) && s.splitTo > 0)) {
    return {
      rule: 'invalid_value',
      reason: `split ${s.splitTo}-for-${s.splitFrom} needs positive share counts`,
    };
  }
  return undefined;
}

export function earningsProblem(e: Earnings): Problem {
  if (!isIsoDate(e.reportDate))
    return { rule: 'invalid_date', reason: `report_date "${e.reportDate}" is not a YYYY-MM-DD date` };
  return (
    optionalNumber('estimate', e.estimate) ??
    optionalNumber('actual', e.actual) ??
    optionalNumber('surprise', e.surprise)
  );
}

export function economicEventProblem(e: EconomicEvent): Problem {
  if (!isIsoDate(e.releaseDate))
    return { rule: 'invalid_date', reason: `release date "${e.releaseDate}" is not a YYYY-MM-DD date` };
  if (!isIsoDate(e.period))
    return { rule: 'invalid_date', reason: `period "${e.period}" is not a YYYY-MM-DD date` };
  return (
    optionalNumber('actual', e.actual) ??
    optionalNumber('forecast', e.forecast) ??
    optionalNumber('previous', e.previous)
  );
}

/** Splits `rows` into accepted ones and quarantine entries (`kind` e.g. 'events:dividend'). */
export function screen<T extends { symbol: string }>(
  rows: readonly T[],
  problem: (row: T) => Problem,
  kind: string,
  dateOf: (row: T) => string,
): { accepted: T[]; rejected: RecordRejection[] } {
  const accepted: T[] = [];
  const rejected: RecordRejection[] = [];
  for (const row of rows) {
    const p = problem(row);
    if (p === undefined) accepted.push(row);
    else {
      const d = dateOf(row);
      rejected.push({ symbol: row.symbol, kind, ts: isIsoDate(d) ? dateMs(d) : null, raw: { ...row }, ...p });
    }
  }
  return { accepted, rejected };
}
