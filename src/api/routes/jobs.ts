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
import { jobRoutes as contract } from '../contract/jobs.ts';
import type { AppDeps, RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';

/**
 * Jobs: status per job and recent runs (public, like the other data routes), and a manual run
 * (`POST /api/jobs/:name/run`, admin). With REDIS_URL the run is queued for the workers; otherwise it runs in
 * the serving process.
 */

export const jobsRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);

  app.get('/api/jobs', { schema: contract.list }, async () => ({
    jobs: await listJobStatus(readerOf(deps), Date.now(), DEFAULT_JOBS, deps.config),
  }));

  app.get('/api/jobs/runs', { schema: contract.runs }, async (req) => {
    if (req.query.job) requireJob(DEFAULT_JOBS, req.query.job);
    const rows = await listRuns(readerOf(deps), { job: req.query.job, limit: req.query.limit });
    return { runs: rows.map(({ summary: _s, ...r }) => r) };
  });
};

function fullSettings(s: AppDeps['settings']): Settings {
  // `serve` hands the whole Settings object; other callers may pass only the API part
  return 'home' in s && 'useMockData' in s ? (s as Settings) : { ...loadSettings(), ...s };
}

/** Admin: run a job now. Mounted in the admin scope (bearer token; this route needs the admin role). */
export const jobsAdminRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
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

  app.post(
    '/api/jobs/:name/run',
    { preHandler: requireRole('admin'), schema: contract.run },
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
