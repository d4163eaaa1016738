import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LlmEndpoint } from '../chat/llm.ts';
import { ValidationError } from '../core/errors.ts';
import { toIsoDate } from '../core/time.ts';
import type { Queryable } from '../store/db.ts';
import { buildReport } from './build.ts';
import { type EmailResult, emailReport, type SmtpOptions } from './email.ts';
import { writeNarrative } from './narrative.ts';
import { renderReportHtml } from './render/html.ts';
import { renderReportPdf } from './render/pdf.ts';
import { markEmailed, saveReportDocument } from './store.ts';
import type { DailyReport, ReportKind } from './types.ts';

export interface RunReportOptions {
  kind: ReportKind;
  /** Report day `YYYY-MM-DD` (UTC). @defaultValue today (UTC) */
  date?: string;
  /** `$MARKETPIPE_HOME`: files go to `<home>/reports/`. */
  home: string;
  /** Send it to the recipients by SMTP. @defaultValue false */
  email?: boolean;
  /** SMTP server and recipients (`SMTP_URL`, `REPORT_RECIPIENTS`); required with `email`. */
  smtp?: SmtpOptions;
  /** @defaultValue now */
  generatedAt?: Date;
  /**
   * Add a prose rewrite by this LOCAL model endpoint (the report holds private signals and risk). A
   * failure leaves `narrative` null with `narrative_error` set; the report is still written.
   */
  narrative?: LlmEndpoint;
}

export interface RunReportResult {
  report: DailyReport;
  files: { html: string; pdf: string };
  /** Set when emailed. */
  email?: EmailResult;
}

/**
 * Builds the SOD or EOD report, renders HTML (inline SVG charts) and PDF, writes both under
 * `<home>/reports/`, stores it in `reports.documents`, and emails it when asked. Re-running a day
 * replaces that day's report.
 */
export async function runReport(db: Queryable, o: RunReportOptions): Promise<RunReportResult> {
  const date = o.date ?? toIsoDate(Date.now());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))
    throw new ValidationError(`date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const report = await buildReport(db, { kind: o.kind, date, generatedAt: o.generatedAt });
  if (o.narrative) {
    try {
      report.narrative = await writeNarrative(report, o.narrative);
    } catch (err) {
      report.narrative_error = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    }
  }
  const html = renderReportHtml(report);
  const pdf = await renderReportPdf(report);
  const dir = join(o.home, 'reports');
  await mkdir(dir, { recursive: true });
  const files = {
    html: join(dir, `${o.kind}_report_${date}.html`),
    pdf: join(dir, `${o.kind}_report_${date}.pdf`),
  };
  await writeFile(files.html, html);
  await writeFile(files.pdf, pdf);
  await saveReportDocument(db, report, html, files);
  if (!o.email) return { report, files };
  const email = await emailReport(report, html, pdf, o.smtp ?? { recipients: [] });
  await markEmailed(db, o.kind, date, email.accepted);
  return { report, files, email };
}
