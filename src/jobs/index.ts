/**
 * The orchestrator: named jobs (registry.ts) on cron schedules with market windows (schedule.ts), run with
 * a lock, a time limit, retries and history (runner.ts), in this process or on BullMQ workers (queue.ts),
 * driven by one schedule loop (scheduler.ts).
 */
import { describeError } from '../core/errors.ts';
import { sweepStaleRuns } from './history.ts';
import type { QueueOptions } from './queue.ts';
import { createJobQueue } from './queue.ts';
import { type RunnerDeps, type RunOutcome, requireJob, runJob } from './runner.ts';
import { realClock } from './types.ts';

export type { RunnerDeps } from './runner.ts';

export * from './types.ts';

export interface RunNowOptions {
  /** Wait for the outcome (always true in embedded mode from the CLI). @defaultValue false */
  wait?: boolean;
  payload?: unknown;
  /** Enqueue for the workers instead of running here. @defaultValue true when settings.redisUrl is set */
  distributed?: boolean;
  queue?: Partial<QueueOptions>;
  /**
   * Retry a failing run here with the job's backoff (embedded only; queued runs always follow the job's
   * policy). @defaultValue false: one attempt, the failure is answered at once
   */
  retry?: boolean;
  /** Longest wait for a queued run (ms). @defaultValue 3600000 */
  waitTimeoutMs?: number;
}

export interface RunNowResult {
  job: string;
  run_key: string;
  /** `pending` (queued), `running` (started here, not awaited), or the outcome. */
  status: 'pending' | 'running' | RunOutcome['status'];
  queued: boolean;
  attempts?: number;
  records?: number | null;
  error?: string;
}

/** A manual run of `name` now: run here (embedded) or enqueued for the workers (distributed). */
export async function runJobNow(
  deps: RunnerDeps,
  name: string,
  opts: RunNowOptions = {},
): Promise<RunNowResult> {
  const def = requireJob(deps.registry, name);
  await sweepStaleRuns(deps.db);
  const tick = (deps.clock ?? realClock).now();
  const key = `${def.name}:manual:${new Date(tick).toISOString()}`;
  const distributed = opts.distributed ?? Boolean(deps.settings.redisUrl);
  if (distributed) {
    const url = opts.queue?.redisUrl ?? deps.settings.redisUrl;
    if (!url) throw new Error('a queued run needs REDIS_URL');
    const q = createJobQueue({ ...opts.queue, redisUrl: url });
    try {
      const { id } = await q.enqueue(def, {
        name: def.name,
        tick,
        trigger: 'manual',
        key,
        payload: opts.payload,
      });
      if (!opts.wait) return { job: def.name, run_key: key, status: 'pending', queued: true };
      try {
        const r = (await q.wait(id, opts.waitTimeoutMs ?? 3_600_000)) as {
          status?: string;
          records?: number | null;
          attempt?: number;
        };
        return {
          job: def.name,
          run_key: key,
          status: r.status === 'duplicate' ? 'duplicate' : 'completed',
          queued: true,
          attempts: r.attempt,
          records: r.records ?? null,
        };
      } catch (err) {
        return { job: def.name, run_key: key, status: 'failed', queued: true, error: describeError(err) };
      }
    } finally {
      await q.close();
    }
  }
  const run = runJob(deps, {
    name: def.name,
    trigger: 'manual',
    tick,
    key,
    payload: opts.payload,
    maxRetries: opts.retry ? undefined : 0,
  });
  if (!opts.wait) {
    run.catch((err: unknown) =>
      deps.log.error({ err: describeError(err), job: def.name }, 'manual run failed'),
    );
    return { job: def.name, run_key: key, status: 'running', queued: false };
  }
  const out = await run;
  return {
    job: def.name,
    run_key: key,
    status: out.status,
    queued: false,
    attempts: out.attempts.length,
    records: out.records,
    error: out.error,
  };
}
