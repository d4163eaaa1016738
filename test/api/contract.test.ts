import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ADJUST_MODES } from '../../src/analytics/adjust.ts';
import { buildApp } from '../../src/api/app.ts';
import { BacktestRunBody, backtestRoutes as contract, MaEntry } from '../../src/api/contract/backtests.ts';
import { AdjustMode } from '../../src/api/contract/common.ts';
import { riskRoutes as riskContract } from '../../src/api/contract/risk.ts';
import { tradingRoutes as tradingContract } from '../../src/api/contract/trading.ts';
import { backtestRoutes } from '../../src/api/routes/backtests.ts';
import { riskRoutes } from '../../src/api/routes/risk.ts';
import { tradingRoutes } from '../../src/api/routes/trading.ts';
import { MA_ENTRY_MODES } from '../../src/backtest/strategies/ma-crossover.ts';
import { DEFAULT_BACKTEST_ADJUST } from '../../src/backtest/types.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { ConfigStore } from '../../src/config/store.ts';
import type { Db } from '../../src/store/db.ts';
import { openPglite } from '../../src/store/pglite.ts';

/** The zod contract (src/api/contract/) is what the OpenAPI document shows and what the routes enforce. */

interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}
interface JsonSchema {
  properties?: Record<string, JsonSchema & { enum?: unknown[] }>;
  required?: string[];
}

const keysOf = (schema: z.ZodObject) => Object.keys(schema.shape).sort();

let db: Db;
let app: FastifyInstance;
let doc: { paths: Record<string, Record<string, Operation>> };

beforeAll(async () => {
  db = await openPglite();
  const config = new ConfigStore({ db: null, live: false });
  app = buildApp({
    cache: new MemoryCache(),
    db,
    config,
    settings: { corsOrigins: [] },
    adminApi: false,
    routes: [
      { name: 'backtests', plugin: backtestRoutes },
      { name: 'risk', plugin: riskRoutes },
      { name: 'trading', plugin: tradingRoutes },
    ],
  });
  await app.ready();
  doc = (await app.inject({ url: '/docs/json' })).json();
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

/** Every contract route: the OpenAPI path, method and the contract's schemas. */
const ROUTES = [
  { path: '/api/backtests', method: 'post', schema: contract.run },
  { path: '/api/backtests', method: 'get', schema: contract.list },
  { path: '/api/backtests/{id}', method: 'get', schema: contract.get },
  { path: '/api/risk/var', method: 'post', schema: riskContract.var },
  { path: '/api/trading/orders', method: 'get', schema: tradingContract.orders },
  { path: '/api/trading/positions', method: 'get', schema: tradingContract.positions },
  { path: '/api/trading/status', method: 'get', schema: tradingContract.status },
] as const;

describe('OpenAPI document from the contract', () => {
  for (const route of ROUTES) {
    it(`${route.method.toUpperCase()} ${route.path} shows the contract's request and response schemas`, () => {
      const op = doc.paths[route.path]?.[route.method];
      expect(op, `${route.method} ${route.path} in /docs/json`).toBeDefined();
      if (!op) return;
      const s = route.schema;
      if ('body' in s) {
        const body = op.requestBody?.content['application/json']?.schema;
        const shape = s.body instanceof z.ZodOptional ? s.body.unwrap() : s.body;
        expect(Object.keys(body?.properties ?? {}).sort()).toEqual(keysOf(shape));
        const fields: Record<string, z.ZodType> = shape.shape;
        const required = Object.keys(fields).filter((k) => !fields[k]?.safeParse(undefined).success);
        expect(body?.required?.sort() ?? []).toEqual(required.sort());
      }
      if ('querystring' in s)
        expect(
          (op.parameters ?? [])
            .filter((p) => p.in === 'query')
            .map((p) => p.name)
            .sort(),
        ).toEqual(keysOf(s.querystring));
      if ('params' in s)
        expect((op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)).toEqual(
          keysOf(s.params),
        );
      const ok = op.responses['200']?.content?.['application/json']?.schema;
      expect(Object.keys(ok?.properties ?? {}).sort()).toEqual(keysOf(s.response[200]));
      for (const status of ['400', '404', '500']) {
        const err = op.responses[status]?.content?.['application/json']?.schema;
        expect(Object.keys(err?.properties ?? {}).sort(), `${status} body`).toEqual(['error', 'message']);
      }
    });
  }
});

describe('requests the contract refuses', () => {
  it('answers 400 {error: invalid_input, message} naming the field', async () => {
    const cases = [
      [{ strategy: '../../tmp/evil.ts', symbols: ['BTC'] }, 'body/strategy'],
      [{ strategy: 'ma-crossover', symbols: [] }, 'body/symbols'],
      [{ strategy: 'ma-crossover', symbols: ['BTC'], adjust: 'splits' }, 'body/adjust'],
      [{ strategy: 'ma-crossover', symbols: ['BTC'], extra: 1 }, 'body'],
    ] as const;
    for (const [payload, where] of cases) {
      const res = await app.inject({ method: 'POST', url: '/api/backtests', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      const body = res.json();
      expect(body.error).toBe('invalid_input');
      expect(body.message, JSON.stringify(payload)).toContain(where);
    }
    const q = await app.inject({ url: '/api/backtests?limit=0' });
    expect([q.statusCode, q.json().error]).toEqual([400, 'invalid_input']);
    const id = await app.inject({ url: '/api/backtests/x' });
    expect([id.statusCode, id.json().error]).toEqual([400, 'invalid_input']);
    const sims = await app.inject({ method: 'POST', url: '/api/risk/var', payload: { simulations: 10 } });
    expect([sims.statusCode, sims.json().error]).toEqual([400, 'invalid_input']);
    expect(sims.json().message).toContain('body/simulations');
  });
});

describe('contract and engine agree', () => {
  it("offers the engine's adjust modes, entry modes and default adjust", () => {
    const body = contract.run.body;
    expect(z.toJSONSchema(body, { io: 'input' })).toMatchObject({
      properties: { adjust: { enum: AdjustMode.options } },
    });
    expect(AdjustMode.options).toEqual([...ADJUST_MODES]);
    expect(MaEntry.options).toEqual([...MA_ENTRY_MODES]);
    expect(BacktestRunBody.parse({ strategy: 'ma-crossover', symbols: ['BTC'] }).adjust).toBe(
      DEFAULT_BACKTEST_ADJUST,
    );
  });
});
