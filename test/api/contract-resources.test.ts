import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { buildApp } from '../../src/api/app.ts';
import type { DepegAlertMessage, RiskUpdateMessage } from '../../src/api/contract/alerts.ts';
import { alertRoutes as alertContract } from '../../src/api/contract/alerts.ts';
import { assetRoutes as assetContract } from '../../src/api/contract/asset.ts';
import { Interval, NamedRange } from '../../src/api/contract/common.ts';
import { correlationRoutes as correlationContract } from '../../src/api/contract/correlations.ts';
import { depegRoutes as depegContract } from '../../src/api/contract/depegs.ts';
import { ExportChoice, exportRoutes as exportContract } from '../../src/api/contract/export.ts';
import { marketRoutes as marketContract } from '../../src/api/contract/market.ts';
import { modelRoutes as modelContract } from '../../src/api/contract/models.ts';
import { riskRoutes as riskContract } from '../../src/api/contract/risk.ts';
import { supplyRoutes as supplyContract } from '../../src/api/contract/supply.ts';
import { volatilityRoutes as volatilityContract } from '../../src/api/contract/volatility.ts';
import { type PriceMessage, watchlistRoutes as watchlistContract } from '../../src/api/contract/watchlist.ts';
import { alertRoutes } from '../../src/api/routes/alerts.ts';
import { assetRoutes } from '../../src/api/routes/asset.ts';
import { correlationRoutes } from '../../src/api/routes/correlations.ts';
import { depegRoutes } from '../../src/api/routes/depegs.ts';
import { exportRoutes } from '../../src/api/routes/export.ts';
import { marketRoutes } from '../../src/api/routes/market.ts';
import { modelRoutes } from '../../src/api/routes/models.ts';
import { riskRoutes } from '../../src/api/routes/risk.ts';
import { supplyRoutes } from '../../src/api/routes/supply.ts';
import { volatilityRoutes } from '../../src/api/routes/volatility.ts';
import { watchlistRoutes } from '../../src/api/routes/watchlist.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { ConfigStore } from '../../src/config/store.ts';
import { ALERT_TYPES } from '../../src/core/alerts.ts';
import { NAMED_RANGES } from '../../src/core/time.ts';
import { INTERVALS } from '../../src/core/types.ts';
import { EXPORT_FORMATS } from '../../src/export/formats.ts';
import type { DepegAlertMessage as ServerDepegAlert } from '../../src/live/alerts/notifier.ts';
import type { RiskUpdateMessage as ServerRiskUpdate } from '../../src/live/alerts/risk-monitor.ts';
import type { CachedPrice } from '../../src/pipeline/latest.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { VOL_COLUMNS } from '../../src/store/repos/derived.ts';
import { EXPORT_DATASETS } from '../../src/store/repos/export.ts';

/**
 * The contracts of the market-data, analytics, risk, alerts, models and export resources (src/api/contract/):
 * what /docs/json shows for every GET route, what the routes refuse, and that the contract's enumerations
 * and WebSocket messages are the server's.
 */

interface Operation {
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<
    string,
    { content?: Record<string, { schema: { properties?: object; format?: string } }> }
  >;
}

let db: Db;
let app: FastifyInstance;
let doc: { paths: Record<string, Record<string, Operation>> };

beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
  app = buildApp({
    cache: new MemoryCache(),
    db,
    config: new ConfigStore({ db: null, live: false }),
    settings: { corsOrigins: [] },
    adminApi: false,
    routes: [
      { name: 'market', plugin: marketRoutes },
      { name: 'asset', plugin: assetRoutes },
      { name: 'correlations', plugin: correlationRoutes },
      { name: 'depegs', plugin: depegRoutes },
      { name: 'volatility', plugin: volatilityRoutes },
      { name: 'risk', plugin: riskRoutes },
      { name: 'watchlist', plugin: watchlistRoutes },
      { name: 'supply', plugin: supplyRoutes },
      { name: 'alerts', plugin: alertRoutes },
      { name: 'models', plugin: modelRoutes },
      { name: 'export', plugin: exportRoutes },
    ],
  });
  await app.ready();
  doc = (await app.inject({ url: '/docs/json' })).json();
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

/** Every GET route of these resources, as /docs/json names it, with its contract schema. */
const GET_ROUTES = [
  { path: '/api/market', schema: marketContract.overview },
  { path: '/api/asset/{symbol}', schema: assetContract.get },
  { path: '/api/asset/{symbol}/indicators', schema: assetContract.indicators },
  { path: '/api/correlations', schema: correlationContract.list },
  { path: '/api/correlations/contagion', schema: correlationContract.contagion },
  { path: '/api/best-pairs', schema: correlationContract.bestPairs },
  { path: '/api/depegs', schema: depegContract.list },
  { path: '/api/depegs/window', schema: depegContract.window },
  { path: '/api/depegs/stats', schema: depegContract.stats },
  { path: '/api/volatility/{symbol}', schema: volatilityContract.get },
  { path: '/api/risk/stress', schema: riskContract.stress },
  { path: '/api/risk/reports', schema: riskContract.reports },
  { path: '/api/risk/reports/latest', schema: riskContract.latestReport },
  { path: '/api/risk/reports/{date}', schema: riskContract.report },
  { path: '/quote/{asset}/{amount}', schema: riskContract.quote },
  { path: '/api/watchlist', schema: watchlistContract.get },
  { path: '/api/supply', schema: supplyContract.get },
  { path: '/api/supply/coins', schema: supplyContract.coins },
  { path: '/api/alerts', schema: alertContract.list },
  { path: '/api/models', schema: modelContract.list },
  { path: '/api/models/{name}', schema: modelContract.get },
  { path: '/api/export/{dataset}', schema: exportContract.get },
] as const;

const keysOf = (schema: z.ZodType): string[] =>
  schema instanceof z.ZodObject ? Object.keys(schema.shape).sort() : [];

describe('OpenAPI document of the market, analytics, risk, alerts, models and export routes', () => {
  it('has a response schema for every GET route these plugins register', () => {
    const gets = Object.entries(doc.paths)
      .filter(([, ops]) => ops.get !== undefined)
      .map(([path]) => path)
      .sort();
    expect(gets).toEqual(GET_ROUTES.map((r) => r.path).sort());
    for (const path of gets) {
      const ok = doc.paths[path]?.get?.responses['200']?.content?.['application/json']?.schema;
      expect(ok, `GET ${path}: 200 schema`).toBeDefined();
    }
  });

  for (const route of GET_ROUTES) {
    it(`GET ${route.path} shows the contract's parameters and 200/4xx bodies`, () => {
      const op = doc.paths[route.path]?.get;
      expect(op, `GET ${route.path} in /docs/json`).toBeDefined();
      if (!op) return;
      const s: { querystring?: z.ZodObject; params?: z.ZodObject; response: { 200: z.ZodType } } =
        route.schema;
      const names = (where: string) =>
        (op.parameters ?? [])
          .filter((p) => p.in === where)
          .map((p) => p.name)
          .sort();
      expect(names('query')).toEqual(s.querystring ? keysOf(s.querystring) : []);
      expect(names('path')).toEqual(s.params ? keysOf(s.params) : []);
      const ok = op.responses['200']?.content?.['application/json']?.schema;
      if (s.response[200] instanceof z.ZodObject)
        expect(Object.keys(ok?.properties ?? {}).sort()).toEqual(keysOf(s.response[200]));
      else expect(ok?.format).toBe('binary');
      for (const status of ['400', '404', '500']) {
        const err = op.responses[status]?.content?.['application/json']?.schema;
        expect(Object.keys(err?.properties ?? {}).sort(), `${status} body`).toEqual(['error', 'message']);
      }
    });
  }
});

describe('requests the contract refuses', () => {
  it('answers 400 {error: invalid_input} naming the parameter', async () => {
    const cases = [
      ['/api/correlations?window=1', 'querystring/window'],
      ['/api/best-pairs?window=abc', 'querystring/window'],
      ['/api/asset/BTC?range=2D', 'querystring/range'],
      ['/api/asset/BTC?adjust=splits', 'querystring/adjust'],
      ['/api/asset/BT%20C', 'params/symbol'],
      ['/api/volatility/BTC?interval=1m', 'querystring/interval'],
      ['/api/risk/stress?threshold=2', 'querystring/threshold'],
      ['/quote/USDC/-5', 'params/amount'],
      ['/api/alerts?limit=0', 'querystring/limit'],
      ['/api/supply', 'querystring/symbol'],
      ['/api/depegs/window?asset=USDC', 'querystring/start'],
      ['/api/export/nope', 'params/dataset'],
      ['/api/export/bars?format=pdf', 'querystring/format'],
    ] as const;
    for (const [url, where] of cases) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(400);
      const body = res.json();
      expect(body.error, url).toBe('invalid_input');
      expect(body.message, url).toContain(where);
    }
  });

  it('applies the defaults (window 90, limit 200) and answers an empty store with empty lists', async () => {
    const corr = await app.inject({ url: '/api/correlations' });
    expect(corr.json()).toEqual({ window_days: 90, as_of: null, cached: false, pairs: [] });
    const best = await app.inject({ url: '/api/best-pairs' });
    expect(best.json()).toEqual({ window_days: 90, pairs: [] });
    const alerts = await app.inject({ url: '/api/alerts' });
    expect(alerts.json()).toEqual({ alerts: [] });
  });
});

describe('contract and server agree', () => {
  it('offers the server’s ranges, intervals, export datasets and formats, alert types and volatility columns', () => {
    expect(NamedRange.options).toEqual([...NAMED_RANGES]);
    expect(Interval.options).toEqual([...INTERVALS]);
    expect(exportContract.get.params.shape.dataset.options).toEqual([...EXPORT_DATASETS]);
    expect(exportContract.get.querystring.shape.format.unwrap().options).toEqual([...EXPORT_FORMATS]);
    expect(alertContract.list.response[200].shape.alerts.element.shape.type.options).toEqual([
      ...ALERT_TYPES,
    ]);
    const volatility = Object.keys(volatilityContract.get.response[200].shape);
    expect(volatility.filter((k) => !['symbol', 'interval', 'ts'].includes(k))).toEqual([...VOL_COLUMNS]);
  });

  it('parses `marketpipe export` flags as the route parses its request', () => {
    expect(ExportChoice.parse({ dataset: 'bars', format: 'parquet', interval: '1h' })).toEqual({
      dataset: 'bars',
      format: 'parquet',
      interval: '1h',
    });
    const bad = ExportChoice.safeParse({ dataset: 'bars', format: 'xml' });
    expect(bad.error?.issues[0]?.message).toBe('expected one of csv, parquet, xlsx');
  });

  it('describes the WebSocket messages the server publishes', () => {
    // Compile-time: the server's message types are the contract's (tsc checks these lines).
    expectTypeOf<ServerRiskUpdate>().toEqualTypeOf<Omit<RiskUpdateMessage, never>>();
    expectTypeOf<ServerDepegAlert>().toExtend<DepegAlertMessage>();
    expectTypeOf<CachedPrice & { type: 'price' }>().toExtend<PriceMessage>();
  });
});
