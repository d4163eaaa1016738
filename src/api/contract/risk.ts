import { z } from 'zod';
import { errorResponses } from './common.ts';

/**
 * The risk resource's Monte Carlo VaR (`POST /api/risk/var`, the shape of `marketpipe risk var --json`). The
 * resource's other routes (stress, reports, quote) still declare JSON schemas in api/routes/risk.ts.
 */

/** Most Monte Carlo paths one request may ask for (a request must not hold the server for seconds). */
const MAX_API_SIMULATIONS = 200_000;

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

/** `POST /api/risk/var` (the body may be left out: the stored default portfolio, today). */
const VarBody = z
  .strictObject({
    portfolio: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a portfolio name of letters, digits and _.- (≤ 64)')
      .optional()
      .describe('stored portfolio (risk.portfolios)'),
    simulations: z.number().int().min(100).max(MAX_API_SIMULATIONS).optional(),
    seed: z.number().int().optional().describe('default: the valuation date as yyyymmdd'),
    date: IsoDate.optional().describe('valuation date (default today, UTC)'),
    store: z.boolean().default(false).describe('record the run in risk.var_results'),
  })
  .optional();
type VarBody = z.input<typeof VarBody>;

/** Loss figures are positive amounts in the portfolio's currency over the horizon. */
const VarAnswer = z.object({
  portfolio: z.string(),
  date: z.string(),
  var_95: z.number(),
  var_99: z.number(),
  cvar_95: z.number(),
  expected_loss: z.number(),
  worst_case: z.number(),
  best_case: z.number(),
  scenarios_used: z.number(),
  simulations: z.number(),
  simulation_time_ms: z.number(),
  horizon_days: z.number().describe('calendar days'),
  seed: z.number(),
  /** Annualised volatility of the exposure-weighted portfolio return (drives the adaptive count). */
  portfolio_volatility: z.number(),
  correlation_repaired: z.boolean(),
  /** Simulations in which a scenario held, by scenario name. */
  scenario_hits: z.record(z.string(), z.number()),
  depeg_hits: z.number(),
  /** Where each input came from. */
  sources: z.record(z.string(), z.unknown()),
  conventions: z
    .object({
      method: z.literal('monte_carlo'),
      distribution: z.string(),
      horizon_days: z.number(),
      horizon_unit: z.literal('calendar_days'),
      scaling: z.string(),
      periods_per_year: z.record(z.string(), z.number()),
      horizon_bars: z.record(z.string(), z.number()),
      volatility_annualisation: z.string(),
      confidence: z.tuple([z.literal(0.95), z.literal(0.99)]),
    })
    .describe(
      'method, horizon (calendar days) and scaling: σ per daily bar × √(horizon_days × periods_per_year / 365) per asset',
    ),
});
type VarAnswer = z.infer<typeof VarAnswer>;

/** Route schemas (OpenAPI document, validation, serialisation). */
export const riskRoutes = {
  var: {
    summary: 'Monte Carlo VaR/CVaR of a stored portfolio (shape of `risk var --json`)',
    description:
      'Seeded (default: the valuation date), so a day’s numbers are reproducible. `store: true` records the run in `risk.var_results`.',
    tags: ['risk'],
    body: VarBody,
    response: { 200: VarAnswer, ...errorResponses },
  },
} as const;
