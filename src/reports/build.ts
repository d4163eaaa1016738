import { DAY_MS } from '../core/time.ts';
import type { Queryable } from '../store/db.ts';
import { listDefinitions } from '../store/repos/strategies.ts';
import { instrumentMoves, loadCloses, summariseByClass, topMovers } from './market.ts';
import { classBars, moverBars, rebasedLines } from './render/charts.ts';
import { computeSignals } from './signals.ts';
import { qualitySnapshot, riskSnapshot } from './snapshots.ts';
import type { DailyReport, ReportKind } from './types.ts';

export interface BuildReportOptions {
  kind: ReportKind;
  /** Report day, `YYYY-MM-DD` (UTC). */
  date: string;
  /** @defaultValue now */
  generatedAt?: Date;
}

/** Data cut-off: SOD sees everything before the day starts, EOD everything before the next day. */
function asOfOf(kind: ReportKind, date: string): number {
  const start = Date.parse(`${date}T00:00:00Z`);
  return kind === 'sod' ? start : start + DAY_MS;
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} %`;

function headline(r: Omit<DailyReport, 'headline' | 'charts' | 'narrative'>): string {
  const parts: string[] = [];
  const up = r.movers.gainers[0];
  const down = r.movers.losers[0];
  const classes = r.market.filter((m) => m.avg_change !== null);
  if (classes.length) {
    parts.push(classes.map((m) => `${m.asset_class} ${pct(m.avg_change ?? 0)}`).join(', '));
  }
  if (up) parts.push(`top gainer ${up.symbol} ${pct(up.change ?? 0)}`);
  if (down) parts.push(`top loser ${down.symbol} ${pct(down.change ?? 0)}`);
  const trades = r.signals.filter((s) => s.action !== 'hold').length;
  parts.push(`${trades} strategy signal${trades === 1 ? '' : 's'}`);
  const critical = r.risk.alerts.filter((a) => a.level === 'critical' || a.level === 'high').length;
  if (critical) parts.push(`${critical} high/critical risk alert${critical === 1 ? '' : 's'}`);
  parts.push(r.quality.overall_valid ? 'data checks passed' : `${r.quality.failed} data check(s) failed`);
  return `${parts.join('; ')}.`;
}

/** Gathers the report's numbers from the store (market, signals, risk, quality). */
export async function buildReport(db: Queryable, o: BuildReportOptions): Promise<DailyReport> {
  const asOf = asOfOf(o.kind, o.date);
  const series = await loadCloses(db, asOf);
  const instruments = instrumentMoves(series, asOf);
  const { signals, skipped } = computeSignals(await listDefinitions(db), series);
  const base = {
    kind: o.kind,
    date: o.date,
    as_of: new Date(asOf).toISOString(),
    generated_at: (o.generatedAt ?? new Date()).toISOString(),
    title: `marketpipe ${o.kind === 'sod' ? 'start-of-day' : 'end-of-day'} report ${o.date}`,
    market: summariseByClass(instruments),
    instruments,
    movers: topMovers(instruments),
    signals,
    signals_skipped: skipped,
    // The newest risk report dated at or before the report day: the day's own when `risk report` (or the
    // risk job) already ran, else an earlier one (its date is stated). SOD used to read only reports of the
    // day before, so it said "none stored" right after `risk report` made today's.
    risk: await riskSnapshot(db, o.date),
    quality: await qualitySnapshot(db),
  };
  const closes = new Map(series.map((s) => [s.symbol, s.close]));
  const draft: DailyReport = {
    ...base,
    headline: headline(base),
    narrative: null,
    charts: { movers: [], classes: [], lines: [] },
  };
  draft.charts = { movers: moverBars(draft), classes: classBars(draft), lines: rebasedLines(draft, closes) };
  return draft;
}
