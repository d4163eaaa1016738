import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/config/store.ts';
import { DEFAULT_JOBS } from '../../src/jobs/registry.ts';
import { nextTick, ticksBetween } from '../../src/jobs/schedule.ts';
import { startScheduler } from '../../src/jobs/scheduler.ts';
import { type CountingDb, manualClock, playUntil, settle } from '../../src/jobs/testing.ts';
import { runKey } from '../../src/jobs/types.ts';
import { stubRegistry } from './fixtures/registry.ts';
import { capturePubSub, jobsDb, silentLog, testSettings } from './helpers.ts';

const HOUR = 3_600_000;

let db: CountingDb;
beforeAll(async () => {
  db = await jobsDb();
});
afterAll(async () => {
  await db.close();
});

/** Every tick of every scheduled job in [from, to]: the runs a perfect scheduler records. */
function expectedKeys(registry: ReturnType<typeof stubRegistry>, from: number, to: number): string[] {
  const keys: string[] = [];
  for (const def of registry.values()) {
    if (!def.schedule) continue;
    for (const t of ticksBetween(def.schedule, from - 1, to)) keys.push(runKey(def.name, t));
  }
  return keys.sort();
}

describe('embedded scheduler over a full simulated weekend day and trading day', () => {
  it('records every tick once, skips the holiday-free NYSE windows correctly, retries and alerts the failing job', async () => {
    // Sunday 10 March 2024 00:00Z (the New York spring-forward day) to Tuesday 00:00Z
    const start = Date.parse('2024-03-10T00:00:00Z');
    const end = Date.parse('2024-03-12T00:00:00Z');
    const registry = stubRegistry();
    const clock = manualClock(start);
    const pubsub = capturePubSub();
    const handle = startScheduler({
      db,
      settings: testSettings(),
      log: silentLog,
      registry,
      clock,
      pubsub,
      sources: () => ({}),
      configStore: async () => new ConfigStore({ db: null }),
      mode: 'embedded',
      config: { find: () => undefined },
    });
    await playUntil(clock, end, () => db.inFlight() > 0 || handle.busy());
    await handle.stop();

    const rows = (
      await db.query<{ run_key: string; status: string; n: number }>(
        `SELECT run_key, status, count(*)::int AS n FROM ops.job_runs GROUP BY run_key, status ORDER BY run_key`,
      )
    ).rows;
    const completed = rows.filter((r) => r.status === 'completed');
    const expected = expectedKeys(registry, start, end).filter((k) => !k.startsWith('always_fails'));
    expect(completed.map((r) => r.run_key).sort()).toEqual(expected);
    expect(completed.every((r) => r.n === 1)).toBe(true);
    // 391 minute ticks on Monday 11 March (EDT: 13:30Z–20:00Z), 7 hourly equities ticks, 1 daily
    expect(expected.filter((k) => k.startsWith('latest_prices:')).length).toBe(391);
    expect(expected.filter((k) => k.startsWith('equities_hourly:')).length).toBe(7);
    expect(expected.filter((k) => k.startsWith('equities_daily:'))).toEqual([
      'equities_daily:2024-03-11T20:30:00.000Z',
    ]);
    expect(expected).toContain('equities_weekly_backfill:2024-03-10T07:00:00.000Z');
    expect(expected).toContain('historical_backfill:2024-03-10T03:00:00.000Z');

    // the failing job: each of its two ticks tried 3 times (maxRetries 2), then one alert per tick
    const failing = rows.filter((r) => r.run_key.startsWith('always_fails'));
    expect(failing).toEqual([
      { run_key: 'always_fails:2024-03-10T12:00:00.000Z', status: 'failed', n: 3 },
      { run_key: 'always_fails:2024-03-11T12:00:00.000Z', status: 'failed', n: 3 },
    ]);
    const alerts = pubsub.messages.filter((m) => m.message.type === 'alert');
    expect(alerts.map((a) => a.message.run_key)).toEqual([
      'always_fails:2024-03-10T12:00:00.000Z',
      'always_fails:2024-03-11T12:00:00.000Z',
    ]);
    expect(pubsub.messages.every((m) => m.channel === 'job_events')).toBe(true);
    expect(pubsub.messages.some((m) => m.message.type === 'missed')).toBe(false);
  }, 60_000);
});

describe('missed runs', () => {
  const hourly = DEFAULT_JOBS.get('hourly_ohlc');
  const tick = Date.parse('2024-04-02T10:00:00Z');

  async function startAt(now: number) {
    await db.query(`DELETE FROM ops.job_runs WHERE job = 'hourly_ohlc'`);
    const clock = manualClock(now);
    const pubsub = capturePubSub();
    const handle = startScheduler({
      db,
      settings: testSettings(),
      log: silentLog,
      registry: stubRegistry(),
      clock,
      pubsub,
      sources: () => ({}),
      configStore: async () => new ConfigStore({ db: null }),
      mode: 'embedded',
      only: ['hourly_ohlc'],
      config: { find: () => undefined },
    });
    const busy = () => db.inFlight() > 0 || handle.busy() || handle.running() > 0;
    await settle(busy, 10);
    const keys = async () =>
      (
        await db.query<{ run_key: string }>(
          `SELECT run_key FROM ops.job_runs WHERE job = 'hourly_ohlc' ORDER BY id`,
        )
      ).rows.map((r) => r.run_key);
    return { clock, pubsub, handle, busy, keys };
  }

  it('at start, the last tick runs when within its 60 s grace', async () => {
    expect(hourly?.graceMs).toBe(60_000);
    const s = await startAt(tick + 30_000);
    expect(await s.keys()).toEqual([runKey('hourly_ohlc', tick)]);
    await s.handle.stop();
  });

  it('at start, a tick past its grace is not replayed', async () => {
    const s = await startAt(tick + 90_000);
    expect(await s.keys()).toEqual([]);
    await s.handle.stop();
  });

  it('a tick noticed late (clock jumped past the grace) is skipped and published as missed; the next one runs', async () => {
    const s = await startAt(tick + 5 * 60_000);
    s.clock.set(tick + HOUR + 10 * 60_000); // the process was suspended over 11:00
    await settle(s.busy, 10);
    const next = nextTick(
      { cron: '0 * * * *', timezone: 'UTC', window: 'always' },
      tick + HOUR + 10 * 60_000,
    );
    await playUntil(s.clock, next ?? 0, s.busy);
    await s.handle.stop();
    expect(
      s.pubsub.messages.filter((m) => m.message.type === 'missed').map((m) => m.message.run_key),
    ).toEqual([runKey('hourly_ohlc', tick + HOUR)]);
    expect(await s.keys()).toEqual([runKey('hourly_ohlc', tick + 2 * HOUR)]);
  });

  it('a job disabled in config (schedules.<name>.enabled = false) does not run', async () => {
    await db.query(`DELETE FROM ops.job_runs WHERE job = 'hourly_ohlc'`);
    const clock = manualClock(tick - 1000);
    const handle = startScheduler({
      db,
      settings: testSettings(),
      log: silentLog,
      registry: stubRegistry(),
      clock,
      sources: () => ({}),
      configStore: async () => new ConfigStore({ db: null }),
      mode: 'embedded',
      only: ['hourly_ohlc'],
      config: {
        find: (c: string, k: string) =>
          c === 'schedules' && k === 'hourly_ohlc.enabled'
            ? { category: c, key: k, value: false, valueType: 'json', description: '', validation: {} }
            : undefined,
      } as never,
    });
    await playUntil(clock, tick + 3 * HOUR, () => db.inFlight() > 0 || handle.busy());
    await handle.stop();
    expect((await db.query(`SELECT 1 FROM ops.job_runs WHERE job = 'hourly_ohlc'`)).rows).toEqual([]);
  });
});

describe('two embedded schedulers on one store', () => {
  it('run each tick once: the second finds the lock held or the run already completed', async () => {
    await db.query(`DELETE FROM ops.job_runs`);
    const start = Date.parse('2024-03-11T13:00:00Z');
    const end = Date.parse('2024-03-11T15:00:00Z');
    const registry = stubRegistry();
    const clock = manualClock(start);
    const make = (owner: string) =>
      startScheduler({
        db,
        settings: testSettings(),
        log: silentLog,
        registry,
        clock,
        sources: () => ({}),
        configStore: async () => new ConfigStore({ db: null }),
        mode: 'embedded',
        owner,
        only: ['hourly_ohlc', 'latest_prices', 'equities_hourly'],
        config: { find: () => undefined },
      });
    const a = make('a');
    const b = make('b');
    await playUntil(
      clock,
      end,
      () => db.inFlight() > 0 || a.busy() || b.busy() || a.running() + b.running() > 0,
    );
    await a.stop();
    await b.stop();
    const rows = (
      await db.query<{ run_key: string; n: number }>(
        `SELECT run_key, count(*)::int AS n FROM ops.job_runs GROUP BY run_key ORDER BY run_key`,
      )
    ).rows;
    const expected: string[] = [];
    for (const name of ['hourly_ohlc', 'latest_prices', 'equities_hourly']) {
      const s = registry.get(name)?.schedule;
      if (s) for (const t of ticksBetween(s, start - 1, end)) expected.push(runKey(name, t));
    }
    expect(rows.map((r) => r.run_key)).toEqual(expected.sort());
    expect(rows.every((r) => r.n === 1)).toBe(true);
  }, 30_000);
});
