import { countQuarantineByRule } from '../quality/quarantine.ts';
import { type ValidationReport, validateStore } from '../quality/validate.ts';
import { describeVarConventions } from '../risk/conventions.ts';
import type { VarConventions } from '../risk/montecarlo.ts';
import type { Queryable } from '../store/db.ts';
import type { QualitySnapshot, RiskSnapshot } from './types.ts';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const parse = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

/**
 * The newest stored daily risk report at or before `date` (`risk.reports`, written by `risk report` and
 * the risk_report job): VaR, capital, LTV and its alerts. Not recomputed here: the report reads what the
 * risk job decided.
 */
export async function riskSnapshot(db: Queryable, date: string): Promise<RiskSnapshot> {
  const res = await db.query<{ date: string; portfolio: string; json: unknown }>(
    'SELECT date::text AS date, portfolio, json FROM risk.reports WHERE date <= $1::date ORDER BY date DESC LIMIT 1',
    [date],
  );
  const row = res.rows[0];
  if (!row) {
    return {
      date: null,
      portfolio: null,
      var_95: null,
      var_99: null,
      cvar_95: null,
      var_conventions: null,
      var_method: null,
      capital: null,
      ltv: null,
      alerts: [],
      note: 'no risk report stored yet (run `marketpipe risk report`)',
    };
  }
  const doc = obj(parse(row.json));
  const v = obj(doc.var);
  const summary = obj(doc.summary);
  const alerts = Array.isArray(doc.alerts) ? doc.alerts.map(obj) : [];
  // Reports stored before VaR stated its conventions have none: said so, not guessed.
  const conventions =
    typeof v.conventions === 'object' && v.conventions !== null ? (v.conventions as VarConventions) : null;
  return {
    date: row.date,
    portfolio: row.portfolio,
    var_95: numOrNull(v.var_95),
    var_99: numOrNull(v.var_99),
    cvar_95: numOrNull(v.cvar_95),
    var_conventions: conventions,
    var_method: describeVarConventions(conventions),
    capital: numOrNull(summary.capital),
    ltv: numOrNull(summary.ltv),
    alerts: alerts.map((a) => ({ level: String(a.level ?? 'low'), message: String(a.message ?? '') })),
    note: row.date === date ? null : `the newest risk report is from ${row.date}`,
  };
}

/** The newest stored validation report (or a fresh validation when none) and the pending quarantine. */
export async function qualitySnapshot(db: Queryable): Promise<QualitySnapshot> {
  const res = await db.query<{ report: unknown; created_at: Date | string }>(
    'SELECT report, created_at FROM ops.validation_reports ORDER BY created_at DESC, id DESC LIMIT 1',
  );
  const stored = res.rows[0];
  const report = stored ? (parse(stored.report) as ValidationReport) : await validateStore(db);
  const byRule = await countQuarantineByRule(db);
  return {
    total_checks: report.total_checks,
    passed: report.passed,
    failed: report.failed,
    overall_valid: report.overall_valid,
    errors: (report.errors ?? []).slice(0, 20),
    quarantined_by_rule: byRule,
    quarantined_total: Object.values(byRule).reduce((a, n) => a + n, 0),
    validated_at: stored ? new Date(stored.created_at).toISOString() : null,
  };
}
