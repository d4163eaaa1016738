import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createToken } from '../../src/api/auth.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { ConfigStore } from '../../src/config/store.ts';
import type { CountingDb } from '../../src/jobs/testing.ts';
import { capturePubSub, jobsDb, testSettings } from './helpers.ts';

const SECRET = 'test-secret-0123456789abcdef-0123456789';

describe('jobs API (GET /api/jobs, GET /api/jobs/runs, POST /api/jobs/:name/run)', () => {
  let db: CountingDb;
  let app: FastifyInstance;
  let store: ConfigStore;
  const pubsub = capturePubSub();

  beforeAll(async () => {
    db = await jobsDb();
    store = new ConfigStore({ db, live: false });
    await store.start();
    // serve passes its whole Settings; the offline synthetic source (USE_MOCK_DATA) serves the handlers
    const settings = { ...testSettings(), jwtSecret: SECRET, corsOrigins: [] };
    app = buildApp({ cache: new MemoryCache(), db, settings, config: store, pubsub });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await db?.close();
  });

  it('lists every job with schedule, status and next run', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/jobs' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { jobs: Array<Record<string, unknown>> };
    expect(body.jobs.map((j) => j.name)).toContain('risk_report');
    expect(body.jobs.find((j) => j.name === 'equities_daily')).toMatchObject({
      schedule: '30 16 * * 1-5',
      timezone: 'America/New_York',
      enabled: true,
      status: 'pending',
      last_run: null,
    });
  });

  it('refuses a manual run without a token (401) and for a viewer (403)', async () => {
    const anon = await app.inject({ method: 'POST', url: '/api/jobs/cleanup/run' });
    expect(anon.statusCode).toBe(401);
    const viewer = await createToken({ secret: SECRET, user: 'v', role: 'viewer', ttlSeconds: 600 });
    const res = await app.inject({
      method: 'POST',
      url: '/api/jobs/cleanup/run',
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(res.statusCode).toBe(403);
  });

  it('an admin runs a job now; it shows in the status and the run history', async () => {
    const admin = await createToken({ secret: SECRET, user: 'a', role: 'admin', ttlSeconds: 600 });
    const res = await app.inject({
      method: 'POST',
      url: '/api/jobs/cleanup/run',
      headers: { authorization: `Bearer ${admin}` },
      payload: { wait: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ job: 'cleanup', status: 'completed', queued: false, attempts: 1 });
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/jobs/no_such_job/run',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(unknown.statusCode).toBe(404);
    const status = (await app.inject({ method: 'GET', url: '/api/jobs' })).json() as {
      jobs: Array<Record<string, unknown>>;
    };
    expect(status.jobs.find((j) => j.name === 'cleanup')).toMatchObject({
      status: 'completed',
      run_count: 1,
    });
    const runs = (await app.inject({ method: 'GET', url: '/api/jobs/runs?job=cleanup' })).json() as {
      runs: Array<Record<string, unknown>>;
    };
    expect(runs.runs).toEqual([
      expect.objectContaining({ job: 'cleanup', trigger: 'manual', status: 'completed' }),
    ]);
    expect(pubsub.messages.map((m) => m.message.type)).toEqual(['running', 'completed']);
  });
});
