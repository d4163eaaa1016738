import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { parseTime } from '../../core/time.ts';
import type { RunnerDeps } from '../../jobs/runner.ts';
import { acceleratedClock, type Clock, realClock } from '../../jobs/types.ts';
import type { CommandContext, ContextFactory } from '../context.ts';
import { formatTable } from '../table.ts';

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`${flag}: expected a positive whole number, got "${value}"`);
  return n;
}

/** Resolves on SIGINT/SIGTERM, or after `ms` when given. */
function untilStopped(ms?: number): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (timer) clearTimeout(timer);
      resolve(why);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    const timer = ms === undefined ? undefined : setTimeout(() => done('until'), ms);
  });
}

/** The job registry and its lookup, loaded when a command runs (they import every job's implementation). */
async function registry() {
  const [{ DEFAULT_JOBS }, { requireJob }] = await Promise.all([
    import('../../jobs/registry.ts'),
    import('../../jobs/runner.ts'),
  ]);
  return { DEFAULT_JOBS, requireJob };
}

/** The runner's dependencies, all from the process's runtime (one cache, pub/sub, config and set of clients). */
export async function runnerDeps(c: CommandContext, clock: Clock = c.runtime.clock) {
  const rt = c.runtime;
  const [config, registry] = await Promise.all([rt.config(), rt.registry()]);
  const deps: RunnerDeps = {
    db: rt.store,
    settings: rt.settings,
    log: c.log,
    registry,
    clock,
    cache: rt.cache,
    pubsub: rt.pubsub,
    sources: async () => (await rt.sources()).prices,
    feedClients: rt.sources,
    configStore: rt.config,
    lockTtlMs: rt.settings.jobLockTtlMs,
  };
  return { deps, config };
}

export function register(program: Command, ctx: ContextFactory): void {
  program
    .command('scheduler')
    .description(
      'run the job schedules: in this process, or with REDIS_URL only enqueue each tick for `marketpipe worker`s',
    )
    .option('--embedded', 'run jobs in this process even when REDIS_URL is set')
    .option('--only <names>', 'comma-separated job names')
    .option('--from <time>', 'simulate: start the clock at this instant (with --speed)')
    .option('--speed <n>', 'simulate: run the clock n times faster than real time')
    .option('--until <time>', 'stop when the (simulated) clock reaches this instant')
    .action(
      async (opts: { embedded?: boolean; only?: string; from?: string; speed?: string; until?: string }) => {
        const only = opts.only ? opts.only.split(',').map((s) => s.trim()) : undefined;
        const { DEFAULT_JOBS, requireJob } = await registry();
        for (const name of only ?? []) requireJob(DEFAULT_JOBS, name);
        const speed = positiveInt(opts.speed, '--speed', 1);
        const from = opts.from ? parseTime(opts.from, '--from') : Date.now();
        const until = opts.until ? parseTime(opts.until, '--until') : undefined;
        if (until !== undefined && until <= from) throw new UsageError('--until must be after --from');
        const clock = speed === 1 && !opts.from ? realClock : acceleratedClock(from, speed);
        const c = await ctx();
        const r = await runnerDeps(c, clock);
        const { startScheduler } = await import('../../jobs/scheduler.ts');
        const mode = opts.embedded || !c.settings.redisUrl ? 'embedded' : 'distributed';
        const handle = startScheduler({
          ...r.deps,
          mode,
          only,
          config: r.config,
          queue: { prefix: c.settings.queuePrefix },
        });
        c.log.info({ mode, jobs: only ?? [...DEFAULT_JOBS.keys()] }, 'scheduler started');
        const why = await untilStopped(until === undefined ? undefined : (until - from) / speed);
        c.log.info({ why }, 'scheduler stopping');
        await handle.stop();
        c.print({ stopped: why, mode }, (x) => `scheduler stopped (${x.stopped})`);
      },
    );

  program
    .command('worker')
    .description('run queued jobs from BullMQ (needs REDIS_URL); any number of workers on any machine')
    .option('--concurrency <n>', 'jobs at once', '1')
    .option('--stall-interval <ms>', 'how often jobs of dead workers are looked for', '30000')
    .option('--lock-duration <ms>', "a dead worker's job is free after this long", '30000')
    .action(async (opts: { concurrency?: string; stallInterval?: string; lockDuration?: string }) => {
      const concurrency = positiveInt(opts.concurrency, '--concurrency', 1);
      const stalledIntervalMs = positiveInt(opts.stallInterval, '--stall-interval', 30_000);
      const lockDurationMs = positiveInt(opts.lockDuration, '--lock-duration', 30_000);
      const c = await ctx();
      const redisUrl = c.settings.redisUrl;
      if (!redisUrl) throw new UsageError('marketpipe worker needs REDIS_URL (or --redis URL)');
      const r = await runnerDeps(c);
      const { startWorker } = await import('../../jobs/queue.ts');
      const w = startWorker(r.deps, {
        redisUrl,
        prefix: c.settings.queuePrefix,
        concurrency,
        stalledIntervalMs,
        lockDurationMs,
      });
      c.log.info({ concurrency }, 'worker started');
      const why = await untilStopped();
      await w.stop();
      c.print({ stopped: why }, (x) => `worker stopped (${x.stopped})`);
    });

  const jobs = program.command('jobs').description('scheduled jobs: status, history, manual runs');

  const statusAction = (columns: string[]) => async () => {
    const c = await ctx();
    const [{ listJobStatus }, registry, config] = await Promise.all([
      import('../../jobs/status.ts'),
      c.runtime.registry(),
      c.runtime.config(),
    ]);
    const rows = await listJobStatus(c.db, Date.now(), registry, config);
    c.print({ jobs: rows }, (r) =>
      formatTable(r.jobs, columns as Array<keyof (typeof r.jobs)[number] & string>),
    );
  };
  jobs
    .command('list')
    .description('every job with its schedule, time zone, enabled flag, status, last and next run')
    .action(statusAction(['name', 'schedule', 'timezone', 'enabled', 'status', 'last_run', 'next_run']));
  jobs
    .command('status')
    .description('status per job: runs, failures, last run and outcome, next run')
    .action(
      statusAction([
        'name',
        'enabled',
        'status',
        'run_count',
        'failure_count',
        'last_run',
        'last_duration_ms',
        'next_run',
        'last_error',
      ]),
    );

  jobs
    .command('history [name]')
    .description('recent runs, newest first (one row per attempt)')
    .option('--limit <n>', 'rows', '20')
    .action(async (name: string | undefined, opts: { limit?: string }) => {
      const { DEFAULT_JOBS, requireJob } = await registry();
      if (name) requireJob(DEFAULT_JOBS, name);
      const limit = positiveInt(opts.limit, '--limit', 20);
      const c = await ctx();
      const { listRuns } = await import('../../jobs/history.ts');
      const rows = await listRuns(c.db, { job: name, limit });
      c.print({ runs: rows.map(({ summary: _s, ...r }) => r) }, (r) =>
        formatTable(r.runs, [
          'id',
          'job',
          'trigger',
          'status',
          'attempt',
          'started_at',
          'duration_ms',
          'records',
          'error',
        ]),
      );
    });

  jobs
    .command('run <name>')
    .description('run a job now (manual trigger); with REDIS_URL it is queued for the workers')
    .option('--wait', 'with REDIS_URL: wait for the queued run to finish')
    .option('--payload <json>', "the job's payload as JSON (default: the scheduled one)")
    .option('--retry', "embedded: retry a failing run with the job's backoff (default: one attempt)")
    .action(async (name: string, opts: { wait?: boolean; payload?: string; retry?: boolean }) => {
      const { DEFAULT_JOBS, requireJob } = await registry();
      requireJob(DEFAULT_JOBS, name);
      let payload: unknown;
      if (opts.payload !== undefined) {
        try {
          payload = JSON.parse(opts.payload);
        } catch {
          throw new UsageError('--payload: not valid JSON');
        }
      }
      const c = await ctx();
      const r = await runnerDeps(c);
      const { runJobNow } = await import('../../jobs/index.ts');
      try {
        const distributed = Boolean(c.settings.redisUrl);
        // embedded: the run happens in this process, so the command always waits for it
        const result = await runJobNow(r.deps, name, {
          wait: distributed ? Boolean(opts.wait) : true,
          payload,
          retry: opts.retry,
          distributed,
          queue: { prefix: c.settings.queuePrefix },
        });
        c.print(
          result,
          (x) =>
            `${x.job}: ${x.status}${x.queued ? ' (queued)' : ''}${x.attempts ? `, ${x.attempts} attempt(s)` : ''}${
              x.records !== undefined && x.records !== null ? `, ${x.records} records` : ''
            }${x.error ? ` — ${x.error}` : ''}`,
        );
        if (result.status === 'failed' || result.status === 'timed_out') process.exitCode = 1;
      } finally {
      }
    });
}
