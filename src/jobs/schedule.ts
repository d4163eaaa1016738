import { Cron } from 'croner';
import { newYorkDate, nyseSession } from '../core/calendar.ts';
import type { Backoff, JobSchedule, MarketWindow } from './types.ts';

/**
 * Schedule maths, pure over UTC epoch ms: cron expressions are read in their time zone by croner (DST
 * included: a wall time that does not exist on the spring-forward day fires at the first instant after
 * it, one that happens twice in autumn fires once), then filtered by the market window (NYSE calendar).
 */

const MAX_SCAN = 200_000;
/**
 * Runs asked of croner's `previousRuns` at a time: its cost grows faster than the count (50 took ~75 ms, 5
 * take < 1 ms), and the tick sought is nearly always among the first few.
 */
const PREVIOUS_BATCH = 5;
const crons = new Map<string, Cron>();

function cronOf(s: JobSchedule): Cron {
  const key = `${s.cron}|${s.timezone}`;
  let c = crons.get(key);
  if (!c) {
    c = new Cron(s.cron, { timezone: s.timezone, paused: true });
    crons.set(key, c);
  }
  return c;
}

/** Whether a tick at `ts` may fire in `window`. */
export function inWindow(window: MarketWindow, ts: number): boolean {
  switch (window) {
    case 'always':
      return true;
    case 'nyse_day':
      return nyseSession(newYorkDate(ts)) !== null;
    case 'nyse_session': {
      const s = nyseSession(newYorkDate(ts));
      // the close itself counts: a fetch at 16:00 picks up the session's last bar
      return s !== null && ts >= s.open && ts <= s.close;
    }
  }
}

/** The first tick strictly after `after`, or null when none within the scan limit. */
export function nextTick(s: JobSchedule, after: number): number | null {
  const cron = cronOf(s);
  let t = after;
  for (let i = 0; i < MAX_SCAN; i++) {
    const d = cron.nextRun(new Date(t));
    if (!d) return null;
    t = d.getTime();
    if (inWindow(s.window, t)) return t;
  }
  return null;
}

/** The latest tick at or before `at`, or null. */
export function previousTick(s: JobSchedule, at: number): number | null {
  const cron = cronOf(s);
  // previousRuns looks strictly before its reference: start one millisecond later to include `at`
  let ref = at + 1;
  for (let i = 0; i < MAX_SCAN; i += PREVIOUS_BATCH) {
    const runs = cron.previousRuns(PREVIOUS_BATCH, new Date(ref));
    if (runs.length === 0) return null;
    for (const d of runs) {
      const t = d.getTime();
      if (inWindow(s.window, t)) return t;
      ref = t;
    }
  }
  return null;
}

/** Every tick in `(from, to]`, ascending. */
export function ticksBetween(s: JobSchedule, from: number, to: number): number[] {
  const out: number[] = [];
  let t: number | null = from;
  while (t !== null) {
    t = nextTick(s, t);
    if (t === null || t > to) break;
    out.push(t);
  }
  return out;
}

export type MissedDecision = 'run' | 'skip';

/**
 * A tick noticed at `now` (late: the process was busy, asleep or starting) still runs when it is at most
 * `graceMs` old; older ones are skipped and reported, so a restart never replays a backlog.
 */
export function missedDecision(tick: number, now: number, graceMs: number): MissedDecision {
  return now - tick <= graceMs ? 'run' : 'skip';
}

/** Delay before the attempt after `attempt` (1-based): `min(base · factor^(attempt-1), max)`. */
export function backoffDelay(b: Backoff, attempt: number): number {
  return Math.min(b.baseMs * b.factor ** Math.max(0, attempt - 1), b.maxMs);
}
