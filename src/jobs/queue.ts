import {
  UnrecoverableError as BullUnrecoverable,
  type ConnectionOptions,
  DelayedError,
  Queue,
  QueueEvents,
  Worker,
} from 'bullmq';
import { describeError } from '../core/errors.ts';
import { publishJobEvent, raiseAlert } from './events.ts';
import { sweepStaleRuns } from './history.ts';
import { ownerOf, type RunnerDeps, requireJob, runAttempt } from './runner.ts';
import { backoffDelay } from './schedule.ts';
import { type AnyJob, queueJobId, type Registry } from './types.ts';

/**
 * Distributed runs on BullMQ: the scheduler enqueues one queue job per tick with the deterministic id
 * (`name:tick`, ':' written '_' as BullMQ asks), so two schedulers add each tick once; any number of
 * workers take them. A worker that dies mid-job stops renewing the job's queue lock; after `lockDurationMs`
 * the next stalled check (every `stalledIntervalMs`) puts the job back and another worker runs it.
 */

export interface QueueOptions {
  redisUrl: string;
  /** Redis key prefix (one per deployment, or per test). @defaultValue 'marketpipe' */
  prefix?: string;
  /** @defaultValue 'jobs' */
  queueName?: string;
}

export interface WorkerOptions extends QueueOptions {
  /** Jobs run at once by this worker. @defaultValue 1 */
  concurrency?: number;
  /** How often stalled jobs are looked for (ms). @defaultValue 30000 */
  stalledIntervalMs?: number;
  /** Queue lock of a running job, renewed every half of it; a dead worker's job is free after it (ms). @defaultValue 30000 */
  lockDurationMs?: number;
  /** Times a job may stall before it is failed. @defaultValue 2 */
  maxStalledCount?: number;
  /** A run whose job is locked by another run is re-queued this much later (ms). @defaultValue 1000 */
  lockBusyDelayMs?: number;
}

/** What a queue job carries. */
interface QueuedRun {
  name: string;
  tick: number;
  trigger: 'scheduled' | 'manual';
  /** The run key `name:tickISO` (history), unique per run. */
  key: string;
  payload?: unknown;
}

export interface JobQueue {
  queue: Queue;
  /** Adds the run unless a queue job with its id exists (then that one is returned). */
  enqueue(def: AnyJob, run: QueuedRun): Promise<{ id: string }>;
  /** Waits for the queue job to finish; resolves to its return value, rejects with its failure. */
  wait(id: string, timeoutMs?: number): Promise<unknown>;
  close(): Promise<void>;
}

/** ioredis options from a `redis://` URL (BullMQ workers need `maxRetriesPerRequest: null`). */
function redisConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db: Number.isFinite(db) ? db : 0,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

export function createJobQueue(o: QueueOptions): JobQueue {
  const connection = redisConnection(o.redisUrl);
  const name = o.queueName ?? 'jobs';
  const prefix = o.prefix ?? 'marketpipe';
  const queue = new Queue(name, { connection, prefix });
  let events: QueueEvents | undefined;
  return {
    queue,
    async enqueue(def, run) {
      const id = queueJobId(run.key);
      await queue.add(def.name, run, {
        jobId: id,
        attempts: def.maxRetries + 1,
        backoff: { type: 'marketpipe' },
        // kept a week so a second scheduler adding the same tick later still finds it
        removeOnComplete: { age: 7 * 86_400 },
        removeOnFail: { age: 30 * 86_400 },
      });
      return { id };
    },
    async wait(id, timeoutMs) {
      const job = await queue.getJob(id);
      if (!job) throw new Error(`queue job ${id} not found`);
      events ??= new QueueEvents(name, { connection, prefix });
      await events.waitUntilReady();
      return job.waitUntilFinished(events, timeoutMs);
    },
    async close() {
      await events?.close();
      await queue.close();
    },
  };
}

export interface WorkerHandle {
  worker: Worker;
  /** Finishes the jobs in hand, then disconnects. */
  stop(): Promise<void>;
}

/**
 * A BullMQ worker running the registry's jobs: each delivery is one attempt (history row, job lock,
 * time limit, `job_events`). BullMQ re-delivers failed attempts after the job's backoff (ours, as data)
 * until `maxRetries` retries are spent; the last failure raises the alert.
 */
export function startWorker(deps: RunnerDeps, o: WorkerOptions): WorkerHandle {
  const connection = redisConnection(o.redisUrl);
  const registry: Registry = deps.registry;
  const worker = new Worker<QueuedRun>(
    o.queueName ?? 'jobs',
    async (job, token) => {
      const run = job.data;
      const def = requireJob(registry, run.name);
      const out = await runAttempt(
        deps,
        {
          name: run.name,
          trigger: run.trigger,
          tick: run.tick,
          payload: run.payload,
          key: run.key,
          // BullMQ delivers a job id to one worker at a time: an earlier holder of this run's lease is gone
          reclaimLock: true,
        },
        'auto',
      );
      if (out.status === 'skipped' && out.run_id === null) {
        // another run of this job is in progress (a backlog of ticks): wait for it rather than drop the tick
        await job.moveToDelayed(Date.now() + (o.lockBusyDelayMs ?? 1000), token);
        throw new DelayedError();
      }
      const attempt = out.attempt;
      // a recorded skip (no key, provider unreachable) is an answer, not a failure to retry
      if (out.status === 'completed' || out.status === 'duplicate' || out.status === 'skipped') {
        return { status: out.status, records: out.records, attempt, worker: ownerOf(deps) };
      }
      const last = !out.retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const sink = {
        pubsub: deps.pubsub,
        log: deps.log,
        alertWebhookUrl: deps.settings.alertWebhookUrl,
        fetch: deps.fetch,
      };
      if (last) {
        if (def.alertOnFailure) {
          await raiseAlert(sink, {
            job: def.name,
            run_key: run.key,
            attempt,
            run_id: out.run_id ?? undefined,
            error: out.error,
          });
        }
        throw new BullUnrecoverable(out.error ?? out.status);
      }
      await publishJobEvent(sink, {
        type: 'retry_scheduled',
        job: def.name,
        run_key: run.key,
        attempt: attempt + 1,
        retry_in_ms: backoffDelay(def.backoff, job.attemptsMade + 1),
        error: out.error,
      });
      throw new Error(out.error ?? out.status);
    },
    {
      connection,
      prefix: o.prefix ?? 'marketpipe',
      concurrency: o.concurrency ?? 1,
      stalledInterval: o.stalledIntervalMs ?? 30_000,
      lockDuration: o.lockDurationMs ?? 30_000,
      maxStalledCount: o.maxStalledCount ?? 2,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, _err?: Error, job?: { name?: string }) => {
          const def = job?.name ? registry.get(job.name) : undefined;
          return def ? backoffDelay(def.backoff, attemptsMade) : 5 * 60_000;
        },
      },
    },
  );
  worker.on('error', (err) => deps.log.warn({ err: describeError(err) }, 'worker error'));
  sweepStaleRuns(deps.db).catch((err: unknown) =>
    deps.log.warn({ err: describeError(err) }, 'could not close abandoned runs'),
  );
  return {
    worker,
    async stop() {
      await worker.close();
    },
  };
}
