import { setMaxListeners } from 'node:events';
import type { ConfigStore } from '../config/store.ts';
import { describeError } from '../core/errors.ts';
import { publishJobEvent } from './events.ts';
import { sweepStaleRuns } from './history.ts';
import { createJobQueue, type JobQueue, type QueueOptions } from './queue.ts';
import { isEnabled } from './registry.ts';
import { type RunnerDeps, type RunOutcome, runJob } from './runner.ts';
import { missedDecision, nextTick, previousTick } from './schedule.ts';
import { type AnyJob, realClock, runKey } from './types.ts';

/**
 * The schedule loop, one per job: sleep (on the injected clock) until the next tick, then hand the tick
 * to `dispatch` — run it in this process (embedded) or enqueue it in BullMQ (distributed). A tick noticed
 * later than the job's grace is skipped and published as `missed`; at start, the latest tick within grace
 * that has no run yet is caught up.
 */

export interface SchedulerDeps extends RunnerDeps {
  /**
   * `embedded` runs jobs in this process; `distributed` only enqueues ticks for `marketpipe worker`s.
   * @defaultValue 'distributed' when `settings.redisUrl` is set, else 'embedded'
   */
  mode?: 'embedded' | 'distributed';
  /** Distributed mode: queue name/prefix and Redis URL (defaults from the settings). */
  queue?: Partial<QueueOptions>;
  /** Config to read `schedules.<name>.enabled` from (the runtime's `config()`). */
  config: Pick<ConfigStore, 'find'>;
  /** Only these jobs (default: every job of the registry with a schedule). */
  only?: readonly string[];
  /** Longest single sleep of the loop, in clock ms, so clock jumps are noticed. @defaultValue 60000 */
  maxSleepMs?: number;
  /** Called after each embedded run (tests, `start`). */
  onRun?: (outcome: RunOutcome) => void;
}

export interface SchedulerHandle {
  mode: 'embedded' | 'distributed';
  /**
   * Stops the loops, lets embedded runs in flight finish for up to `graceMs` (real time), then aborts the
   * rest (recorded failed, not retried) and waits for them. @defaultValue graceMs 30000
   */
  stop(graceMs?: number): Promise<void>;
  /** Resolves when every embedded run started so far has finished. */
  idle(): Promise<void>;
  /** A tick is being dispatched (enqueue or start in progress); for tests driving a manual clock. */
  busy(): boolean;
  /** Embedded runs in flight. */
  running(): number;
}

export function startScheduler(deps: SchedulerDeps): SchedulerHandle {
  const mode = deps.mode ?? (deps.settings.redisUrl ? 'distributed' : 'embedded');
  const clock = deps.clock ?? realClock;
  const stopper = new AbortController();
  /** Aborts embedded runs still going when the stop grace is over. */
  const runsAbort = new AbortController();
  // every schedule loop and every embedded run listens to one of them
  setMaxListeners(0, stopper.signal);
  setMaxListeners(0, runsAbort.signal);
  const inFlight = new Set<Promise<unknown>>();
  let queue: JobQueue | undefined;
  if (mode === 'distributed') {
    const url = deps.queue?.redisUrl ?? deps.settings.redisUrl;
    if (!url) throw new Error('the distributed scheduler needs REDIS_URL');
    queue = createJobQueue({ ...deps.queue, redisUrl: url });
  }

  const track = <T>(p: Promise<T>): void => {
    inFlight.add(p);
    p.finally(() => inFlight.delete(p)).catch(() => undefined);
  };

  let dispatching = 0;
  const dispatch = async (def: AnyJob, tick: number): Promise<void> => {
    dispatching++;
    try {
      await dispatchNow(def, tick);
    } finally {
      dispatching--;
    }
  };

  const dispatchNow = async (def: AnyJob, tick: number): Promise<void> => {
    const key = runKey(def.name, tick);
    if (queue) {
      await queue.enqueue(def, { name: def.name, tick, trigger: 'scheduled', key });
    }
    await publishJobEvent(
      { pubsub: deps.pubsub, log: deps.log },
      { type: 'pending', job: def.name, run_key: key, trigger: 'scheduled' },
    );
    if (queue) return;
    track(
      runJob(deps, { name: def.name, trigger: 'scheduled', tick, signal: runsAbort.signal }).then((out) =>
        deps.onRun?.(out),
      ),
    );
  };

  const alreadyRan = async (key: string): Promise<boolean> => {
    const r = await deps.db.query('SELECT 1 FROM ops.job_runs WHERE run_key = $1 LIMIT 1', [key]);
    return r.rows.length > 0;
  };

  const loop = async (def: AnyJob): Promise<void> => {
    const schedule = def.schedule;
    if (!schedule) return;
    let cursor = clock.now();
    const prev = previousTick(schedule, cursor);
    if (
      prev !== null &&
      missedDecision(prev, cursor, def.graceMs) === 'run' &&
      isEnabled(def, deps.config) &&
      !(await alreadyRan(runKey(def.name, prev)))
    ) {
      await dispatch(def, prev);
    }
    while (!stopper.signal.aborted) {
      const next = nextTick(schedule, cursor);
      if (next === null) return;
      for (let left = next - clock.now(); left > 0; left = next - clock.now()) {
        await clock.sleep(Math.min(left, deps.maxSleepMs ?? 60_000), stopper.signal);
      }
      cursor = next;
      if (!isEnabled(def, deps.config)) continue;
      const now = clock.now();
      if (missedDecision(next, now, def.graceMs) === 'skip') {
        await publishJobEvent(
          { pubsub: deps.pubsub, log: deps.log },
          {
            type: 'missed',
            job: def.name,
            run_key: runKey(def.name, next),
            reason: `noticed ${now - next} ms late, past the ${def.graceMs} ms grace`,
          },
        );
        deps.log.warn({ job: def.name, tick: new Date(next).toISOString() }, 'tick missed (past grace)');
        continue;
      }
      await dispatch(def, next);
    }
  };

  sweepStaleRuns(deps.db).catch((err: unknown) =>
    deps.log.warn({ err: describeError(err) }, 'could not close abandoned runs'),
  );
  const selected = [...deps.registry.values()].filter(
    (d) => d.schedule && (!deps.only || deps.only.includes(d.name)),
  );
  const loops = selected.map((def) =>
    loop(def).catch((err: unknown) => {
      if (stopper.signal.aborted) return;
      deps.log.error({ err: describeError(err), job: def.name }, 'schedule loop stopped');
    }),
  );

  const idle = async (): Promise<void> => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };

  return {
    mode,
    idle,
    busy: () => dispatching > 0,
    running: () => inFlight.size,
    async stop(graceMs = 30_000) {
      stopper.abort(new Error('scheduler stopping'));
      await Promise.allSettled(loops);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([idle(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
      runsAbort.abort(new Error('scheduler stopped'));
      await idle();
      await queue?.close();
    },
  };
}
