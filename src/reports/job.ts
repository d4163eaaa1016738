import { localEndpoint } from '../chat/llm.ts';
import type { Settings } from '../settings.ts';
import type { Db } from '../store/db.ts';
import type { ReportKind } from './types.ts';

/**
 * The scheduled `report_sod` / `report_eod` run: builds and stores the report, and emails it when
 * `SMTP_URL` and `REPORT_RECIPIENTS` are both set; with a local model (`LLM_LOCAL_BASE_URL`) it adds the
 * prose narrative (never the cloud model: the report holds private signals and risk). Returns the
 * job-history summary.
 */
export async function runReportJob(
  db: Db,
  settings: Pick<Settings, 'home' | 'smtpUrl' | 'reportRecipients'> & Partial<Pick<Settings, 'llmLocal'>>,
  kind: ReportKind,
  date: string,
): Promise<{ records: number; date: string; files: { html: string; pdf: string }; emailed_to: string[] }> {
  const email = Boolean(settings.smtpUrl) && settings.reportRecipients.length > 0;
  // loaded when a report runs: the PDF and mail modules are not worth loading on every start
  const { runReport } = await import('./run.ts');
  const out = await runReport(db, {
    kind,
    date,
    home: settings.home,
    email,
    smtp: { url: settings.smtpUrl, recipients: settings.reportRecipients },
    narrative: localEndpoint({ llm: {}, llmLocal: settings.llmLocal ?? {} }) ?? undefined,
  });
  return { records: 1, date, files: out.files, emailed_to: out.email?.accepted ?? [] };
}
