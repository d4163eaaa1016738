import type { FastifyPluginAsync } from 'fastify';
import { createLogger } from '../../core/log.ts';
import { listRuns } from '../../jobs/history.ts';
import { runJobNow } from '../../jobs/index.ts';
import { DEFAULT_JOBS } from '../../jobs/registry.ts';
import { type RunnerDeps, requireJob } from '../../jobs/runner.ts';
import { listJobStatus } from '../../jobs/status.ts';
import { loadSettings, type Settings } from '../../settings.ts';
import { useApiKeys } from '../api-keys.ts';
import { requireRole } from '../auth.ts';
import type { AppDeps, RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { anyObject, errorResponses } from './common.ts';

/**
 * Jobs: status per job and recent runs (public, like the other data routes), and a manual run
 * (`POST /api/jobs/:name/run`, admin). With REDIS_URL the run is queued for the workers; otherwise it runs in
 * the serving process.
 */

const nullable = (type: string) => ({ type: [type, 'null'] }) as const;

const jobSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    schedule: nullable('string'),
    timezone: nullable('string'),
    window: nullable('string'),
    enabled: { type: 'boolean' },
    status: { type: 'string', enum: ['pending', 'running', 'completed', 'failed', 'skipped'] },
    last_status: nullable('string'),
    last_run: nullable('string'),
    last_success: nullable('string'),
    last_duration_ms: nullable('integer'),
    last_error: nullable('string'),
    next_run: nullable('string'),
    run_count: { type: 'integer' },
    failure_count: { type: 'integer' },
    timeout_ms: { type: 'integer' },
    max_retries: { type: 'integer' },
  },
  required: ['name', 'schedule', 'timezone', 'enabled', 'status', 'last_run', 'next_run'],
} as const;

const runSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    job: { type: 'string' },
    trigger: { type: 'string' },
    status: { type: 'string' },
    attempt: { type: 'integer' },
    started_at: { type: 'string' },
    finished_at: nullable('string'),
    duration_ms: nullable('integer'),
    records: nullable('integer'),
    error: nullable('string'),
    run_key: nullable('string'),
    tick: nullable('string'),
    worker: nullable('string'),
  },
} as const;

const nameParams = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[a-z0-9_]+$' } },
  required: ['name'],
} as const;

const tags = ['jobs'];

export const jobsRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);

  app.get(
    '/api/jobs',
    {
      schema: {
        summary: 'Every job: schedule, time zone, enabled, status, run and failure counts, last and next run',
        tags,
        response: {
          200: {
            type: 'object',
            properties: { jobs: { type: 'array', items: jobSchema } },
            required: ['jobs'],
          },
          ...errorResponses,
        },
      },
    },
    async () => ({ jobs: await listJobStatus(readerOf(deps), Date.now(), DEFAULT_JOBS, deps.config) }),
  );

  app.get<{ Querystring: { limit: number; job?: string } }>(
    '/api/jobs/runs',
    {
      schema: {
        summary: 'Recent runs, newest first (one row per attempt)',
        tags,
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
            job: { type: 'string', maxLength: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { runs: { type: 'array', items: runSchema } },
            required: ['runs'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      if (req.query.job) requireJob(DEFAULT_JOBS, req.query.job);
      const rows = await listRuns(readerOf(deps), { job: req.query.job, limit: req.query.limit });
      return { runs: rows.map(({ summary: _s, ...r }) => r) };
    },
  );
};

function fullSettings(s: AppDeps['settings']): Settings {
  // `serve` hands the whole Settings object; other callers may pass only the API part
  return 'home' in s && 'useMockData' in s ? (s as Settings) : { ...loadSettings(), ...s };
}

/** Admin: run a job now. Mounted in the admin scope (bearer token; this route needs the admin role). */
export const jobsAdminRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  let runner: RunnerDeps | undefined;
  const runnerDeps = (): RunnerDeps => {
    const settings = fullSettings(deps.settings);
    runner ??= {
      db: deps.db,
      settings,
      log: deps.logger || createLogger('silent'),
      registry: DEFAULT_JOBS,
      cache: deps.cache,
      pubsub: deps.pubsub,
      sources: async () => (deps.sources ? (await deps.sources()).prices : {}),
      feedClients: deps.sources,
      configStore: async () => deps.config,
    };
    return runner;
  };

  app.post<{
    Params: { name: string };
    Body: { wait?: boolean; payload?: Record<string, unknown> } | undefined;
  }>(
    '/api/jobs/:name/run',
    {
      preHandler: requireRole('admin'),
      schema: {
        summary:
          'Run a job now (manual trigger): queued for the workers with REDIS_URL, else run in this process',
        tags,
        security: [{ bearerAuth: [] }],
        params: nameParams,
        body: {
          type: ['object', 'null'],
          properties: {
            wait: { type: 'boolean', default: false, description: 'answer with the outcome' },
            payload: anyObject,
          },
        },
        response: {
          200: anyObject,
          202: anyObject,
          403: errorResponses[401],
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      requireJob(DEFAULT_JOBS, req.params.name);
      const result = await runJobNow(runnerDeps(), req.params.name, {
        wait: req.body?.wait ?? false,
        payload: req.body?.payload,
      });
      return reply
        .status(result.status === 'pending' || result.status === 'running' ? 202 : 200)
        .send(result);
    },
  );
};
