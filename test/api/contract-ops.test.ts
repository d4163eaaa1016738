import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp } from '../../src/api/app.ts';
import { chatRoutes as chatContract } from '../../src/api/contract/chat.ts';
import { economicRoutes as economicContract } from '../../src/api/contract/economic.ts';
import { eventRoutes as eventContract } from '../../src/api/contract/events.ts';
import { healthRoutes as healthContract } from '../../src/api/contract/health.ts';
import { jobRoutes as jobContract } from '../../src/api/contract/jobs.ts';
import { monitorRoutes as monitorContract } from '../../src/api/contract/monitor.ts';
import { newsRoutes as newsContract } from '../../src/api/contract/news.ts';
import { qualityRoutes as qualityContract } from '../../src/api/contract/quality.ts';
import { reportRoutes as reportContract } from '../../src/api/contract/reports.ts';
import { chatRoutes } from '../../src/api/routes/chat.ts';
import { economicRoutes } from '../../src/api/routes/economic.ts';
import { eventRoutes } from '../../src/api/routes/events.ts';
import { healthRoutes } from '../../src/api/routes/health.ts';
import { jobsRoutes } from '../../src/api/routes/jobs.ts';
import { monitorRoutes } from '../../src/api/routes/monitor.ts';
import { newsRoutes } from '../../src/api/routes/news.ts';
import { qualityRoutes } from '../../src/api/routes/quality.ts';
import { reportRoutes } from '../../src/api/routes/reports.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { ConfigStore } from '../../src/config/store.ts';
import { EVENT_TYPES } from '../../src/core/events.ts';
import { REPORT_KINDS } from '../../src/reports/types.ts';
import type { Db } from '../../src/store/db.ts';
import { openPglite } from '../../src/store/pglite.ts';

/**
 * The operations and data resources' contracts (jobs, monitor, quality, health, economic, news, events,
 * reports, chat) are what the OpenAPI document shows; their enums match the engine's.
 */

interface Operation {
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
  responses: Record<
    string,
    { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }
  >;
}

let db: Db;
let app: FastifyInstance;
let doc: { paths: Record<string, Record<string, Operation>> };

beforeAll(async () => {
  db = await openPglite();
  app = buildApp({
    cache: new MemoryCache(),
    db,
    config: new ConfigStore({ db: null, live: false }),
    settings: { corsOrigins: [] },
    adminApi: false,
    routes: [
      { name: 'health', plugin: healthRoutes },
      { name: 'jobs', plugin: jobsRoutes },
      { name: 'monitor', plugin: monitorRoutes },
      { name: 'quality', plugin: qualityRoutes },
      { name: 'economic', plugin: economicRoutes },
      { name: 'news', plugin: newsRoutes },
      { name: 'events', plugin: eventRoutes },
      { name: 'reports', plugin: reportRoutes },
      { name: 'chat', plugin: chatRoutes },
    ],
  });
  await app.ready();
  doc = (await app.inject({ url: '/docs/json' })).json();
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

type RouteSchema = {
  querystring?: z.ZodObject;
  params?: z.ZodObject;
  body?: z.ZodType;
  response: { 200: z.ZodType };
};

const ROUTES: ReadonlyArray<readonly [string, string, RouteSchema]> = [
  ['/health', 'get', healthContract.health],
  ['/ready', 'get', healthContract.ready],
  ['/api/jobs', 'get', jobContract.list],
  ['/api/jobs/runs', 'get', jobContract.runs],
  ['/api/monitor/coverage', 'get', monitorContract.coverage],
  ['/api/monitor/feeds', 'get', monitorContract.feeds],
  ['/api/monitor/schemas', 'get', monitorContract.schemas],
  ['/api/monitor/stats/{schema}', 'get', monitorContract.stats],
  ['/api/monitor/symbols/{schema}', 'get', monitorContract.symbols],
  ['/api/quality/report', 'get', qualityContract.report],
  ['/api/quarantine', 'get', qualityContract.quarantine],
  ['/api/cache/stats', 'get', qualityContract.cacheStats],
  ['/api/economic/{series}', 'get', economicContract.series],
  ['/api/news', 'get', newsContract.list],
  ['/api/events', 'get', eventContract.list],
  ['/api/reports', 'get', reportContract.list],
  ['/api/chat/query', 'post', chatContract.query],
  ['/api/chat/execute', 'post', chatContract.execute],
  ['/api/chat/schema-context', 'get', chatContract.schemaContext],
  ['/api/chat/history', 'get', chatContract.history],
];

const keys = (s: z.ZodType | undefined): string[] =>
  s instanceof z.ZodObject ? Object.keys(s.shape).sort() : [];

describe('OpenAPI document from the operations and data contracts', () => {
  it.each(ROUTES)('%s %s shows the contract’s parameters and 200 answer', (path, method, s) => {
    const op = doc.paths[path]?.[method];
    expect(op, `${method} ${path} in /docs/json`).toBeDefined();
    if (!op) return;
    const ok = op.responses['200']?.content?.['application/json']?.schema;
    expect(Object.keys(ok?.properties ?? {}).sort()).toEqual(keys(s.response[200]));
    const inQuery = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(inQuery.sort()).toEqual(keys(s.querystring));
    const inPath = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
    expect(inPath.sort()).toEqual(keys(s.params));
    if (s.body) {
      const body = op.requestBody?.content['application/json']?.schema;
      expect(Object.keys(body?.properties ?? {}).sort()).toEqual(keys(s.body));
    }
  });
});

describe('contracts and engine agree', () => {
  it('event types and report kinds are the engine’s', () => {
    expect(eventContract.list.querystring.shape.type.unwrap().options).toEqual([...EVENT_TYPES]);
    expect(reportContract.html.params.shape.kind.options).toEqual([...REPORT_KINDS]);
  });

  it('a query flag reads "false" as false (not as a non-empty string)', async () => {
    const res = await app.inject({ url: '/api/chat/schema-context?private=false' });
    expect(res.statusCode, res.body).toBe(200);
    const bad = await app.inject({ url: '/api/quality/report?fresh=maybe' });
    expect([bad.statusCode, bad.json().error]).toEqual([400, 'invalid_input']);
  });
});
