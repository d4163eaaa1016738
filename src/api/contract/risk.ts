import { z } from 'zod';
import { errorResponses } from './common.ts';

/**
 * The risk resource: Monte Carlo VaR (`POST /api/risk/var`, the shape of `marketpipe risk var --json`), stress
 * tests (`GET /api/risk/stress`, `risk stress --json`), the stored daily reports and depeg-cover quotes.
 */

/** Most Monte Carlo paths one request may ask for (a request must not hold the server for seconds). */
const MAX_API_SIMULATIONS = 200_000;

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

/** A stored portfolio's name (risk.portfolios). */
const PortfolioName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a portfolio name of letters, digits and _.- (≤ 64)')
  .describe('stored portfolio (risk.portfolios)');

/** `POST /api/risk/var` (the body may be left out: the stored default portfolio, today). */
const VarBody = z
  .strictObject({
    portfolio: PortfolioName.optional(),
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

/** `GET /api/risk/stress` (`risk stress --portfolio --threshold`). */
const StressQuery = z.object({
  portfolio: PortfolioName.optional(),
  threshold: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.1)
    .describe('loss share of capital that flags a scenario'),
});

/** One scenario's loss if it happened today (risk/stress.ts); losses positive, in the portfolio's currency. */
const StressResult = z.object({
  scenario: z.string(),
  type: z.string(),
  severity_level: z.number(),
  probability_annual: z.number(),
  loss: z.number(),
  loss_pct_capital: z.number(),
  asset_losses: z.record(z.string(), z.number()),
});

const StressSummary = z.object({
  capital: z.number(),
  threshold: z.number(),
  results: z.array(StressResult),
  worst: StressResult.nullable(),
  average_loss: z.number(),
  above_threshold: z
    .array(z.string())
    .describe('scenarios losing more than threshold × capital, worst first'),
});

const ReportList = z.object({
  reports: z.array(
    z.object({
      date: z.string().meta({ format: 'date' }),
      portfolio: z.string(),
      var_95: z.number().nullable().describe('the report’s 95 % VaR, USD'),
      alerts: z.number().int().describe('how many alerts the report raised'),
    }),
  ),
});
export type ReportList = z.infer<typeof ReportList>;

/**
 * A stored daily risk report (risk/report/build.ts `RiskReport`), as stored: reports written by older versions
 * may lack a section, so each is optional and unknown fields pass through.
 */
const RiskReport = z.looseObject({
  date: z.string().optional(),
  generated_at: z.string().optional(),
  portfolio: z.string().optional(),
  summary: z
    .looseObject({
      capital: z.number().optional(),
      coverage: z.number().optional(),
      ltv: z.number().optional(),
      diversification_score: z.number().optional(),
      composition: z
        .array(z.object({ asset: z.string(), kind: z.string(), exposure: z.number(), share: z.number() }))
        .optional(),
    })
    .optional(),
  var: z
    .looseObject({
      var_95: z.number().optional(),
      var_99: z.number().optional(),
      cvar_95: z.number().optional(),
      expected_loss: z.number().optional(),
      worst_case: z.number().optional(),
      simulations: z.number().optional(),
      /** The stored reports' VaR 95 % by date, oldest first. */
      trend: z.array(z.object({ date: z.string(), var_95: z.number() })).optional(),
      trend_pct: z.number().nullable().optional(),
    })
    .optional(),
  stress: StressSummary.optional(),
  alerts: z
    .array(
      z.looseObject({
        level: z.string(),
        code: z.string().optional(),
        message: z.string(),
        value: z.number().optional(),
        threshold: z.number().nullable().optional(),
      }),
    )
    .optional(),
  recommendations: z
    .array(z.looseObject({ code: z.string().optional(), message: z.string(), amount: z.number().optional() }))
    .optional(),
});
export type RiskReport = z.infer<typeof RiskReport>;

const QuoteParams = z.object({
  asset: z.string().regex(/^[A-Za-z0-9_]{1,32}$/, 'an asset of letters, digits and _ (≤ 32)'),
  amount: z.coerce.number().gt(0).max(1e12),
});

const Quote = z.object({
  asset: z.string(),
  amount: z.number(),
  days: z.number(),
  premium: z.number(),
  /** Effective annual rate actually charged: premium / amount × 365 / days. */
  rate: z.number(),
  breakdown: z.object({
    base_rate: z.number(),
    risk_weight: z.number(),
    size_multiplier: z.number(),
    utilization: z.number(),
    utilization_multiplier: z.number(),
    duration_factor: z.number(),
    raw_premium: z.number(),
    minimum_premium: z.number(),
    minimum_applied: z.boolean(),
    /** Present when a depeg model's forecast priced the quote: probability / base rate. */
    model_multiplier: z.number().optional(),
  }),
});

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
  stress: {
    summary: 'Stress test of a stored portfolio against every enabled scenario',
    tags: ['risk'],
    querystring: StressQuery,
    response: { 200: StressSummary, ...errorResponses },
  },
  reports: {
    summary: 'Stored daily risk reports, newest first: date, portfolio, VaR 95 % and alert count',
    tags: ['risk'],
    querystring: z.object({ limit: z.coerce.number().int().min(1).max(3650).default(365) }),
    response: { 200: ReportList, ...errorResponses },
  },
  latestReport: {
    summary: 'The newest daily risk report',
    tags: ['risk'],
    response: { 200: RiskReport.describe('the stored risk report (JSON)'), ...errorResponses },
  },
  report: {
    summary: 'The daily risk report of a date',
    tags: ['risk'],
    params: z.object({ date: IsoDate }),
    response: { 200: RiskReport.describe('the stored risk report (JSON)'), ...errorResponses },
  },
  quote: {
    summary: 'Premium for depeg cover of `amount` of a stablecoin (shape of `quote --json`)',
    tags: ['risk'],
    params: QuoteParams,
    querystring: z.object({ days: z.coerce.number().int().min(1).max(3650).optional() }),
    response: { 200: Quote, ...errorResponses },
  },
} as const;
