import { describe, expect, it } from 'vitest';
import { DEFAULT_JOBS } from './registry.ts';
import { backoffDelay, inWindow, missedDecision, nextTick, previousTick, ticksBetween } from './schedule.ts';
import { DEFAULT_BACKOFF, type JobSchedule, queueJobId, runKey } from './types.ts';

const sched = (name: string): JobSchedule => {
  const s = DEFAULT_JOBS.get(name)?.schedule;
  if (!s) throw new Error(`no schedule for ${name}`);
  return s;
};
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const at = (s: string) => Date.parse(s);

describe('cron in America/New_York across DST changes', () => {
  it('equities_daily 16:30 ET is 21:30Z before and 20:30Z after the March 2024 spring-forward', () => {
    // 2024-03-10 is the second Sunday of March: EST (UTC−5) → EDT (UTC−4)
    const s = sched('equities_daily');
    expect(iso(nextTick(s, at('2024-03-08T12:00:00Z')))).toBe('2024-03-08T21:30:00.000Z');
    expect(iso(nextTick(s, at('2024-03-08T21:30:00Z')))).toBe('2024-03-11T20:30:00.000Z');
  });

  it('equities_daily is 20:30Z before and 21:30Z after the November 2024 fall-back', () => {
    // 2024-11-03 is the first Sunday of November: EDT → EST
    const s = sched('equities_daily');
    expect(ticksBetween(s, at('2024-11-01T00:00:00Z'), at('2024-11-05T00:00:00Z')).map(iso)).toEqual([
      '2024-11-01T20:30:00.000Z',
      '2024-11-04T21:30:00.000Z',
    ]);
  });

  it('a wall time missing on the spring-forward day (Sunday 02:00 ET) fires once at 03:00 EDT', () => {
    const s = sched('equities_weekly_backfill');
    expect(iso(nextTick(s, at('2024-03-09T12:00:00Z')))).toBe('2024-03-10T07:00:00.000Z');
    expect(iso(nextTick(s, at('2024-03-10T07:00:00Z')))).toBe('2024-03-17T06:00:00.000Z');
  });

  it('a wall time repeated on the fall-back day fires once', () => {
    const s: JobSchedule = { cron: '30 1 * * *', timezone: 'America/New_York', window: 'always' };
    expect(ticksBetween(s, at('2024-11-02T12:00:00Z'), at('2024-11-04T12:00:00Z')).map(iso)).toEqual([
      '2024-11-03T05:30:00.000Z',
      '2024-11-04T06:30:00.000Z',
    ]);
  });
});

describe('NYSE calendar windows', () => {
  it('equities_daily skips Independence Day and Good Friday', () => {
    const s = sched('equities_daily');
    // 2024-07-04 (Thu) holiday → next tick Friday 5 July; 2024-03-29 Good Friday → Monday 1 April
    expect(iso(nextTick(s, at('2024-07-03T21:00:00Z')))).toBe('2024-07-05T20:30:00.000Z');
    expect(iso(nextTick(s, at('2024-03-28T21:00:00Z')))).toBe('2024-04-01T20:30:00.000Z');
  });

  it('latest_prices runs every minute 09:30–16:00 ET: 391 ticks on a full day, none on a holiday', () => {
    const s = sched('latest_prices');
    const day = ticksBetween(s, at('2024-03-11T00:00:00Z'), at('2024-03-12T00:00:00Z'));
    expect(day.length).toBe(391); // 390 minutes of session + the close itself
    expect(iso(day[0] ?? null)).toBe('2024-03-11T13:30:00.000Z');
    expect(iso(day[day.length - 1] ?? null)).toBe('2024-03-11T20:00:00.000Z');
    expect(ticksBetween(s, at('2024-12-25T00:00:00Z'), at('2024-12-26T00:00:00Z'))).toEqual([]);
  });

  it('early close (day after Thanksgiving 2024, 13:00 ET) ends the minute and hourly jobs early', () => {
    const from = at('2024-11-29T00:00:00Z');
    const to = at('2024-11-30T00:00:00Z');
    expect(ticksBetween(sched('latest_prices'), from, to).length).toBe(211); // 09:30–13:00 inclusive
    expect(ticksBetween(sched('equities_hourly'), from, to).map(iso)).toEqual([
      '2024-11-29T15:00:00.000Z',
      '2024-11-29T16:00:00.000Z',
      '2024-11-29T17:00:00.000Z',
      '2024-11-29T18:00:00.000Z',
    ]);
  });

  it('no equities tick on a weekend; inWindow agrees with the session', () => {
    expect(
      ticksBetween(sched('equities_hourly'), at('2024-03-09T00:00:00Z'), at('2024-03-11T00:00:00Z')),
    ).toEqual([]);
    expect(inWindow('nyse_session', at('2024-03-11T13:29:00Z'))).toBe(false);
    expect(inWindow('nyse_session', at('2024-03-11T13:30:00Z'))).toBe(true);
    expect(inWindow('nyse_day', at('2024-07-04T15:00:00Z'))).toBe(false);
  });
});

describe('Sunday and UTC jobs', () => {
  it('weekly jobs fire on Sunday in UTC, daily ones every day', () => {
    const from = at('2024-03-06T00:00:00Z'); // a Wednesday
    expect(iso(nextTick(sched('historical_backfill'), from))).toBe('2024-03-10T03:00:00.000Z');
    expect(iso(nextTick(sched('cleanup'), from))).toBe('2024-03-10T04:00:00.000Z');
    expect(iso(nextTick(sched('integrity_checks'), from))).toBe('2024-03-10T04:30:00.000Z');
    expect(iso(nextTick(sched('depeg_backfill'), from))).toBe('2024-03-06T02:00:00.000Z');
    expect(iso(nextTick(sched('correlation_matrices'), from))).toBe('2024-03-06T02:10:00.000Z');
    expect(iso(nextTick(sched('risk_report'), from))).toBe('2024-03-06T02:20:00.000Z');
    expect(iso(nextTick(sched('fx_correlations'), from))).toBe('2024-03-07T00:00:00.000Z');
    expect(ticksBetween(sched('hourly_ohlc'), from, from + 86_400_000).length).toBe(24);
  });

  it('previousTick includes the instant itself and honours the window', () => {
    const s = sched('equities_daily');
    expect(iso(previousTick(s, at('2024-07-05T20:30:00Z')))).toBe('2024-07-05T20:30:00.000Z');
    expect(iso(previousTick(s, at('2024-07-05T20:29:00Z')))).toBe('2024-07-03T20:30:00.000Z');
  });
});

describe('missed runs and grace', () => {
  it('hourly jobs have 60 s of grace, daily and weekly 5 min', () => {
    expect(DEFAULT_JOBS.get('hourly_ohlc')?.graceMs).toBe(60_000);
    expect(DEFAULT_JOBS.get('latest_prices')?.graceMs).toBe(60_000);
    expect(DEFAULT_JOBS.get('equities_hourly')?.graceMs).toBe(60_000);
    expect(DEFAULT_JOBS.get('risk_report')?.graceMs).toBe(300_000);
    expect(DEFAULT_JOBS.get('historical_backfill')?.graceMs).toBe(300_000);
  });

  it('a tick within grace runs, past grace is skipped', () => {
    const tick = at('2024-03-11T14:00:00Z');
    expect(missedDecision(tick, tick + 60_000, 60_000)).toBe('run');
    expect(missedDecision(tick, tick + 60_001, 60_000)).toBe('skip');
    expect(missedDecision(tick, tick + 299_000, 300_000)).toBe('run');
    expect(missedDecision(tick, tick + 301_000, 300_000)).toBe('skip');
  });
});

describe('backoff and ids', () => {
  it('exponential from a 5 min base, capped at 1 h', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(DEFAULT_BACKOFF, n) / 60_000)).toEqual([
      5, 10, 20, 40, 60, 60,
    ]);
  });

  it('run keys are name:tickISO; queue ids replace ":" for BullMQ', () => {
    const key = runKey('risk_report', at('2024-03-11T02:20:00Z'));
    expect(key).toBe('risk_report:2024-03-11T02:20:00.000Z');
    expect(queueJobId(key)).toBe('risk_report_2024-03-11T02_20_00.000Z');
    expect(queueJobId(key)).not.toContain(':');
  });

  it('every default job has a valid schedule, 3 retries unless it says otherwise, and a 5 min backoff base', () => {
    for (const def of DEFAULT_JOBS.values()) {
      expect(def.schedule, def.name).toBeDefined();
      expect(def.backoff.baseMs).toBe(300_000);
      if (def.name !== 'latest_prices') expect(def.maxRetries, def.name).toBe(3);
    }
  });
});
