import { z } from 'zod';
import { adminErrorResponses, adminSecurity, errorResponses } from './common.ts';

/**
 * The jobs resource (`/api/jobs`): each job's status, the recent runs, and a manual run (admin). The route
 * validates with these schemas, the OpenAPI document shows them and the Jobs page imports their types.
 */

const JobName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9_]+$/, 'a job name of lower-case letters, digits and _');

/** One job (`GET /api/jobs`, the shape of `jobs list --json`). Times are ISO strings (UTC). */
const JobStatus = z.object({
  name: z.string(),
  description: z.string(),
  schedule: z.string().nullable(),
  timezone: z.string().nullable(),
  window: z.string().nullable(),
  enabled: z.boolean(),
  status: z.enum(['pending', 'running', 'completed', 'failed', 'skipped']),
  last_status: z.string().nullable(),
  last_run: z.string().nullable(),
  last_success: z.string().nullable(),
  last_duration_ms: z.number().int().nullable(),
  last_error: z.string().nullable(),
  next_run: z.string().nullable(),
  run_count: z.number().int(),
  failure_count: z.number().int(),
  timeout_ms: z.number().int(),
  max_retries: z.number().int(),
});
export type JobStatus = z.infer<typeof JobStatus>;

const JobList = z.object({ jobs: z.array(JobStatus) });
export type JobList = z.infer<typeof JobList>;

/** One attempt of a run (`ops.job_runs`); run_key, tick and worker exist from migration 050 on. */
const JobRun = z.object({
  id: z.number().int(),
  job: z.string(),
  trigger: z.string(),
  status: z.string(),
  attempt: z.number().int(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().int().nullable(),
  records: z.number().int().nullable(),
  error: z.string().nullable(),
  run_key: z.string().nullable().optional(),
  tick: z.string().nullable().optional(),
  worker: z.string().nullable().optional(),
});

const JobRunList = z.object({ runs: z.array(JobRun) });
export type JobRunList = z.infer<typeof JobRunList>;

/** `GET /api/jobs/runs`. */
const JobRunsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  job: z.string().max(100).optional(),
});

/** `POST /api/jobs/:name/run` (the body may be left out or null). */
const JobRunBody = z
  .object({
    wait: z.boolean().default(false).describe('answer with the outcome'),
    payload: z.record(z.string(), z.unknown()).optional(),
  })
  .nullable()
  .optional();

/** The answer to a manual run: queued (202 pending), started here (202 running) or its outcome (200). */
const JobRunResult = z.object({
  job: z.string(),
  run_key: z.string(),
  status: z.string().describe('pending (queued), running (started here, not awaited) or the outcome'),
  queued: z.boolean(),
  attempts: z.number().int().optional(),
  records: z.number().nullable().optional(),
  error: z.string().optional(),
});
export type JobRunResult = z.infer<typeof JobRunResult>;

/** Route schemas (OpenAPI document, validation, serialisation). */
export const jobRoutes = {
  list: {
    summary: 'Every job: schedule, time zone, enabled, status, run and failure counts, last and next run',
    tags: ['jobs'],
    response: { 200: JobList, ...errorResponses },
  },
  runs: {
    summary: 'Recent runs, newest first (one row per attempt)',
    tags: ['jobs'],
    querystring: JobRunsQuery,
    response: { 200: JobRunList, ...errorResponses },
  },
  run: {
    summary:
      'Run a job now (manual trigger): queued for the workers with REDIS_URL, else run in this process',
    tags: ['jobs'],
    security: adminSecurity,
    params: z.object({ name: JobName }),
    body: JobRunBody,
    response: { 200: JobRunResult, 202: JobRunResult, ...adminErrorResponses },
  },
} as const;
