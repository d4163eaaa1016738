import type { ConfigStore } from '../config/store.ts';
import type { Queryable } from '../store/db.ts';
import { isEnabled } from './registry.ts';
import { nextTick } from './schedule.ts';
import type { Registry } from './types.ts';

/**
 * Status of a job as users see it: `pending` until it has run once; a timed-out run counts as failed;
 * `skipped` when its last run could do nothing (no API key, provider unreachable; the reason in last_error).
 */
type JobState = 'pending' | 'running' | 'completed' | 'failed' | 'skipped';

/** One row of `jobs list` / `jobs status` / `GET /api/jobs` (DESIGN.md: name … next_run relied on). */
export interface JobStatusRow {
  name: string;
  description: string;
  schedule: string | null;
  timezone: string | null;
  window: string | null;
  enabled: boolean;
  status: JobState;
  last_status: string | null;
  last_run: string | null;
  last_success: string | null;
  last_duration_ms: number | null;
  last_error: string | null;
  next_run: string | null;
  run_count: number;
  failure_count: number;
  timeout_ms: number;
  max_retries: number;
}

interface ViewRow {
  job: string;
  last_status: string;
  last_run: unknown;
  last_duration_ms: number | null;
  last_error: string | null;
  run_count: number;
  failure_count: number;
  last_success: unknown;
}

const iso = (v: unknown): string | null =>
  v === null || v === undefined ? null : (v instanceof Date ? v : new Date(String(v))).toISOString();

function stateOf(last: string | undefined): JobState {
  if (last === undefined || last === 'pending') return 'pending';
  if (last === 'running') return 'running';
  if (last === 'completed') return 'completed';
  if (last === 'skipped') return 'skipped';
  return 'failed';
}

/** Every registered job with its schedule, config flag and history (from the view `ops.etl_job_status`). */
export async function listJobStatus(
  db: Queryable,
  now: number,
  registry: Registry,
  /** The config parameters (`schedules.<name>.enabled`; the runtime's `config()`). */
  cfg: Pick<ConfigStore, 'find'>,
): Promise<JobStatusRow[]> {
  const res = await db.query<ViewRow>(
    `SELECT job, last_status, last_run, last_duration_ms, last_error, run_count, failure_count, last_success
       FROM ops.etl_job_status`,
  );
  const byJob = new Map(res.rows.map((r) => [r.job, r]));
  return [...registry.values()].map((def) => {
    const v = byJob.get(def.name);
    const enabled = isEnabled(def, cfg);
    const next = def.schedule && enabled ? nextTick(def.schedule, now) : null;
    return {
      name: def.name,
      description: def.description,
      schedule: def.schedule?.cron ?? null,
      timezone: def.schedule?.timezone ?? null,
      window: def.schedule?.window ?? null,
      enabled,
      status: stateOf(v?.last_status),
      last_status: v?.last_status ?? null,
      last_run: iso(v?.last_run),
      last_success: iso(v?.last_success),
      last_duration_ms: v?.last_duration_ms ?? null,
      last_error: v?.last_error ?? null,
      next_run: next === null ? null : new Date(next).toISOString(),
      run_count: Number(v?.run_count ?? 0),
      failure_count: Number(v?.failure_count ?? 0),
      timeout_ms: def.timeoutMs,
      max_retries: def.maxRetries,
    };
  });
}
