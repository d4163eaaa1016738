import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisPubSub } from '../../src/cache/redis.ts';
import { ConfigStore } from '../../src/config/store.ts';
import { createJobQueue, type JobQueue } from '../../src/jobs/queue.ts';
import { ticksBetween } from '../../src/jobs/schedule.ts';
import { startScheduler } from '../../src/jobs/scheduler.ts';
import { countingDb, manualClock, playUntil } from '../../src/jobs/testing.ts';
import { runKey } from '../../src/jobs/types.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { createTempDatabase } from '../store/backends.ts';
import { stubRegistry } from './fixtures/registry.ts';
import { silentLog, testSettings } from './helpers.ts';

/**
 * The distributed path for real: PostgreSQL 15 as the store, the machine's Redis for BullMQ, and worker
 * PROCESSES (node --import tsx test/jobs/fixtures/worker.ts), one of them killed with SIGKILL mid-job.
 */
const REDIS_URL = process.env.MARKETPIPE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const PREFIX = `mpjobs_${Math.random().toString(36).slice(2, 10)}`;

let temp: Awaited<ReturnType<typeof createTempDatabase>>;
let db: Db;
let queue: JobQueue;
const workers = new Map<string, ChildProcess>();

async function spawnWorker(name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/jobs/fixtures/worker.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: temp.url,
      REDIS_URL,
      QUEUE_PREFIX: PREFIX,
      WORKER_NAME: name,
      MARKETPIPE_HOME: testSettings().home,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code}): ${err}`)));
  });
  workers.set(name, child);
  return child;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  temp = await createTempDatabase('jobs');
  db = await openPostgres(temp.url, { max: 4 });
  await migrate(db);
  queue = createJobQueue({ redisUrl: REDIS_URL, prefix: PREFIX });
  await Promise.all([spawnWorker('w1'), spawnWorker('w2')]);
}, 60_000);

afterAll(async () => {
  for (const w of workers.values()) {
    if (w.exitCode === null && w.signalCode === null) {
      w.kill('SIGTERM');
      await Promise.race([once(w, 'exit'), new Promise((r) => setTimeout(r, 3000))]);
      if (w.exitCode === null) w.kill('SIGKILL');
    }
  }
  await queue.queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  const r = new Redis(REDIS_URL);
  const keys = await r.keys(`${PREFIX}*`);
  if (keys.length) await r.del(...keys);
  r.disconnect();
  await db.close();
  await temp.drop();
}, 30_000);

describe('distributed workers on BullMQ (real Redis, two worker processes)', () => {
  it('a worker killed with SIGKILL mid-job: the other picks the job up after the stall interval and completes it', async () => {
    const registry = stubRegistry();
    const slow = registry.get('slow');
    if (!slow) throw new Error('no slow job');
    const key = 'slow:manual:kill-test';
    await queue.enqueue(slow, {
      name: 'slow',
      tick: Date.now(),
      trigger: 'manual',
      key,
      payload: { ms: 2500 },
    });
    const first = await waitFor('the first attempt to start', async () => {
      const r = await db.query<{ worker: string }>(
        `SELECT worker FROM ops.job_runs WHERE run_key = $1 AND status = 'running'`,
        [key],
      );
      return r.rows[0]?.worker;
    });
    const victim = workers.get(first);
    if (!victim) throw new Error(`unknown worker ${first}`);
    victim.kill('SIGKILL');
    await once(victim, 'exit');
    workers.delete(first);

    const done = await waitFor('the run to complete on the other worker', async () => {
      const r = await db.query<{ worker: string; attempt: number; trigger: string }>(
        `SELECT worker, attempt, trigger FROM ops.job_runs WHERE run_key = $1 AND status = 'completed'`,
        [key],
      );
      return r.rows[0];
    });
    expect(done.worker).not.toBe(first);
    expect(done.attempt).toBe(2);
    expect(done.trigger).toBe('retry');
    const all = await db.query<{ status: string; error: string | null; worker: string }>(
      `SELECT status, error, worker FROM ops.job_runs WHERE run_key = $1 ORDER BY id`,
      [key],
    );
    expect(all.rows).toEqual([
      {
        status: 'failed',
        error: 'abandoned: its worker stopped; the run was picked up again',
        worker: first,
      },
      { status: 'completed', error: null, worker: done.worker },
    ]);
    // keep two workers for what follows
    await spawnWorker('w3');
  }, 40_000);

  it('two schedulers and two workers play a simulated trading day: every tick enqueued and recorded once, the failing job retried and alerted', async () => {
    const start = Date.parse('2024-03-11T00:00:00Z'); // Monday, the first EDT trading day of 2024
    const end = Date.parse('2024-03-12T00:00:00Z');
    const registry = stubRegistry({ failBackoffMs: 200 });
    const alerts: string[] = [];
    const listener = new RedisPubSub({ url: REDIS_URL, channelPrefix: `${PREFIX}:` });
    await listener.subscribe('job_events', (m) => {
      if (m.type === 'alert') alerts.push(String(m.run_key));
    });
    const clock = manualClock(start);
    const counted = countingDb(db);
    const common = {
      db: counted,
      settings: testSettings({ REDIS_URL }),
      log: silentLog,
      registry,
      clock,
      mode: 'distributed' as const,
      queue: { redisUrl: REDIS_URL, prefix: PREFIX },
      config: { find: () => undefined },
      sources: () => ({}),
      configStore: async () => new ConfigStore({ db: null }),
    };
    const a = startScheduler({ ...common, owner: 'scheduler-a' });
    const b = startScheduler({ ...common, owner: 'scheduler-b' });
    await playUntil(clock, end, () => counted.inFlight() > 0 || a.busy() || b.busy());
    await a.stop();
    await b.stop();

    const expected: string[] = [];
    for (const def of registry.values()) {
      if (def.schedule)
        for (const t of ticksBetween(def.schedule, start - 1, end)) expected.push(runKey(def.name, t));
    }
    const ok = expected.filter((k) => !k.startsWith('always_fails')).sort();
    expect(ok.length).toBeGreaterThan(400);

    await waitFor(
      'the workers to drain the queue',
      async () => {
        const c = await queue.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return Object.values(c).every((n) => n === 0) ? true : undefined;
      },
      45_000,
    );
    const counts = await queue.queue.getJobCounts('completed', 'failed');
    // one queue job per tick although two schedulers enqueued every tick (+1 completed: the kill test)
    expect((counts.completed ?? 0) + (counts.failed ?? 0)).toBe(expected.length + 1);
    expect(counts.failed).toBe(1);

    const rows = (
      await db.query<{ run_key: string; status: string; n: number }>(
        `SELECT run_key, status, count(*)::int AS n FROM ops.job_runs
          WHERE run_key NOT LIKE 'slow:%' GROUP BY run_key, status ORDER BY run_key`,
      )
    ).rows;
    const completed = rows.filter((r) => r.status === 'completed');
    expect(completed.map((r) => r.run_key)).toEqual(ok);
    expect(completed.every((r) => r.n === 1)).toBe(true);
    expect(rows.filter((r) => r.run_key.startsWith('always_fails'))).toEqual([
      { run_key: 'always_fails:2024-03-11T12:00:00.000Z', status: 'failed', n: 3 },
    ]);
    await waitFor('the alert', async () => (alerts.length > 0 ? true : undefined), 5000);
    expect(alerts).toEqual(['always_fails:2024-03-11T12:00:00.000Z']);
    await listener.close();
  }, 90_000);
});
