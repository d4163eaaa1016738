import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { quote, runStress, runVar } from '../../risk/service.ts';
import { getReportJson, listReports } from '../../store/repos/risk.ts';
import { useApiKeys } from '../api-keys.ts';
import { riskRoutes as contract } from '../contract/risk.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';
import { anyObject, errorResponses, nullableNumber } from './common.ts';

const portfolioName = {
  type: 'string',
  pattern: '^[A-Za-z0-9_.-]{1,64}$',
  description: 'stored portfolio (risk.portfolios)',
} as const;

const dateParam = {
  type: 'object',
  properties: { date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } },
  required: ['date'],
} as const;

/** Risk answers: Monte Carlo VaR, stress tests, daily risk reports, depeg-cover quotes. */
export const riskRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  // VaR may store its run and stress stores the sample portfolio on first use (loadPortfolio): the primary.
  const db = deps.db;
  const reader = readerOf(deps);

  // The VaR route is declared by the contract (api/contract/risk.ts); its own scope holds the zod compilers.
  await app.register(async (scope) => {
    useContract(scope).post('/api/risk/var', { schema: contract.var }, async (req) => {
      const b = req.body ?? { store: false };
      const run = await runVar(db, {
        config: deps.config,
        name: b.portfolio,
        simulations: b.simulations,
        seed: b.seed,
        date: b.date,
        store: b.store,
      });
      return { portfolio: run.portfolio.name, date: run.date, ...run.result, sources: run.sources };
    });
  });

  app.get<{ Querystring: { portfolio?: string; threshold: number } }>(
    '/api/risk/stress',
    {
      schema: {
        summary: 'Stress test of a stored portfolio against every enabled scenario',
        tags: ['risk'],
        querystring: {
          type: 'object',
          properties: {
            portfolio: portfolioName,
            threshold: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              default: 0.1,
              description: 'loss share of capital that flags a scenario',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            properties: {
              capital: { type: 'number' },
              threshold: { type: 'number' },
              results: { type: 'array', items: anyObject },
              worst: { type: ['object', 'null'], additionalProperties: true },
              average_loss: { type: 'number' },
            },
            required: ['capital', 'results'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => runStress(db, { name: req.query.portfolio, threshold: req.query.threshold }),
  );

  const reportResponse = {
    200: { ...anyObject, description: 'the stored risk report (JSON)' },
    ...errorResponses,
  };

  app.get<{ Querystring: { limit: number } }>(
    '/api/risk/reports',
    {
      schema: {
        summary: 'Stored daily risk reports, newest first: date, portfolio, VaR 95 % and alert count',
        tags: ['risk'],
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 3650, default: 365 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              reports: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    date: { type: 'string', format: 'date' },
                    portfolio: { type: 'string' },
                    var_95: { ...nullableNumber, description: 'the report’s 95 % VaR, USD' },
                    alerts: { type: 'integer', description: 'how many alerts the report raised' },
                  },
                  required: ['date', 'portfolio', 'var_95', 'alerts'],
                },
              },
            },
            required: ['reports'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => ({ reports: await listReports(reader, req.query.limit) }),
  );

  app.get(
    '/api/risk/reports/latest',
    { schema: { summary: 'The newest daily risk report', tags: ['risk'], response: reportResponse } },
    async () => {
      const res = await reader.query<{ date: string }>(
        `SELECT to_char(date, 'YYYY-MM-DD') AS date FROM risk.reports ORDER BY date DESC LIMIT 1`,
      );
      const date = res.rows[0]?.date;
      const doc = date ? await getReportJson(reader, date) : null;
      if (!doc) throw new NotFoundError('no risk report stored yet (run marketpipe risk report)');
      return doc;
    },
  );

  app.get<{ Params: { date: string } }>(
    '/api/risk/reports/:date',
    {
      schema: {
        summary: 'The daily risk report of a date',
        tags: ['risk'],
        params: dateParam,
        response: reportResponse,
      },
    },
    async (req) => {
      const d = new Date(`${req.params.date}T00:00:00Z`);
      if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== req.params.date) {
        throw new ValidationError(`date: "${req.params.date}" is not a calendar date (YYYY-MM-DD)`);
      }
      const doc = await getReportJson(reader, req.params.date);
      if (!doc) throw new NotFoundError(`no risk report for ${req.params.date}`);
      return doc;
    },
  );

  app.get<{ Params: { asset: string; amount: number }; Querystring: { days?: number } }>(
    '/quote/:asset/:amount',
    {
      schema: {
        summary: 'Premium for depeg cover of `amount` of a stablecoin (shape of `quote --json`)',
        tags: ['risk'],
        params: {
          type: 'object',
          properties: {
            asset: { type: 'string', pattern: '^[A-Za-z0-9_]{1,32}$' },
            amount: { type: 'number', exclusiveMinimum: 0, maximum: 1e12 },
          },
          required: ['asset', 'amount'],
        },
        querystring: { type: 'object', properties: { days: { type: 'integer', minimum: 1, maximum: 3650 } } },
        response: {
          200: {
            type: 'object',
            properties: {
              asset: { type: 'string' },
              amount: { type: 'number' },
              days: { type: 'number' },
              premium: { type: 'number' },
              rate: { type: 'number' },
              breakdown: anyObject,
            },
            required: ['asset', 'amount', 'days', 'premium', 'rate', 'breakdown'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { asset, amount } = req.params;
      const days = req.query.days;
      // This process's environment, with a percentage config canary chosen by the request's hash.
      const config = deps.config.forRequest(`${asset.toUpperCase()}:${amount}:${days ?? 30}`);
      return quote(reader, { asset, amount, days, config });
    },
  );
};
