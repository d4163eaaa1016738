import type { JsonValue, ParameterDef, ValidationRule, ValueType } from './types.ts';

/**
 * The parameter catalogue: every parameter the code reads, with the value it falls back to when the
 * database has no row (or does not answer). Migration 040 seeds exactly these rows; a test keeps the two
 * in step. Values follow the seed system (depeg-cover pricing, risk engine, SURE tranches).
 */

function p(
  category: string,
  key: string,
  valueType: ValueType,
  value: JsonValue,
  description: string,
  validation: ValidationRule = {},
): ParameterDef {
  return { category, key, valueType, value, description, validation };
}

const RATE = { min: 0, max: 1 };
const POSITIVE = { min: 0 };
const ON_OFF: ValidationRule = { allowed: [true, false] };

/** Annual base premium rate per covered stablecoin (share of the amount covered per year). */
const BASE_RATES: Readonly<Record<string, number>> = {
  USDC: 0.04,
  USDT: 0.06,
  DAI: 0.05,
  USDP: 0.05,
  PYUSD: 0.05,
  GUSD: 0.06,
  LUSD: 0.06,
  BUSD: 0.07,
  FDUSD: 0.07,
  TUSD: 0.08,
  FRAX: 0.08,
  GHO: 0.08,
  CRVUSD: 0.09,
  USDD: 0.12,
  USDE: 0.12,
};

/** Premium multiplier by pool utilisation (covered / capital): key is the lower bound in percent. */
export const UTILIZATION_BANDS = [0, 50, 70, 80, 90, 95] as const;
const UTILIZATION_MULTIPLIERS = [1.0, 1.1, 1.25, 1.5, 2.0, 3.0];

/** Tranche ids of the SURE capital stack, most senior first. */
export const TRANCHE_IDS = [
  'SURE_BTC',
  'SURE_SNR',
  'SURE_MEZZ',
  'SURE_JNR',
  'SURE_JNR_PLUS',
  'SURE_EQT',
] as const;
export type TrancheId = (typeof TRANCHE_IDS)[number];
export const CURVE_TYPES = [
  'Flat',
  'Logarithmic',
  'Linear',
  'Sigmoidal',
  'Quadratic',
  'Exponential',
] as const;
export type CurveType = (typeof CURVE_TYPES)[number];

/** apy_min, apy_max, curve, allocation % of capital, risk score 1 (safest) – 10. Allocations sum to 100. */
const TRANCHES: ReadonlyArray<[TrancheId, number, number, CurveType, number, number]> = [
  ['SURE_BTC', 0.02, 0.05, 'Flat', 10, 1],
  ['SURE_SNR', 0.03, 0.06, 'Logarithmic', 30, 2],
  ['SURE_MEZZ', 0.06, 0.12, 'Linear', 25, 4],
  ['SURE_JNR', 0.1, 0.2, 'Sigmoidal', 15, 6],
  ['SURE_JNR_PLUS', 0.15, 0.3, 'Quadratic', 12, 8],
  ['SURE_EQT', 0.2, 0.5, 'Exponential', 8, 10],
];

/** Requests per minute each provider allows us (free tiers where one exists). */
const RATE_LIMITS: ReadonlyArray<[string, number, string]> = [
  ['polygon', 5, 'Polygon.io free tier'],
  ['coingecko', 30, 'CoinGecko public API'],
  ['oanda', 120, 'OANDA v20 REST (documented 120 req/s; kept polite)'],
  ['yahoo', 60, 'Yahoo chart API (unofficial; be gentle)'],
  ['binance', 1200, 'Binance request weight per minute'],
  ['fred', 120, 'FRED API'],
  ['newsapi', 100, 'NewsAPI developer plan is 100 req/day; per-minute cap'],
  ['alphavantage', 5, 'Alpha Vantage free tier'],
];

/** Jobs whose schedule can be switched off without a deploy (names from the orchestrator issue). */
const SCHEDULES: ReadonlyArray<[string, string]> = [
  ['depeg_backfill', 'daily 02:00 UTC incremental depeg backfill (last 7 days)'],
  ['correlation_matrices', 'daily 02:10 UTC correlation matrices (30/90/365 days)'],
  ['risk_report', 'daily 02:20 UTC risk report'],
  ['fx_correlations', 'daily 00:00 UTC FX correlations and best pairs'],
  ['historical_backfill', 'weekly Sunday 03:00 UTC full historical backfill'],
  ['cleanup', 'weekly cleanup: archive, dedup, VACUUM ANALYZE'],
  ['integrity_checks', 'weekly quality gate over the store'],
  ['hourly_ohlc', 'hourly OHLC of the last 2 hours + volatility metrics'],
  ['equities_daily', 'equities daily bars 16:30 America/New_York Mon–Fri'],
  ['equities_hourly', 'equities hourly bars in market hours'],
  ['latest_prices', 'latest prices every minute in market hours'],
];

export const DEFAULT_PARAMETERS: readonly ParameterDef[] = Object.freeze([
  // pricing — depeg cover premium
  ...Object.entries(BASE_RATES).map(([asset, rate]) =>
    p('pricing', `base_rate_${asset}`, 'float', rate, `Annual base premium rate for ${asset} cover`, RATE),
  ),
  p('pricing', 'base_rate_default', 'float', 0.1, 'Annual base rate for assets without their own', RATE),
  p('pricing', 'risk_weight_volatility', 'float', 0.3, 'Weight of price volatility in the risk score', RATE),
  p('pricing', 'risk_weight_depeg_history', 'float', 0.25, 'Weight of past depeg events', RATE),
  p('pricing', 'risk_weight_liquidity', 'float', 0.2, 'Weight of market liquidity', RATE),
  p('pricing', 'risk_weight_collateral', 'float', 0.15, 'Weight of collateral quality', RATE),
  p('pricing', 'risk_weight_correlation', 'float', 0.1, 'Weight of correlation with the book', RATE),
  p(
    'pricing',
    'size_discount_tier1_threshold',
    'float',
    1_000_000,
    'Cover amount (USD) from which tier 1 applies',
    POSITIVE,
  ),
  p('pricing', 'size_discount_tier1_multiplier', 'float', 0.95, 'Premium multiplier at tier 1', RATE),
  p(
    'pricing',
    'size_discount_tier2_threshold',
    'float',
    5_000_000,
    'Cover amount (USD) from which tier 2 applies',
    POSITIVE,
  ),
  p('pricing', 'size_discount_tier2_multiplier', 'float', 0.9, 'Premium multiplier at tier 2', RATE),
  p(
    'pricing',
    'size_discount_tier3_threshold',
    'float',
    10_000_000,
    'Cover amount (USD) from which tier 3 applies',
    POSITIVE,
  ),
  p('pricing', 'size_discount_tier3_multiplier', 'float', 0.8, 'Premium multiplier at tier 3', RATE),
  ...UTILIZATION_BANDS.map((band, i) =>
    p(
      'pricing',
      `utilization_multiplier_${band}`,
      'float',
      UTILIZATION_MULTIPLIERS[i] ?? 1,
      `Premium multiplier when pool utilisation is at least ${band} %`,
      { min: 0, max: 10 },
    ),
  ),
  p('pricing', 'duration_base_days', 'int', 30, 'Cover period the annual rate is pro-rated against (days)', {
    min: 1,
    max: 3650,
  }),
  p('pricing', 'trigger_base_price', 'float', 0.98, 'Price below which a depeg claim triggers', {
    min: 0.5,
    max: 1,
  }),
  p('pricing', 'target_loss_ratio', 'float', 0.65, 'Claims paid / premiums earned the pricing aims for', {
    min: 0.01,
    max: 2,
  }),
  p(
    'pricing',
    'claims_adjustment_dampener',
    'float',
    0.5,
    'Share of the loss-ratio gap passed into rates',
    RATE,
  ),
  p('pricing', 'minimum_premium_absolute', 'float', 100, 'Smallest premium charged (USD)', POSITIVE),
  p('pricing', 'minimum_premium_rate', 'float', 0.005, 'Smallest annual rate charged', RATE),
  // risk engine
  p('risk', 'var_confidence_primary', 'float', 0.95, 'VaR confidence level reported first', {
    min: 0.5,
    max: 0.9999,
  }),
  p('risk', 'var_confidence_tail', 'float', 0.99, 'VaR confidence level for the tail', {
    min: 0.5,
    max: 0.9999,
  }),
  p('risk', 'monte_carlo_simulations', 'int', 10_000, 'Base Monte Carlo simulation count', {
    min: 100,
    max: 10_000_000,
  }),
  p('risk', 'var_horizon_days', 'int', 30, 'VaR horizon (days)', { min: 1, max: 365 }),
  p('risk', 'historical_data_years', 'int', 3, 'Years of history used for calibration', { min: 1, max: 30 }),
  p('risk', 'risk_free_rate', 'float', 0.045, 'Annual risk-free rate (Sharpe, discounting)', {
    min: -0.05,
    max: 0.25,
  }),
  p('risk', 'reserve_multiplier', 'float', 1.5, 'Reserves held = VaR 95 × this', { min: 0, max: 10 }),
  p('risk', 'stress_buffer_multiplier', 'float', 1.2, 'Stress losses scaled by this for buffers', {
    min: 0,
    max: 10,
  }),
  p(
    'risk',
    'scenario_weights',
    'string',
    'default',
    'Scenario weights of the VaR: "default" as stored, "model" scaled by the active depeg model (migration 096)',
    { allowed: ['default', 'model'] },
  ),
  // SURE tranches
  ...TRANCHES.flatMap(([id, apyMin, apyMax, curve, allocation, score]) => [
    p('tranches', `${id}.apy_min`, 'float', apyMin, `${id} minimum APY`, RATE),
    p('tranches', `${id}.apy_max`, 'float', apyMax, `${id} maximum APY`, RATE),
    p('tranches', `${id}.curve_type`, 'string', curve, `${id} APY curve over utilisation`, {
      allowed: [...CURVE_TYPES],
    }),
    p('tranches', `${id}.allocation_percent`, 'float', allocation, `${id} share of capital (%)`, {
      min: 0,
      max: 100,
    }),
    p('tranches', `${id}.risk_score`, 'int', score, `${id} risk score, 1 safest – 10`, { min: 1, max: 10 }),
  ]),
  // data quality gate
  p('quality', 'stablecoin_min_price', 'float', 0.5, 'Stablecoin prices below this are rejected', {
    min: 0,
    max: 1,
  }),
  p('quality', 'stablecoin_max_price', 'float', 1.5, 'Stablecoin prices above this are rejected', {
    min: 1,
    max: 10,
  }),
  p('quality', 'outlier_sigma', 'float', 5, 'Log-return distance (σ) that flags an outlier', {
    min: 1,
    max: 50,
  }),
  p('quality', 'outlier_batch_max', 'float', 0.1, 'Share of outliers above which a batch is rejected', RATE),
  p('quality', 'max_age_hours', 'float', 24, 'Latest point older than this is stale (hours)', {
    min: 0.1,
    max: 8760,
  }),
  // provider rate limits
  ...RATE_LIMITS.map(([provider, perMinute, why]) =>
    p('rate_limits', `${provider}_per_minute`, 'int', perMinute, `${why}: requests per minute`, {
      min: 1,
      max: 100_000,
    }),
  ),
  // NL→SQL chat execution (migration 093)
  p(
    'chat',
    'timeout_ms',
    'int',
    10_000,
    'Wall-clock limit of one chat query; past it the query is stopped (ms)',
    {
      min: 100,
      max: 600_000,
    },
  ),
  p('chat', 'max_concurrent', 'int', 2, 'Chat queries running at once; more are refused with 503', {
    min: 1,
    max: 64,
  }),
  p('chat', 'max_rows', 'int', 1000, 'Rows a chat query returns at most', { min: 1, max: 100_000 }),
  p(
    'chat',
    'snapshot_max_age_ms',
    'int',
    60_000,
    'Embedded store: age after which the chat copy of the store is refreshed (ms)',
    { min: 0, max: 86_400_000 },
  ),
  // live alerts and live risk (migration 098), read on every composite tick
  p(
    'alerts',
    'depeg_threshold',
    'float',
    0.005,
    'Relative distance from the peg beyond which a stablecoin is off peg (0.005 = 0.5 %)',
    { min: 0.0001, max: 0.5 },
  ),
  p(
    'alerts',
    'depeg_min_seconds',
    'float',
    5,
    'Seconds the composite price must stay off peg (and back inside) before an alert (a recovery) is raised',
    { min: 0, max: 3600 },
  ),
  p(
    'alerts',
    'risk_move_threshold',
    'float',
    0.01,
    'Composite move since the last live VaR that triggers a new one (0.01 = 1 %)',
    { min: 0.0001, max: 1 },
  ),
  p(
    'alerts',
    'regime_probability',
    'float',
    0.5,
    'P(high-correlation regime next week) of the active regimes model at or above which contagion alerts mention it (migration 096)',
    { min: 0, max: 1 },
  ),
  p(
    'alerts',
    'risk_min_interval_seconds',
    'float',
    10,
    'Least time between two live VaR recomputations (s)',
    {
      min: 0,
      max: 86_400,
    },
  ),
  // pre-trade risk and the live switch (migration 099; max_daily_loss described again in 100), read before every order; 0 turns a limit off
  p(
    'risk_limits',
    'max_order_notional',
    'float',
    0,
    'Largest notional of one order (account currency); 0 = no limit',
    POSITIVE,
  ),
  p(
    'risk_limits',
    'max_position_notional',
    'float',
    0,
    'Largest notional of one position after an order (account currency); 0 = no limit',
    POSITIVE,
  ),
  p(
    'risk_limits',
    'max_gross_exposure',
    'float',
    0,
    'Largest sum of |position notional| over a broker account after an order; 0 = no limit',
    POSITIVE,
  ),
  p(
    'risk_limits',
    'max_daily_loss',
    'float',
    0,
    'Loss since the start of the UTC day that puts the strategy in a reducing state: orders that reduce a position pass, others are refused (account currency, positive); 0 = no limit',
    POSITIVE,
  ),
  p(
    'risk_limits',
    'halt_on_depeg',
    'json',
    true,
    'Refuse new orders while a depeg alert is open on a stablecoin the account holds or quotes in',
    ON_OFF,
  ),
  p(
    'trading',
    'live_enabled',
    'json',
    false,
    'Allow orders to external brokers (with trade run --live); off: runs are dry runs',
    ON_OFF,
  ),
  // schedules
  ...SCHEDULES.map(([job, what]) => p('schedules', `${job}.enabled`, 'json', true, `Run ${what}`, ON_OFF)),
]);
