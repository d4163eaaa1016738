import { hostname } from 'node:os';
import type { Cache, PubSub } from '../cache/index.ts';
import type { ConfigStore } from '../config/store.ts';
import {
  AppError,
  ConfigError,
  describeError,
  NotFoundError,
  TimeoutError,
  UnrecoverableError,
} from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { FeedClients } from '../pipeline/feeds/feed.ts';
import type { Settings } from '../settings.ts';
import type { Source } from '../sources/types.ts';
import type { Db } from '../store/db.ts';
import { type EventSink, publishJobEvent, raiseAlert } from './events.ts';
import { closeAbandoned, finishRun, type RunTrigger, startRun } from './history.ts';
import { tryLock } from './lock.ts';
import { backoffDelay } from './schedule.ts';
import { type AnyJob, type Clock, type JobResult, type Registry, realClock, runKey } from './types.ts';

/** Everything the runner needs; one object shared by the scheduler, the worker, the CLI and the API. */
export interface RunnerDeps {
  db: Db;
  settings: Settings;
  log: Logger;
  registry: Registry;
  /** @defaultValue the real clock */
  clock?: Clock;
  pubsub?: PubSub;
  cache?: Cache;
  /** The price connectors (the runtime's, one client per provider). */
  sources: () => Readonly<Record<string, Source>> | Promise<Readonly<Record<string, Source>>>;
  /** The economic/news/events providers' clients (the runtime's); feed jobs that need a provider fail without. */
  feedClients?: () => Promise<FeedClients>;
  /** The process's config parameters (the runtime's `config()`), handed to jobs as `ctx.config`. */
  configStore: () => Promise<ConfigStore>;
  /** Names this process in `ops.job_runs.worker` and the lock. @defaultValue `host:pid` */
  owner?: string;
  /** Job lock lease (ms). @defaultValue 60000 */
  lockTtlMs?: number;
  /** For the alert webhook (tests). @defaultValue global fetch */
  fetch?: typeof fetch;
}

export interface RunRequest {
  name: string;
  trigger: Exclude<RunTrigger, 'retry'>;
  /** The tick (UTC ms) the run belongs to; for manual runs, the request time. */
  tick: number;
  /** @defaultValue the job's `payload(tick)` */
  payload?: unknown;
  /** Overrides the deterministic key `name:tickISO` (manual runs). */
  key?: string;
  /** Aborts the run (shutdown): recorded failed, not retried. */
  signal?: AbortSignal;
  /** Overrides the job's `maxRetries` (manual runs default to none: someone is waiting for the answer). */
  maxRetries?: number;
  /** Take the job lock back from an earlier attempt of this same run (queue re-delivery of a stalled job). */
  reclaimLock?: boolean;
}

/**
 * `skipped`: another run of the job holds its lock (`run_id` null, nothing recorded), or the handler ran and
 * found nothing it could do (no API key, provider unreachable: recorded with the reason in `error`);
 * `duplicate`: this run key already completed (a second scheduler, or a queue re-delivery after the work was
 * done), so nothing ran.
 */
type AttemptStatus = 'completed' | 'failed' | 'timed_out' | 'skipped' | 'duplicate';

export interface AttemptOutcome {
  status: AttemptStatus;
  run_key: string;
  run_id: number | null;
  attempt: number;
  records: number | null;
  duration_ms: number;
  error?: string;
  /** Worth another attempt (false for UnrecoverableError, bad input, shutdown). */
  retryable: boolean;
  result?: JobResult;
}

export interface RunOutcome {
  job: string;
  run_key: string;
  status: AttemptStatus;
  attempts: AttemptOutcome[];
  records: number | null;
  error?: string;
  alerted: boolean;
}

/**
 * Whether another attempt may help: plain errors and retryable AppErrors (timeouts, outages) yes;
 * UnrecoverableError and the input errors (validation, not found, usage, config, conflict) no.
 */
function isRetryable(err: unknown): boolean {
  if (err instanceof UnrecoverableError) return false;
  if (err instanceof AppError) return err.retryable || err.code === 'internal';
  return true;
}

export function ownerOf(deps: RunnerDeps): string {
  return deps.owner ?? `${hostname()}:${process.pid}`;
}

export function requireJob(registry: Registry, name: string): AnyJob {
  const def = registry.get(name);
  if (!def) {
    throw new NotFoundError(`unknown job "${name}" (known: ${[...registry.keys()].join(', ')})`);
  }
  return def;
}

function sink(deps: RunnerDeps): EventSink {
  return {
    pubsub: deps.pubsub,
    log: deps.log,
    alertWebhookUrl: deps.settings.alertWebhookUrl,
    fetch: deps.fetch,
  };
}

/**
 * One attempt of one run: takes the job's lock (another run holding it → `skipped`), records the attempt
 * in `ops.job_runs`, runs the handler under the job's time limit (aborted → `timed_out`) and publishes
 * every transition on `job_events`. Never throws for a failing handler; the outcome says what happened.
 */
export async function runAttempt(
  deps: RunnerDeps,
  req: RunRequest,
  attemptIn: number | 'auto',
): Promise<AttemptOutcome> {
  const def = requireJob(deps.registry, req.name);
  const clock = deps.clock ?? realClock;
  const key = req.key ?? runKey(def.name, req.tick);
  const owner = ownerOf(deps);
  const events = sink(deps);
  const lock = await tryLock(deps.db, def.name, key, owner, {
    ttlMs: deps.lockTtlMs,
    reclaim: req.reclaimLock,
    onRenewError: (err) => deps.log.warn({ err: describeError(err), job: def.name }, 'lock renewal failed'),
  });
  if (!lock) {
    const attempt = attemptIn === 'auto' ? 0 : attemptIn;
    await publishJobEvent(events, {
      type: 'skipped',
      job: def.name,
      run_key: key,
      attempt,
      trigger: req.trigger,
      reason: 'another run of this job holds its lock',
    });
    return {
      status: 'skipped',
      run_key: key,
      run_id: null,
      attempt,
      records: null,
      duration_ms: 0,
      error: 'another run of this job is in progress',
      retryable: false,
    };
  }
  const started = performance.now();
  try {
    // under the lock, so the check and the new attempt cannot interleave with another process's
    const done = await deps.db.query(
      `SELECT 1 FROM ops.job_runs WHERE run_key = $1 AND status = 'completed' LIMIT 1`,
      [key],
    );
    if (done.rows.length > 0) {
      await publishJobEvent(events, {
        type: 'skipped',
        job: def.name,
        run_key: key,
        trigger: req.trigger,
        reason: 'this run already completed',
      });
      return {
        status: 'duplicate',
        run_key: key,
        run_id: null,
        attempt: 0,
        records: null,
        duration_ms: 0,
        retryable: false,
      };
    }
    // 'auto' (queue deliveries): one more than the attempts recorded for the run so far
    const attempt =
      attemptIn === 'auto'
        ? 1 +
          Number(
            (
              await deps.db.query<{ n: number }>(
                'SELECT count(*)::int AS n FROM ops.job_runs WHERE run_key = $1',
                [key],
              )
            ).rows[0]?.n ?? 0,
          )
        : attemptIn;
    const trigger: RunTrigger = attempt > 1 ? 'retry' : req.trigger;
    await closeAbandoned(deps.db, key, 'abandoned: its worker stopped; the run was picked up again');
    const runId = await startRun(deps.db, def.name, trigger, attempt, {
      runKey: key,
      tick: req.tick,
      worker: owner,
    });
    await publishJobEvent(events, {
      type: 'running',
      job: def.name,
      run_key: key,
      attempt,
      trigger,
      run_id: runId,
    });

    const ac = new AbortController();
    const stopTimer = new AbortController();
    const onOuter = (): void => ac.abort(new UnrecoverableError('aborted: the scheduler is stopping'));
    req.signal?.addEventListener('abort', onOuter, { once: true });
    clock.sleep(def.timeoutMs, stopTimer.signal).then(
      () => ac.abort(new TimeoutError(`timed out after ${def.timeoutMs} ms`)),
      () => undefined,
    );
    const aborted = new Promise<never>((_, reject) => {
      ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true });
    });
    aborted.catch(() => undefined);

    let outcome: AttemptOutcome;
    try {
      if (req.signal?.aborted) onOuter();
      const sources = await deps.sources();
      const payload = req.payload ?? def.payload(req.tick);
      const result = await Promise.race([
        def.handler(
          {
            db: deps.db,
            settings: deps.settings,
            sources,
            feedClients: deps.feedClients ?? noFeedClients,
            config: deps.configStore,
            cache: deps.cache,
            pubsub: deps.pubsub,
            log: deps.log,
            signal: ac.signal,
            tick: req.tick,
            attempt,
          },
          payload,
        ),
        aborted,
      ]);
      const records = typeof result.records === 'number' ? result.records : null;
      // A handler that could not do its work for a reason retrying will not fix soon (no API key, provider
      // unreachable) says so: recorded `skipped` with the reason, neither failed nor retried nor alerted.
      const skipped = typeof result.skipped === 'string' ? result.skipped : undefined;
      await finishRun(deps.db, runId, {
        status: skipped ? 'skipped' : 'completed',
        records: records ?? undefined,
        error: skipped,
        summary: result,
      });
      outcome = {
        status: skipped ? 'skipped' : 'completed',
        run_key: key,
        run_id: runId,
        attempt,
        records,
        duration_ms: Math.round(performance.now() - started),
        retryable: false,
        result,
        ...(skipped ? { error: skipped } : {}),
      };
    } catch (err) {
      const timedOut = err instanceof TimeoutError && ac.signal.reason === err;
      const status = timedOut ? 'timed_out' : 'failed';
      const message = describeError(err);
      await finishRun(deps.db, runId, { status, error: message });
      outcome = {
        status,
        run_key: key,
        run_id: runId,
        attempt,
        records: null,
        duration_ms: Math.round(performance.now() - started),
        error: message,
        retryable: isRetryable(err),
      };
    } finally {
      stopTimer.abort();
      req.signal?.removeEventListener('abort', onOuter);
    }
    await publishJobEvent(events, {
      type: outcome.status === 'duplicate' ? 'skipped' : outcome.status,
      job: def.name,
      run_key: key,
      attempt,
      trigger,
      run_id: runId,
      records: outcome.records,
      duration_ms: outcome.duration_ms,
      error: outcome.error,
    });
    return outcome;
  } finally {
    await lock
      .release()
      .catch((err: unknown) =>
        deps.log.warn({ err: describeError(err), job: def.name }, 'lock release failed'),
      );
  }
}

async function noFeedClients(): Promise<FeedClients> {
  throw new ConfigError('no provider clients were given to this job runner');
}

/**
 * A whole run in this process: attempts with exponential backoff (waited on the injected clock) until one
 * completes, the error is not retryable, or `maxRetries` retries are spent; then an alert when the job
 * asks for one. A run whose lock is held elsewhere is `skipped` at once (no retry: that run is happening).
 */
export async function runJob(deps: RunnerDeps, req: RunRequest): Promise<RunOutcome> {
  const def = requireJob(deps.registry, req.name);
  const clock = deps.clock ?? realClock;
  const attempts: AttemptOutcome[] = [];
  for (let attempt = 1; ; attempt++) {
    const out = await runAttempt(deps, req, attempt);
    attempts.push(out);
    if (out.status === 'completed' || out.status === 'skipped' || out.status === 'duplicate') break;
    const last =
      attempt > (req.maxRetries ?? def.maxRetries) || !out.retryable || req.signal?.aborted === true;
    if (last) break;
    const delay = backoffDelay(def.backoff, attempt);
    await publishJobEvent(sink(deps), {
      type: 'retry_scheduled',
      job: def.name,
      run_key: out.run_key,
      attempt: attempt + 1,
      retry_in_ms: delay,
      error: out.error,
    });
    try {
      await clock.sleep(delay, req.signal);
    } catch {
      break;
    }
  }
  const final = attempts[attempts.length - 1] as AttemptOutcome;
  const failed = final.status === 'failed' || final.status === 'timed_out';
  let alerted = false;
  if (failed && def.alertOnFailure) {
    await raiseAlert(sink(deps), {
      job: def.name,
      run_key: final.run_key,
      attempt: final.attempt,
      run_id: final.run_id ?? undefined,
      error: final.error,
    });
    alerted = true;
  }
  return {
    job: def.name,
    run_key: final.run_key,
    status: final.status,
    attempts,
    records: final.records,
    error: final.error,
    alerted,
  };
}
