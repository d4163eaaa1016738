import type { VarConventions } from '../risk/montecarlo.ts';
/** The start-of-day and end-of-day reports, as data (what `report --json` prints and the renderers draw). */

export const REPORT_KINDS = ['sod', 'eod'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export function isReportKind(v: unknown): v is ReportKind {
  return typeof v === 'string' && (REPORT_KINDS as readonly string[]).includes(v);
}

export interface InstrumentMove {
  symbol: string;
  asset_class: string;
  name: string;
  /** Latest daily close at or before the report's as-of time, and its bar time (ISO). */
  close: number;
  ts: string;
  prev_close: number | null;
  /** Day change, fraction (0.012 = +1.2 %); null without a previous close. */
  change: number | null;
  /** Change over the last 30 days, fraction; null with less history. */
  change_30d: number | null;
  /** The latest bar is more than 4 days older than the as-of time. */
  stale: boolean;
}

export interface AssetClassSummary {
  asset_class: string;
  instruments: number;
  advancers: number;
  decliners: number;
  /** Mean day change of its instruments, fraction. */
  avg_change: number | null;
  best: { symbol: string; change: number } | null;
  worst: { symbol: string; change: number } | null;
}

type SignalAction = 'buy' | 'sell' | 'hold';

export interface StrategySignal {
  strategy: string;
  symbol: string;
  action: SignalAction;
  /** Where the strategy stands after this bar: long, flat or short. */
  stance: 'long' | 'flat' | 'short';
  /** Plain-language reasoning built from the numbers. */
  reasoning: string;
  indicators: Record<string, number>;
}

export interface RiskSnapshot {
  /** Date of the stored risk report used (the newest at or before the report date), null when none. */
  date: string | null;
  portfolio: string | null;
  var_95: number | null;
  var_99: number | null;
  cvar_95: number | null;
  /** How the VaR was made (method, horizon in calendar days, scaling), as its risk report stored it. */
  var_conventions: VarConventions | null;
  /** The same in one line, for the HTML, PDF and terminal. */
  var_method: string | null;
  capital: number | null;
  ltv: number | null;
  alerts: { level: string; message: string }[];
  note: string | null;
}

export interface QualitySnapshot {
  total_checks: number;
  passed: number;
  failed: number;
  overall_valid: boolean;
  errors: { check_name: string; error_message: string }[];
  quarantined_by_rule: Record<string, number>;
  quarantined_total: number;
  /** When the validation report was made (ISO); null when validated now. */
  validated_at: string | null;
}

export interface DailyReport {
  kind: ReportKind;
  date: string;
  /** Data up to this time (ISO): the start of `date` for SOD, its end for EOD. */
  as_of: string;
  generated_at: string;
  title: string;
  headline: string;
  /** Prose rewrite by the local model, when asked for and configured; null otherwise. */
  narrative: string | null;
  /** Why the narrative is missing when it was asked for (the report itself still succeeds). */
  narrative_error?: string;
  market: AssetClassSummary[];
  instruments: InstrumentMove[];
  movers: { gainers: InstrumentMove[]; losers: InstrumentMove[] };
  signals: StrategySignal[];
  /** Strategies listed but not evaluated, with why (e.g. multi-asset). */
  signals_skipped: { strategy: string; reason: string }[];
  risk: RiskSnapshot;
  quality: QualitySnapshot;
  /** Chart data (drawn as SVG in the HTML and with PDFKit in the PDF). */
  charts: {
    /** Day change of the movers, fractions. */
    movers: { label: string; value: number }[];
    /** Mean day change per asset class, fractions. */
    classes: { label: string; value: number }[];
    /** Last 30 closes of one instrument per asset class, rebased to 100. */
    lines: { label: string; values: number[] }[];
  };
}
