/**
 * Repository of the `risk` schema (migration 030): scenarios, portfolios, VaR results, reports; plus
 * guarded reads of the analytics tables (`derived.asset_correlations`, `derived.depeg_events`) that may not
 * exist yet — those return null instead of failing so the risk engine can fall back to defaults.
 */
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import type { Portfolio } from '../../core/portfolio.ts';
import { parsePortfolio, portfolioToJson } from '../../core/portfolio.ts';
import type { Scenario } from '../../core/scenario.ts';
import type { VarRecord } from '../../core/var-record.ts';
import type { Queryable } from '../db.ts';

interface ScenarioRow {
  id: number;
  name: string;
  description: string;
  type: string;
  asset_impacts: Record<string, number> | string;
  btc_impact: number | null;
  correlation_shift: number;
  volatility_multiplier: number;
  probability_annual: number;
  severity_level: number;
  weight: number;
  normalized_weight: number | null;
  enabled: boolean;
  is_default: boolean;
}

export interface StoredScenario extends Scenario {
  id: number;
  normalizedWeight: number | null;
  isDefault: boolean;
}

function json<T>(v: T | string): T {
  return typeof v === 'string' ? (JSON.parse(v) as T) : v;
}

function toScenario(r: ScenarioRow): StoredScenario {
  const impacts = json(r.asset_impacts);
  return {
    id: Number(r.id),
    name: r.name,
    description: r.description,
    type: r.type,
    assetImpacts: Object.fromEntries(Object.entries(impacts).map(([k, v]) => [k, Number(v)])),
    btcImpact: r.btc_impact === null ? null : Number(r.btc_impact),
    correlationShift: Number(r.correlation_shift),
    volatilityMultiplier: Number(r.volatility_multiplier),
    probabilityAnnual: Number(r.probability_annual),
    severityLevel: Number(r.severity_level),
    weight: Number(r.weight),
    normalizedWeight: r.normalized_weight === null ? null : Number(r.normalized_weight),
    enabled: r.enabled,
    isDefault: r.is_default,
  };
}

export async function listScenarios(
  db: Queryable,
  options: { enabledOnly?: boolean } = {},
): Promise<StoredScenario[]> {
  const res = await db.query<ScenarioRow>(
    `SELECT * FROM risk.stress_scenarios ${options.enabledOnly ? 'WHERE enabled' : ''} ORDER BY severity_level DESC, name`,
  );
  return res.rows.map(toScenario);
}

/** Adds a scenario; ConflictError when the name is taken. Weights are renormalised. */
export async function addScenario(db: Queryable, s: Scenario): Promise<StoredScenario> {
  const res = await db.query<ScenarioRow>(
    `INSERT INTO risk.stress_scenarios
       (name, description, type, asset_impacts, btc_impact, correlation_shift, volatility_multiplier,
        probability_annual, severity_level, weight, enabled)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (name) DO NOTHING
     RETURNING *`,
    [
      s.name,
      s.description,
      s.type,
      JSON.stringify(s.assetImpacts),
      s.btcImpact,
      s.correlationShift,
      s.volatilityMultiplier,
      s.probabilityAnnual,
      s.severityLevel,
      s.weight,
      s.enabled,
    ],
  );
  const row = res.rows[0];
  if (!row) throw new ConflictError(`scenario "${s.name}" already exists`);
  await db.query('SELECT risk.normalize_scenario_weights()');
  const all = await listScenarios(db);
  return all.find((x) => x.id === Number(row.id)) ?? toScenario(row);
}

/** Enables or disables a scenario by name (NotFoundError naming it); weights are renormalised. */
export async function setScenarioEnabled(
  db: Queryable,
  name: string,
  enabled: boolean,
): Promise<StoredScenario> {
  const res = await db.query<{ id: number }>(
    'UPDATE risk.stress_scenarios SET enabled = $2, updated_at = now() WHERE name = $1 RETURNING id',
    [name, enabled],
  );
  const row = res.rows[0];
  if (!row) throw new NotFoundError(`unknown scenario "${name}" (see marketpipe scenarios list)`);
  await db.query('SELECT risk.normalize_scenario_weights()');
  const all = await listScenarios(db);
  const found = all.find((x) => x.id === Number(row.id));
  if (!found) throw new NotFoundError(`scenario "${name}" vanished while updating it`);
  return found;
}

export async function savePortfolio(db: Queryable, p: Portfolio): Promise<void> {
  const doc = portfolioToJson(p);
  await db.query(
    `INSERT INTO risk.portfolios (name, capital, capacity, active_policies, positions, updated_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, now())
     ON CONFLICT (name) DO UPDATE SET capital = EXCLUDED.capital, capacity = EXCLUDED.capacity,
       active_policies = EXCLUDED.active_policies, positions = EXCLUDED.positions, updated_at = now()`,
    [p.name, p.capital, p.capacity ?? null, p.activePolicies ?? null, JSON.stringify(doc.positions)],
  );
}

export async function getPortfolio(db: Queryable, name: string): Promise<Portfolio | null> {
  const res = await db.query<{
    name: string;
    capital: number;
    capacity: number | null;
    active_policies: number | null;
    positions: unknown;
  }>('SELECT name, capital, capacity, active_policies, positions FROM risk.portfolios WHERE name = $1', [
    name,
  ]);
  const r = res.rows[0];
  if (!r) return null;
  return parsePortfolio(
    {
      name: r.name,
      capital: Number(r.capital),
      ...(r.capacity === null ? {} : { capacity: Number(r.capacity) }),
      ...(r.active_policies === null ? {} : { active_policies: Number(r.active_policies) }),
      positions: json(r.positions as string),
    },
    `risk.portfolios "${name}"`,
  );
}

export async function insertVarResult(
  db: Queryable,
  portfolio: string,
  asOf: string,
  r: VarRecord,
): Promise<void> {
  const { var_95, var_99, cvar_95, expected_loss, worst_case, best_case, scenarios_used, simulations } = r;
  await db.query(
    `INSERT INTO risk.var_results (as_of, portfolio, horizon_days, simulations, seed, var_95, var_99, cvar_95,
       expected_loss, worst_case, best_case, scenarios_used, simulation_time_ms, details)
     VALUES ($1::date, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb)`,
    [
      asOf,
      portfolio,
      r.horizon_days,
      simulations,
      r.seed,
      var_95,
      var_99,
      cvar_95,
      expected_loss,
      worst_case,
      best_case,
      scenarios_used,
      r.simulation_time_ms,
      JSON.stringify(r),
    ],
  );
}

export interface VarPoint {
  date: string;
  var_95: number;
  var_99: number;
  cvar_95: number;
}

/** The latest VaR of each day in [from, to] (ISO dates, inclusive), ascending. */
export async function varHistory(
  db: Queryable,
  portfolio: string,
  from: string,
  to: string,
): Promise<VarPoint[]> {
  const res = await db.query<{ d: string; var_95: number; var_99: number; cvar_95: number }>(
    `SELECT DISTINCT ON (as_of) to_char(as_of, 'YYYY-MM-DD') AS d, var_95, var_99, cvar_95
       FROM risk.var_results
      WHERE portfolio = $1 AND as_of BETWEEN $2::date AND $3::date
      ORDER BY as_of, computed_at DESC, id DESC`,
    [portfolio, from, to],
  );
  return res.rows.map((r) => ({
    date: r.d,
    var_95: Number(r.var_95),
    var_99: Number(r.var_99),
    cvar_95: Number(r.cvar_95),
  }));
}

export async function saveReport(
  db: Queryable,
  date: string,
  portfolio: string,
  doc: unknown,
  html: string,
): Promise<void> {
  await db.query(
    `INSERT INTO risk.reports (date, portfolio, json, html) VALUES ($1::date, $2, $3::jsonb, $4)
     ON CONFLICT (date) DO UPDATE SET portfolio = EXCLUDED.portfolio, json = EXCLUDED.json, html = EXCLUDED.html,
       created_at = now()`,
    [date, portfolio, JSON.stringify(doc), html],
  );
}

/** One stored daily risk report, as the history list shows it. */
export interface ReportListItem {
  /** YYYY-MM-DD. */
  date: string;
  portfolio: string;
  /** The report's 95 % VaR (USD), null when the stored JSON has none. */
  var_95: number | null;
  /** How many alerts the report raised. */
  alerts: number;
}

/** Stored risk reports, newest first (at most `limit`, default 365). */
export async function listReports(db: Queryable, limit = 365): Promise<ReportListItem[]> {
  const res = await db.query<{ date: string; portfolio: string; var_95: number | null; alerts: number }>(
    `SELECT to_char(date, 'YYYY-MM-DD') AS date, portfolio,
            CASE WHEN jsonb_typeof(json->'var'->'var_95') = 'number' THEN (json->'var'->>'var_95')::float8 END AS var_95,
            CASE WHEN jsonb_typeof(json->'alerts') = 'array' THEN jsonb_array_length(json->'alerts') ELSE 0 END AS alerts
       FROM risk.reports ORDER BY date DESC LIMIT $1`,
    [limit],
  );
  return res.rows.map((r) => ({
    date: r.date,
    portfolio: r.portfolio,
    var_95: r.var_95 === null ? null : Number(r.var_95),
    alerts: Number(r.alerts),
  }));
}

export async function getReportJson(db: Queryable, date: string): Promise<unknown | null> {
  const res = await db.query<{ json: unknown }>('SELECT json FROM risk.reports WHERE date = $1::date', [
    date,
  ]);
  const r = res.rows[0];
  return r ? json(r.json as string) : null;
}

// ---- guarded reads of analytics tables -------------------------------------------------------------

async function columnsOf(db: Queryable, schema: string, table: string): Promise<Set<string>> {
  const res = await db.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
    [schema, table],
  );
  return new Set(res.rows.map((r) => r.column_name));
}

function pick(cols: Set<string>, ...names: string[]): string | null {
  return names.find((n) => cols.has(n)) ?? null;
}

/**
 * Latest stored correlation per pair among `assets` (window `windowDays` when the table has a window
 * column), as a map keyed `A|B` with A < B; null when `derived.asset_correlations` is absent or unusable.
 */
export async function storedCorrelations(
  db: Queryable,
  assets: readonly string[],
  windowDays = 90,
): Promise<Map<string, number> | null> {
  const cols = await columnsOf(db, 'derived', 'asset_correlations');
  const a1 = pick(cols, 'asset_1', 'asset1', 'symbol_1');
  const a2 = pick(cols, 'asset_2', 'asset2', 'symbol_2');
  const c = pick(cols, 'correlation', 'value');
  if (!a1 || !a2 || !c) return null;
  const w = pick(cols, 'window_days', 'window');
  const t = pick(cols, 'as_of', 'calculated_at', 'computed_at', 'ts');
  const res = await db.query<{ x: string; y: string; c: number | null }>(
    `SELECT ${a1}::text AS x, ${a2}::text AS y, ${c}::float8 AS c FROM derived.asset_correlations
      WHERE ${a1}::text = ANY($1) AND ${a2}::text = ANY($1) ${w ? `AND ${w} = ${Number(windowDays)}` : ''}
      ${t ? `ORDER BY ${t} DESC` : ''}`,
    [assets],
  );
  const out = new Map<string, number>();
  for (const r of res.rows) {
    if (r.c === null || !Number.isFinite(Number(r.c))) continue;
    const key = r.x < r.y ? `${r.x}|${r.y}` : `${r.y}|${r.x}`;
    if (!out.has(key)) out.set(key, Number(r.c));
  }
  return out;
}

export interface StoredDepeg {
  asset: string;
  /** Lowest price in units of the peg currency. */
  minPrice: number;
  /** The event's peg (1 when the table does not record it). */
  peg: number;
  start: number;
}

/** Observed depeg events of `assets` (or all), null when `derived.depeg_events` is absent or unusable. */
export async function storedDepegEvents(
  db: Queryable,
  assets: readonly string[],
): Promise<StoredDepeg[] | null> {
  const cols = await columnsOf(db, 'derived', 'depeg_events');
  const start = pick(cols, 'start_time', 'start', 'started_at', 'start_ts');
  const minPrice = pick(cols, 'min_price', 'low_price');
  let assetExpr: string | null = null;
  let join = '';
  if (cols.has('asset')) assetExpr = 'e.asset::text';
  else if (cols.has('symbol')) assetExpr = 'e.symbol::text';
  else if (cols.has('instrument_id')) {
    assetExpr = 'i.symbol';
    join = 'JOIN market_data.instruments i ON i.id = e.instrument_id';
  }
  if (!start || !minPrice || !assetExpr) return null;
  const peg = cols.has('peg') ? 'e.peg::float8' : '1::float8';
  const res = await db.query<{ asset: string; min_price: number; peg: number | null; start_ms: number }>(
    `SELECT ${assetExpr} AS asset, e.${minPrice}::float8 AS min_price, ${peg} AS peg,
            (extract(epoch FROM e.${start}) * 1000)::float8 AS start_ms
       FROM derived.depeg_events e ${join}
      WHERE ${assetExpr} = ANY($1)
      ORDER BY e.${start}`,
    [assets],
  );
  return res.rows.map((r) => ({
    asset: r.asset,
    minPrice: Number(r.min_price),
    peg: r.peg === null || !(Number(r.peg) > 0) ? 1 : Number(r.peg),
    start: Number(r.start_ms),
  }));
}

/** Peg targets recorded on instruments, by symbol (absent when the instrument is unknown or floats). */
export async function pegTargets(db: Queryable, assets: readonly string[]): Promise<Map<string, number>> {
  const res = await db.query<{ symbol: string; peg_target: number }>(
    'SELECT symbol, peg_target FROM market_data.instruments WHERE symbol = ANY($1) AND peg_target IS NOT NULL',
    [assets],
  );
  return new Map(res.rows.map((r) => [r.symbol, Number(r.peg_target)]));
}

/**
 * Links a scenario to an observed depeg event by (asset, start_time); `depeg_event_id` is filled from
 * `derived.depeg_events` when that row exists. Idempotent. NotFoundError when the scenario is unknown.
 */
export async function linkScenarioEvent(
  db: Queryable,
  scenario: string,
  asset: string,
  startTime: string,
  note: string | null = null,
): Promise<{ depegEventId: number | null }> {
  const sc = await db.query<{ id: number }>('SELECT id FROM risk.stress_scenarios WHERE name = $1', [
    scenario,
  ]);
  const id = sc.rows[0]?.id;
  if (id === undefined)
    throw new NotFoundError(`unknown scenario "${scenario}" (see marketpipe scenarios list)`);
  const cols = await columnsOf(db, 'derived', 'depeg_events');
  let eventId: number | null = null;
  if (cols.has('id') && cols.has('asset') && cols.has('start_time')) {
    const ev = await db.query<{ id: number }>(
      'SELECT id FROM derived.depeg_events WHERE asset = $1 AND start_time = $2::timestamptz',
      [asset, startTime],
    );
    eventId = ev.rows[0] ? Number(ev.rows[0].id) : null;
  }
  await db.query(
    `INSERT INTO risk.scenario_events (scenario_id, depeg_event_id, asset, start_time, note)
     VALUES ($1, $2, $3, $4::timestamptz, $5)
     ON CONFLICT (scenario_id, asset, start_time) DO UPDATE SET depeg_event_id = EXCLUDED.depeg_event_id,
       note = COALESCE(EXCLUDED.note, risk.scenario_events.note)`,
    [id, eventId, asset, startTime, note],
  );
  return { depegEventId: eventId };
}
