import type { FastifyPluginAsync } from 'fastify';
import { ADJUST_MODES, type AdjustMode } from '../../analytics/adjust.ts';
import { DEFAULT_BACKTEST_ADJUST, getBacktest, listBacktests, runBacktest } from '../../backtest/service.ts';
import {
  DEFAULT_MA_ENTRY,
  MA_ENTRY_MODES,
  type MaEntryMode,
} from '../../backtest/strategies/ma-crossover.ts';
import { ValidationError } from '../../core/errors.ts';
import type { Interval } from '../../core/types.ts';
import { useApiKeys } from '../api-keys.ts';
import { readerOf, readOrPrimary } from '../read-db.ts';
import { anyObject, errorResponses } from './common.ts';
import type { RouteOptions } from './index.ts';

interface BacktestBody {
  strategy: string;
  symbols: string[];
  from?: string;
  to?: string;
  interval?: Interval;
  adjust?: AdjustMode;
  params?: Record<string, unknown>;
  entry?: MaEntryMode;
}

/** `conventions` of a run (backtest/conventions.ts); null on runs stored before runs recorded them. */
const conventionsSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    fill: { type: 'string' },
    fee_bps: { type: 'number' },
    fee_on: { type: 'string' },
    fractional_shares: { type: 'boolean' },
    sharpe_annualisation: { type: 'string' },
    periods_per_year: { type: 'number' },
  },
} as const;

/**
 * Backtests over HTTP: built-in strategies only (the CLI also loads strategy modules from files, which a
 * network client must never be able to do — the name pattern admits no path).
 */
export const backtestRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);

  app.post<{ Body: BacktestBody }>(
    '/api/backtests',
    {
      schema: {
        summary: 'Run a backtest of a built-in strategy on stored bars; stored, answered with its id',
        tags: ['backtest'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            strategy: {
              type: 'string',
              pattern: '^[a-z0-9][a-z0-9-]{0,63}$',
              description: 'e.g. ma-crossover',
            },
            symbols: {
              type: 'array',
              minItems: 1,
              maxItems: 20,
              items: { type: 'string', pattern: '^[A-Za-z0-9_.:^-]{1,32}$' },
            },
            from: { type: 'string', maxLength: 40 },
            to: { type: 'string', maxLength: 40 },
            interval: { type: 'string', enum: ['1h', '4h', '1d'] },
            adjust: {
              type: 'string',
              enum: [...ADJUST_MODES],
              default: DEFAULT_BACKTEST_ADJUST,
              description:
                'split/dividend adjustment of the bars, applied when read (analytics/adjust.ts): split = splits only, adjusted = splits and dividends, total-return = adjusted anchored at the first bar. Default split (a backtest on raw prices reads a split as a crash); raw for prices as traded',
            },
            params: { type: 'object', additionalProperties: true },
            entry: {
              type: 'string',
              enum: [...MA_ENTRY_MODES],
              description: `ma-crossover only: first position on a cross of the averages (cross) or on the state they start in (state); default ${DEFAULT_MA_ENTRY}`,
            },
          },
          required: ['strategy', 'symbols'],
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            properties: {
              id: { type: ['integer', 'null'] },
              strategy: { type: 'string' },
              symbols: { type: 'array', items: { type: 'string' } },
              from: { type: 'string' },
              to: { type: 'string' },
              adjust: { type: 'string', enum: [...ADJUST_MODES] },
              metrics: anyObject,
              trades: { type: 'array', items: anyObject },
              conventions: conventionsSchema,
            },
            required: ['id', 'strategy', 'metrics', 'conventions'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const b = req.body;
      if (b.entry !== undefined && b.strategy !== 'ma-crossover')
        throw new ValidationError('entry applies to strategy ma-crossover only');
      const params = b.entry === undefined ? b.params : { ...b.params, entry: b.entry };
      return runBacktest(deps.db, {
        strategy: b.strategy,
        symbols: b.symbols,
        from: b.from,
        to: b.to,
        interval: b.interval,
        adjust: b.adjust,
        params,
        store: true,
      });
    },
  );

  app.get<{ Querystring: { strategy?: string; symbol?: string; limit: number } }>(
    '/api/backtests',
    {
      schema: {
        summary:
          'Stored backtest runs, newest first, with their metrics and conventions (no curves or trades)',
        tags: ['backtest'],
        querystring: {
          type: 'object',
          properties: {
            strategy: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' },
            symbol: {
              type: 'string',
              pattern: '^[A-Za-z0-9_.:^-]{1,32}$',
              description: 'runs that traded it',
            },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              runs: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: true,
                  properties: {
                    id: { type: 'integer' },
                    strategy: { type: 'string' },
                    symbols: { type: 'array', items: { type: 'string' } },
                    interval: { type: 'string' },
                    mode: { type: 'string' },
                    adjust: { type: 'string' },
                    from: { type: 'string' },
                    to: { type: 'string' },
                    created_at: { type: 'string' },
                    params: anyObject,
                    metrics: anyObject,
                    benchmark: { ...anyObject, type: ['object', 'null'] },
                    conventions: { ...conventionsSchema, type: ['object', 'null'] },
                  },
                  required: ['id', 'strategy', 'metrics', 'conventions'],
                },
              },
            },
            required: ['runs'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => ({
      runs: await listBacktests(readerOf(deps), {
        strategy: req.query.strategy,
        symbol: req.query.symbol?.toUpperCase(),
        limit: req.query.limit,
      }),
    }),
  );

  app.get<{ Params: { id: number } }>(
    '/api/backtests/:id',
    {
      schema: {
        summary: 'A stored backtest run with its trades and signals',
        tags: ['backtest'],
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] },
        response: {
          200: {
            ...anyObject,
            properties: {
              id: { type: 'integer' },
              strategy: { type: 'string' },
              adjust: { type: 'string', enum: [...ADJUST_MODES] },
              conventions: { ...conventionsSchema, type: ['object', 'null'] },
            },
          },
          ...errorResponses,
        },
      },
    },
    // A client GETs the run it just POSTed: a replica that has not got it yet defers to the primary.
    async (req) => readOrPrimary(deps, (db) => getBacktest(db, req.params.id)),
  );
};
