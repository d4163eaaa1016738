import { z } from 'zod';
import { alertRoutes } from '../api/contract/alerts.ts';
import { backtestRoutes } from '../api/contract/backtests.ts';
import { riskRoutes } from '../api/contract/risk.ts';
import { ASSET_CLASSES, INTERVALS } from '../core/types.ts';

/**
 * The typed outputs of the MCP tools (`outputSchema`; each answer's `structuredContent` is parsed by its
 * schema, so it holds exactly what is declared here). Where the REST API's contract describes the same
 * answer (src/api/contract/: `risk var`, `risk stress`, `backtest`, `alerts`) it is reused; the others follow the CLI's
 * `--json`, whose shapes differ from the API's (e.g. `correlations` computes where the API reads stored pairs).
 *
 * Times are ISO-8601 UTC strings (answers travel as JSON).
 */

const Iso = z.string().describe('ISO-8601 UTC');

const AnalyticsError = z.object({ symbol: z.string(), step: z.string(), error: z.string() });

/** `list_instruments` (= `instruments list --json`). */
export const InstrumentsOut = z.object({
  instruments: z.array(
    z.object({
      id: z.number().int(),
      symbol: z.string(),
      assetClass: z.enum(ASSET_CLASSES),
      name: z.string(),
      currency: z.string(),
      exchange: z.string().nullable().optional(),
      timezone: z.string(),
      pegTarget: z.number().nullable().optional().describe('price the asset is meant to hold'),
      active: z.boolean(),
      inactiveReason: z.string().nullable(),
      sources: z.record(z.string(), z.string()).describe('provider → provider symbol'),
    }),
  ),
});

/** `get_coverage` (= `coverage --json`). */
export const CoverageOut = z.object({
  instruments: z.array(
    z.object({
      symbol: z.string(),
      interval: z.enum([...INTERVALS, 'price']),
      first: Iso.nullable(),
      last: Iso.nullable(),
      count: z.number().int(),
      gaps: z.number().int().describe('bars missing between first and last'),
      freshness_seconds: z.number().nullable(),
    }),
  ),
});

/** `get_prices`. */
export const PricesOut = z.object({
  symbol: z.string(),
  interval: z.enum(INTERVALS),
  truncated: z.boolean().describe('more bars matched than one answer holds; the newest are kept'),
  bars: z.array(
    z.object({
      ts: Iso.describe("the bar's open time"),
      open: z.number(),
      high: z.number(),
      low: z.number(),
      close: z.number(),
      volume: z.number(),
    }),
  ),
});

/** `get_latest` (nulls when nothing is stored). */
export const LatestOut = z.object({
  symbol: z.string(),
  ts: Iso.nullable(),
  price: z.number().nullable(),
  source: z.string().nullable(),
  kind: z.string().nullable().describe("'price' for a point price, 'bar:<interval>' for a bar close"),
});

const RiskLevel = z.enum(['NORMAL', 'ELEVATED', 'HIGH', 'CRITICAL']);

/** `get_correlations` (the pairs as `analytics correlations --dry-run --json`). */
export const CorrelationsOut = z.object({
  window_days: z.number().int(),
  as_of: Iso.nullable(),
  pairs: z.array(
    z.object({
      asset_1: z.string(),
      asset_2: z.string(),
      correlation: z.number().nullable().describe('Pearson ρ of daily log returns'),
      data_points: z.number().int(),
      risk_level: RiskLevel.nullable(),
    }),
  ),
  contagion: z
    .object({
      pairs: z.number().int(),
      levels: z.record(RiskLevel, z.number().int()),
      average_correlation: z.number().nullable(),
      overall: RiskLevel.nullable(),
    })
    .nullable(),
  regime_changes: z.array(
    z.object({
      asset_1: z.string(),
      asset_2: z.string(),
      short_correlation: z.number(),
      long_correlation: z.number(),
      change: z.number().describe('short − long'),
      direction: z.enum(['strengthening', 'weakening']),
    }),
  ),
  errors: z.array(AnalyticsError),
});

/** `get_depegs` (= `analytics depegs --dry-run --json`). */
export const DepegsOut = z.object({
  events: z.array(
    z.object({
      asset: z.string(),
      start: Iso,
      end: Iso.nullable().describe('null while still below the line'),
      min_price: z.number().describe('the worst price of the event'),
      min_price_at: Iso,
      duration_seconds: z.number(),
      recovery_time_seconds: z.number().nullable(),
      severity_score: z.number().describe('0–1: 0.7 × depth (10 % = 1) + 0.3 × log duration (a week = 1)'),
      source: z.string(),
    }),
  ),
  statistics: z.array(
    z.object({
      asset: z.string(),
      count: z.number().int(),
      worstPrice: z.number().nullable(),
      worstSeverity: z.number().nullable(),
      avgDurationSeconds: z.number().nullable(),
      avgRecoveryTimeSeconds: z.number().nullable(),
    }),
  ),
  written: z.number().int().describe('0: the tool never writes'),
  errors: z.array(AnalyticsError),
});

/** `get_alerts` (= `alerts list --json`): the API's `GET /api/alerts` answer. */
export const AlertsOut = alertRoutes.list.response[200];

/** `run_var`: the API's `POST /api/risk/var` answer plus where the scenario weights came from (as the CLI). */
export const VarOut = riskRoutes.var.response[200].extend({
  scenario_weights: z.object({
    requested: z.enum(['default', 'model']),
    used: z.enum(['default', 'model']),
    model: z.object({ name: z.string(), version: z.number(), base_rate: z.number() }).optional(),
    changed: z.record(z.string(), z.object({ from: z.number(), to: z.number() })).optional(),
  }),
});

/** `run_stress` (= `risk stress --json`): the API's `GET /api/risk/stress` answer. */
export const StressOut = riskRoutes.stress.response[200];

/** `run_backtest`: the API's `POST /api/backtests` answer (id null: the tool stores nothing). */
export const BacktestOut = backtestRoutes.run.response[200];

/** `get_risk_report`: the stored report as written by `risk report` (its own JSON document). */
export const RiskReportOut = z.object({
  date: z.string().describe('YYYY-MM-DD'),
  portfolio: z.string(),
  report: z.record(z.string(), z.unknown()),
});

/** `ask_sql`. */
export const SqlOut = z.object({
  sql: z.string().describe('the query as run (with its row cap)'),
  columns: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.unknown())),
  row_count: z.number().int(),
  truncated: z.boolean(),
});
