import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/config/store.ts';
import { UnrecoverableError, ValidationError } from '../../src/core/errors.ts';
import { sweepStaleRuns } from '../../src/jobs/history.ts';
import { tryLock } from '../../src/jobs/lock.ts';
import { type RunnerDeps, runAttempt, runJob } from '../../src/jobs/runner.ts';
import { listJobStatus } from '../../src/jobs/status.ts';
import { type CountingDb, manualClock, playUntil } from '../../src/jobs/testing.ts';
import { type AnyJob, defineJob, type JobResult } from '../../src/jobs/types.ts';
import { capturePubSub, jobsDb, runs, silentLog, testSettings } from './helpers.ts';

const T0 = Date.parse('2024-03-11T14:00:00Z');
const MIN = 60_000;

let db: CountingDb;
beforeAll(async () => {
  db = await jobsDb();
});
afterAll(async () => {
  await db.close();
});

function job(name: string, handler: AnyJob['handler'], extra: Partial<AnyJob> = {}): AnyJob {
  return defineJob<Record<string, never>>({
    name,
    description: name,
    payload: () => ({}),
    handler,
    ...extra,
  });
}

function deps(jobs: AnyJob[], extra: Partial<RunnerDeps> = {}) {
  const clock = manualClock(T0);
  const pubsub = capturePubSub();
  const d: RunnerDeps = {
    db,
    settings: testSettings(),
    log: silentLog,
    registry: new Map(jobs.map((j) => [j.name, j])),
    clock,
    pubsub,
    sources: () => ({}),
    configStore: async () => new ConfigStore({ db: null }),
    owner: 'test',
    ...extra,
  };
  return { d, clock, events: () => pubsub.messages.map((m) => m.message) };
}

describe('a run that completes', () => {
  it('is recorded once with its run key, records and summary; running then completed on job_events', async () => {
    const { d, events } = deps([job('ok_job', async () => ({ records: 7, note: 'fine' }))]);
    const out = await runJob(d, { name: 'ok_job', trigger: 'scheduled', tick: T0 });
    expect(out.status).toBe('completed');
    expect(out.records).toBe(7);
    const rows = await runs(db, 'ok_job');
    expect(rows).toEqual([
      expect.objectContaining({
        run_key: 'ok_job:2024-03-11T14:00:00.000Z',
        status: 'completed',
        attempt: 1,
        trigger: 'scheduled',
        worker: 'test',
      }),
    ]);
    expect(events().map((e) => e.type)).toEqual(['running', 'completed']);
  });
});

describe('retries with exponential backoff', () => {
  it('a handler failing twice succeeds on the third attempt, 5 then 10 minutes later', async () => {
    let calls = 0;
    const seen: number[] = [];
    const { d, clock, events } = deps([
      job('flaky', async () => {
        seen.push(clock.now() - T0);
        calls++;
        if (calls < 3) throw new Error(`boom ${calls}`);
        return { records: 1 };
      }),
    ]);
    const p = runJob(d, { name: 'flaky', trigger: 'scheduled', tick: T0 });
    await playUntil(clock, T0 + 60 * MIN, () => db.inFlight() > 0);
    const out = await p;
    expect(out.status).toBe('completed');
    expect(seen).toEqual([0, 5 * MIN, 15 * MIN]);
    const rows = await runs(db, 'flaky');
    expect(rows.map((r) => [r.status, r.attempt, r.trigger])).toEqual([
      ['failed', 1, 'scheduled'],
      ['failed', 2, 'retry'],
      ['completed', 3, 'retry'],
    ]);
    expect(new Set(rows.map((r) => r.run_key)).size).toBe(1);
    expect(events().filter((e) => e.type === 'retry_scheduled')).toHaveLength(2);
    expect(events().some((e) => e.type === 'alert')).toBe(false);
  });

  it('a handler that always fails is tried 1 + 3 times, then alerted on the channel and the webhook', async () => {
    const hooks: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        hooks.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const { d, clock, events } = deps(
        [
          job('doomed', async () => {
            throw new Error('provider down');
          }),
        ],
        { settings: testSettings({ ALERT_WEBHOOK_URL: url }) },
      );
      const p = runJob(d, { name: 'doomed', trigger: 'scheduled', tick: T0 });
      await playUntil(clock, T0 + 3 * 3_600_000, () => db.inFlight() > 0);
      const out = await p;
      expect(out.status).toBe('failed');
      expect(out.attempts).toHaveLength(4);
      expect(out.alerted).toBe(true);
      // 5 + 10 + 20 minutes of backoff between the four attempts
      expect(clock.now() - T0).toBeGreaterThanOrEqual(35 * MIN);
      expect((await runs(db, 'doomed')).map((r) => r.status)).toEqual([
        'failed',
        'failed',
        'failed',
        'failed',
      ]);
      const alert = events().find((e) => e.type === 'alert');
      expect(alert).toMatchObject({ job: 'doomed', attempt: 4, error: 'provider down' });
      expect(hooks).toEqual([
        expect.objectContaining({ type: 'alert', job: 'doomed', error: 'provider down' }),
      ]);
    } finally {
      server.close();
    }
  });

  it('UnrecoverableError and bad input are not retried', async () => {
    const { d } = deps([
      job('fatal', async () => {
        throw new UnrecoverableError('bad credentials');
      }),
      job('bad_input', async () => {
        throw new ValidationError('no such symbol');
      }),
    ]);
    for (const name of ['fatal', 'bad_input']) {
      const out = await runJob(d, { name, trigger: 'manual', tick: T0 });
      expect(out.attempts, name).toHaveLength(1);
      expect(out.status).toBe('failed');
      expect(out.alerted).toBe(true);
    }
  });
});

describe('timeouts', () => {
  it('a hanging handler is aborted at its time limit and recorded timed_out, then retried', async () => {
    const signals: AbortSignal[] = [];
    const { d, clock } = deps([
      job(
        'hangs',
        (ctx) => {
          signals.push(ctx.signal);
          return new Promise<JobResult>(() => undefined); // never settles, ignores the signal
        },
        { timeoutMs: 2 * MIN, maxRetries: 1, backoff: { baseMs: MIN, factor: 2, maxMs: MIN } },
      ),
    ]);
    const p = runJob(d, { name: 'hangs', trigger: 'scheduled', tick: T0 });
    await playUntil(clock, T0 + 30 * MIN, () => db.inFlight() > 0);
    const out = await p;
    expect(out.status).toBe('timed_out');
    expect(out.attempts.map((a) => a.status)).toEqual(['timed_out', 'timed_out']);
    expect(out.error).toBe('timed out after 120000 ms');
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect((await runs(db, 'hangs')).map((r) => r.status)).toEqual(['timed_out', 'timed_out']);
  });

  it('a handler that honours its signal stops at the limit', async () => {
    let stopped = false;
    const { d, clock } = deps([
      job(
        'polite',
        (ctx) =>
          new Promise<JobResult>((_, reject) => {
            ctx.signal.addEventListener('abort', () => {
              stopped = true;
              reject(ctx.signal.reason);
            });
          }),
        { timeoutMs: MIN, maxRetries: 0, alertOnFailure: false },
      ),
    ]);
    const p = runJob(d, { name: 'polite', trigger: 'manual', tick: T0 });
    await playUntil(clock, T0 + 5 * MIN, () => db.inFlight() > 0);
    expect((await p).status).toBe('timed_out');
    expect(stopped).toBe(true);
  });
});

describe('no two runs of one job at once', () => {
  it('a second run while the first holds the lock is skipped', async () => {
    let release: (() => void) | undefined;
    const { d } = deps([
      job('exclusive', () =>
        release
          ? Promise.resolve({ records: 1 })
          : new Promise<JobResult>((r) => {
              release = () => r({ records: 1 });
            }),
      ),
    ]);
    const first = runAttempt(d, { name: 'exclusive', trigger: 'scheduled', tick: T0 }, 1);
    while (!release) await new Promise((r) => setTimeout(r, 5));
    const second = await runAttempt(d, { name: 'exclusive', trigger: 'scheduled', tick: T0 + 3_600_000 }, 1);
    expect(second.status).toBe('skipped');
    release?.();
    expect((await first).status).toBe('completed');
    const third = await runAttempt(d, { name: 'exclusive', trigger: 'manual', tick: T0 + 7_200_000 }, 1);
    expect(third.status).toBe('completed');
  });

  it('pg_try_advisory_lock is re-entrant on PGlite (one shared session), which is why a lease is used', async () => {
    const a = await db.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext('x')) AS ok`);
    const b = await db.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext('x')) AS ok`);
    expect([a.rows[0]?.ok, b.rows[0]?.ok]).toEqual([true, true]);
    await db.query(`SELECT pg_advisory_unlock_all()`);
  });

  it('the lease excludes other runs, is taken over once expired, and reclaimed by the same run only when asked', async () => {
    const l1 = await tryLock(db, 'leased', 'leased:a', 'w1', { ttlMs: 60_000 });
    expect(l1).not.toBeNull();
    expect(await tryLock(db, 'leased', 'leased:b', 'w2')).toBeNull();
    // the same run (a stalled BullMQ job re-delivered) may take its lease back
    expect(await tryLock(db, 'leased', 'leased:a', 'w2')).toBeNull();
    const again = await tryLock(db, 'leased', 'leased:a', 'w2', { reclaim: true });
    expect(again?.owner).toBe('w2');
    await db.query(`UPDATE ops.job_locks SET expires_at = now() - interval '1 second' WHERE job = 'leased'`);
    const l3 = await tryLock(db, 'leased', 'leased:c', 'w3');
    expect(l3?.owner).toBe('w3');
    await l3?.release();
    await l1?.release(); // not ours any more: a no-op
    expect((await db.query(`SELECT * FROM ops.job_locks WHERE job = 'leased'`)).rows).toEqual([]);
  });
});

describe('abandoned runs', () => {
  it('a run left running by a dead process (no live lock) is closed as failed; live and legacy rows are kept', async () => {
    await db.query(
      `INSERT INTO ops.job_runs (job, trigger, status, attempt, run_key, started_at) VALUES
         ('ghost', 'scheduled', 'running', 1, 'ghost:1', now() - interval '2 minutes'),
         ('alive', 'scheduled', 'running', 1, 'alive:1', now() - interval '2 minutes'),
         ('ingest:daily', 'manual', 'running', 1, NULL, now() - interval '2 minutes'),
         ('fresh', 'scheduled', 'running', 1, 'fresh:1', now())`,
    );
    const lock = await tryLock(db, 'alive', 'alive:1', 'w');
    expect(await sweepStaleRuns(db)).toBe(1);
    const rows = await db.query<{ job: string; status: string }>(
      `SELECT job, status FROM ops.job_runs WHERE job IN ('ghost', 'alive', 'ingest:daily', 'fresh') ORDER BY job`,
    );
    expect(rows.rows).toEqual([
      { job: 'alive', status: 'running' },
      { job: 'fresh', status: 'running' },
      { job: 'ghost', status: 'failed' },
      { job: 'ingest:daily', status: 'running' },
    ]);
    await lock?.release();
    await db.query(`DELETE FROM ops.job_runs WHERE job IN ('ghost', 'alive', 'ingest:daily', 'fresh')`);
  });
});

describe('status per job', () => {
  it('listJobStatus combines the registry and ops.etl_job_status', async () => {
    const { d } = deps([]);
    const registry = new Map([
      [
        'ok_job',
        job('ok_job', async () => ({}), {
          schedule: { cron: '0 * * * *', timezone: 'UTC', window: 'always' },
        }),
      ],
      ['doomed', job('doomed', async () => ({}))],
      ['never_ran', job('never_ran', async () => ({}))],
    ]);
    const rows = await listJobStatus(d.db, T0 + 1, registry, new ConfigStore({ db: null }));
    const by = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(by.ok_job).toMatchObject({
      status: 'completed',
      run_count: 1,
      failure_count: 0,
      next_run: '2024-03-11T15:00:00.000Z',
      schedule: '0 * * * *',
      timezone: 'UTC',
      enabled: true,
    });
    expect(by.doomed).toMatchObject({
      status: 'failed',
      run_count: 4,
      failure_count: 4,
      last_error: 'provider down',
    });
    expect(by.never_ran).toMatchObject({ status: 'pending', run_count: 0, last_run: null, next_run: null });
  });
});
