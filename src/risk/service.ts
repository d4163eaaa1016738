/**
 * Risk service: wires the store (portfolio, scenarios, bars, analytics tables, config) to the pure risk
 * engine in `src/risk/` and stores what it computes (`risk.var_results`, `risk.reports`, report files).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigStore } from '../config/store.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { type Portfolio, parsePortfolio } from '../core/portfolio.ts';
import { DAY_MS, toIsoDate } from '../core/time.ts';
import { activeDepegForecast, reportModels } from '../models/service.ts';
import type { Db, Queryable } from '../store/db.ts';
import { getInstrument } from '../store/repos/instruments.ts';
import {
  getPortfolio,
  getReportJson,
  insertVarResult,
  listScenarios,
  savePortfolio,
  saveReport,
  varHistory,
} from '../store/repos/risk.ts';
import { correlationRegimeChanges, loadDepegHistory, loadMarketInputs } from './market-reader.ts';
import { type MarketModel, type MonteCarloOptions, monteCarloVar, type VarResult } from './montecarlo.ts';
import { portfolioAssets, totalExposure } from './portfolio.ts';
import { type Quote, quotePremium } from './pricing.ts';
import { resolvePricingParams } from './pricing-params.ts';
import { buildRiskReport, type RiskReport } from './report/build.ts';
import { renderRiskReportHtml } from './report/html.ts';
import { modelScenarioWeights } from './scenarios.ts';
import { defaultPegOf, type StressSummary, stressTest } from './stress.ts';

/** The demo portfolio shipped with marketpipe (capital $50M, ~$35M of stablecoin cover).
 * @public Also read from dist/ by the compiled-bin test.
 */
export const SAMPLE_PORTFOLIO_FILE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../samples/portfolio.json',
);
const DEFAULT_PORTFOLIO = 'default';

export interface PortfolioSource {
  /** A portfolio JSON file; wins over `name`. */
  file?: string;
  /** A portfolio stored in `risk.portfolios`. @defaultValue 'default' (seeded from the sample when absent) */
  name?: string;
}

async function readPortfolioFile(file: string): Promise<Portfolio> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new NotFoundError(`cannot read portfolio file ${file}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  return parsePortfolio(doc, file);
}

/** The portfolio to analyse: a file, a stored one, or the sample (then stored as `default`). */
export async function loadPortfolio(db: Queryable, source: PortfolioSource = {}): Promise<Portfolio> {
  if (source.file) return readPortfolioFile(source.file);
  const name = source.name ?? DEFAULT_PORTFOLIO;
  const stored = await getPortfolio(db, name);
  if (stored) return stored;
  if (name !== DEFAULT_PORTFOLIO) throw new NotFoundError(`unknown portfolio "${name}" in risk.portfolios`);
  const sample = { ...(await readPortfolioFile(SAMPLE_PORTFOLIO_FILE)), name: DEFAULT_PORTFOLIO };
  await savePortfolio(db, sample);
  return sample;
}

/** What the risk service reads parameters from: the runtime's ConfigStore, or a canary's candidate. */
export type RiskParams = Pick<ConfigStore, 'find' | 'list'>;

/**
 * Config parameters (`category.key`) from `store` (the process's, a canary's candidate, another environment)
 * with the catalogue defaults.
 */
function riskConfig(store: RiskParams) {
  const get = (key: string): unknown => {
    const dot = key.indexOf('.');
    return store.find(key.slice(0, dot), key.slice(dot + 1))?.value;
  };
  const num = (key: string, fallback: number): number => {
    const v = get(key);
    return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
  };
  const knownKeys = store.list('pricing').map((p) => `pricing.${p.key}`);
  return { get, num, knownKeys };
}

export interface VarOptions extends PortfolioSource {
  simulations?: number;
  seed?: number;
  /** Valuation date (ISO date); market data up to its end. @defaultValue today (UTC) */
  date?: string;
  /** Store the result in `risk.var_results`. @defaultValue true */
  store?: boolean;
  /** Parameters to use (the runtime's `config()`, or a canary's candidate). */
  config: RiskParams;
}

function asOfOf(date: string | undefined, now = Date.now()): { date: string; asOf: number } {
  if (date === undefined) return { date: toIsoDate(now), asOf: now };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
    throw new ValidationError(`date must be YYYY-MM-DD, got "${date}"`);
  }
  const end = Date.parse(`${date}T00:00:00Z`) + DAY_MS - 1;
  return { date, asOf: Math.min(end, now) };
}

/** Seed used when none is given: the valuation date as yyyymmdd, so a day's numbers are reproducible. */
function seedForDate(date: string): number {
  return Number(date.replaceAll('-', ''));
}

export interface VarRun {
  portfolio: Portfolio;
  result: VarResult;
  date: string;
  sources: Record<string, unknown>;
  /** Where the scenario weights came from (`risk.scenario_weights`). */
  scenario_weights: ScenarioWeightsUsed;
}

interface ScenarioWeightsUsed {
  /** What `risk.scenario_weights` asked for. */
  requested: 'default' | 'model';
  /** What was used: `default` also when `model` was asked for but no active depeg model could be used. */
  used: 'default' | 'model';
  model?: { name: string; version: number; base_rate: number };
  /** Scenarios whose weight the model replaced: stored weight → weight used. */
  changed?: Record<string, { from: number; to: number }>;
  /** Why the default weights were used although `model` was asked for. */
  fallback?: string;
}

/**
 * The enabled scenarios with the weights `risk.scenario_weights` asks for. `model`: each scenario that
 * shocks a stablecoin the active depeg model forecasts gets weight × P_model / base rate (see
 * `modelScenarioWeights`); without a usable active model the stored weights are used and the result says why.
 */
async function weightedScenarios(db: Db, requested: unknown, asOf: number) {
  const scenarios = await listScenarios(db, { enabledOnly: true });
  if (requested !== 'model')
    return { scenarios, used: { requested: 'default', used: 'default' } as ScenarioWeightsUsed };
  const f = await activeDepegForecast(db, asOf);
  if (typeof f === 'string')
    return {
      scenarios,
      used: { requested: 'model', used: 'default', fallback: f } as ScenarioWeightsUsed,
    };
  const w = modelScenarioWeights(scenarios, f.probabilities, f.base_rate);
  return {
    scenarios: w.scenarios,
    used: {
      requested: 'model',
      used: 'model',
      model: { name: f.name, version: f.version, base_rate: f.base_rate },
      changed: w.changed,
    } as ScenarioWeightsUsed,
  };
}

/** What `monteCarloVar` is called with for a VaR run, and where its inputs came from. */
export interface VarInputs {
  portfolio: Portfolio;
  model: MarketModel;
  monteCarlo: MonteCarloOptions;
  date: string;
  sources: Record<string, unknown>;
  scenario_weights: ScenarioWeightsUsed;
}

/**
 * Reads everything a VaR run needs from the store (portfolio, market model, depeg history, weighted
 * scenarios) without simulating: the live monitor runs the simulation in a worker thread.
 */
export async function loadVarInputs(db: Db, options: VarOptions): Promise<VarInputs> {
  const { date, asOf } = asOfOf(options.date);
  const portfolio = await loadPortfolio(db, options);
  const cfg = riskConfig(options.config);
  const assets = portfolioAssets(portfolio);
  const market = await loadMarketInputs(db, assets, asOf);
  const years = cfg.num('risk.historical_data_years', 3);
  const depegs = await loadDepegHistory(db, assets, asOf, years);
  const { scenarios, used } = await weightedScenarios(db, cfg.get('risk.scenario_weights'), asOf);
  return {
    portfolio,
    model: market.model,
    monteCarlo: {
      horizonDays: cfg.num('risk.var_horizon_days', 30),
      baseSimulations: cfg.num('risk.monte_carlo_simulations', 10_000),
      simulations: options.simulations,
      seed: options.seed ?? seedForDate(date),
      scenarios,
      depegs: depegs.history ?? undefined,
    },
    date,
    sources: {
      ...market.sources,
      depeg_events: depegs.history
        ? `${depegs.history.events.length} in ${years}y (derived.depeg_events)`
        : 'none (analytics not run)',
      scenarios: scenarios.map((s) => s.name),
      scenario_weights:
        used.used === 'model' ? `model ${used.model?.name} v${used.model?.version}` : 'default',
    },
    scenario_weights: used,
  };
}

export async function runVar(db: Db, options: VarOptions): Promise<VarRun> {
  const inputs = await loadVarInputs(db, options);
  const { portfolio, date } = inputs;
  const result = monteCarloVar(portfolio, inputs.model, inputs.monteCarlo);
  if (options.store ?? true) await insertVarResult(db, portfolio.name, date, result);
  return { portfolio, result, date, sources: inputs.sources, scenario_weights: inputs.scenario_weights };
}

export async function runStress(
  db: Db,
  options: PortfolioSource & { threshold?: number } = {},
): Promise<StressSummary> {
  const portfolio = await loadPortfolio(db, options);
  const scenarios = await listScenarios(db, { enabledOnly: true });
  return stressTest(portfolio, scenarios, { threshold: options.threshold ?? 0.1, pegOf: defaultPegOf });
}

export interface DailyRiskOptions extends PortfolioSource {
  /** `$MARKETPIPE_HOME`; report files go to `<home>/reports/`. */
  home: string;
  /** Parameters to use (the runtime's `config()`). */
  config: RiskParams;
  date?: string;
  seed?: number;
  simulations?: number;
}

export interface DailyRiskResult {
  report: RiskReport;
  files: { json: string; html: string };
}

/** Runs VaR + stress for the day, builds the report, writes JSON + HTML files and stores it. */
export async function runDailyRisk(db: Db, options: DailyRiskOptions): Promise<DailyRiskResult> {
  const { date, asOf } = asOfOf(options.date);
  const v = await runVar(db, { ...options, date });
  const cfg = riskConfig(options.config);
  const from = toIsoDate(Date.parse(`${date}T00:00:00Z`) - 30 * DAY_MS);
  const prev = toIsoDate(Date.parse(`${date}T00:00:00Z`) - DAY_MS);
  const history = await varHistory(db, v.portfolio.name, from, prev);
  const stress = stressTest(v.portfolio, await listScenarios(db, { enabledOnly: true }), { threshold: 0.1 });
  const assets = portfolioAssets(v.portfolio);
  const market = await loadMarketInputs(db, [...new Set([...assets, 'BTC'])], asOf);
  const depegs = await loadDepegHistory(db, assets, asOf, cfg.num('risk.historical_data_years', 3));
  const old = (await getReportJson(db, from)) as { summary?: { coverage?: unknown } } | null;
  const oldCoverage = typeof old?.summary?.coverage === 'number' ? old.summary.coverage : null;
  const report = buildRiskReport({
    date,
    generatedAt: new Date().toISOString(),
    portfolio: v.portfolio,
    var: v.result,
    varHistory: history,
    stress,
    correlationChanges: await correlationRegimeChanges(db, market.model.assets, market.bars, asOf),
    newDepegs7d: depegs.recent7d,
    coverage30dAgo: oldCoverage,
    reserveMultiplier: cfg.num('risk.reserve_multiplier', 1.5),
    dataSources: v.sources,
  });
  report.models = await reportModels(db, asOf);
  const html = renderRiskReportHtml(report);
  const dir = join(options.home, 'reports');
  await mkdir(dir, { recursive: true });
  const files = { json: join(dir, `risk_report_${date}.json`), html: join(dir, `risk_report_${date}.html`) };
  await writeFile(files.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(files.html, html);
  await saveReport(db, date, v.portfolio.name, report, html);
  return { report, files };
}

export interface QuoteOptions {
  asset: string;
  amount: number;
  days?: number;
  /** Parameters to use (the runtime's `config()`, or the request's canary). */
  config: RiskParams;
  /**
   * Price with the active depeg model's forecast for the asset (risk weight × probability / base rate, see
   * `quotePremium`). @defaultValue false
   */
  depegModel?: boolean;
}

/**
 * Prices depeg cover with config parameters; utilisation from the default portfolio's book when stored. The
 * asset must be an instrument of the universe or have its own `pricing.base_rate_{ASSET}`: a typo is a
 * NotFoundError, not a quote at the default rate.
 */
export async function quote(db: Db, options: QuoteOptions): Promise<Quote> {
  const cfg = riskConfig(options.config);
  const asset = options.asset.toUpperCase();
  if (!cfg.knownKeys.includes(`pricing.base_rate_${asset}`) && !(await getInstrument(db, asset))) {
    throw new NotFoundError(
      `unknown asset "${asset}": not an instrument (see marketpipe instruments list) and no pricing.base_rate_${asset}`,
    );
  }
  const params = resolvePricingParams(cfg.get, [asset], cfg.knownKeys);
  const book = await getPortfolio(db, DEFAULT_PORTFOLIO);
  const capacity = book ? (book.capacity ?? book.capital) : undefined;
  const utilization = book && capacity ? Math.min(1, totalExposure(book, 'coverage') / capacity) : 0;
  let depegModel: { probability: number; baseRate: number } | undefined;
  if (options.depegModel) {
    const f = await activeDepegForecast(db, Date.now());
    if (typeof f === 'string') throw new NotFoundError(`cannot price with the depeg model: ${f}`);
    const probability = f.probabilities[asset];
    if (probability === undefined)
      throw new NotFoundError(`depeg model ${f.name} v${f.version} has no forecast for ${asset}`);
    depegModel = { probability, baseRate: f.base_rate };
  }
  return quotePremium(
    { asset, amount: options.amount, days: options.days, utilization, capacity, depegModel },
    params,
  );
}
