import type { Queryable } from '../store/db.ts';
import type { DailyReport, ReportKind } from './types.ts';

export interface StoredReportInfo {
  kind: ReportKind;
  date: string;
  generated_at: string;
  headline: string;
  html_path: string | null;
  pdf_path: string | null;
  emailed_to: string[];
  emailed_at: string | null;
}

export async function saveReportDocument(
  db: Queryable,
  r: DailyReport,
  html: string,
  files: { html: string | null; pdf: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO reports.documents (kind, date, generated_at, summary, html, html_path, pdf_path)
     VALUES ($1, $2::date, $3::timestamptz, $4::jsonb, $5, $6, $7)
     ON CONFLICT (kind, date) DO UPDATE SET generated_at = EXCLUDED.generated_at, summary = EXCLUDED.summary,
       html = EXCLUDED.html, html_path = EXCLUDED.html_path, pdf_path = EXCLUDED.pdf_path`,
    [r.kind, r.date, r.generated_at, JSON.stringify(r), html, files.html, files.pdf],
  );
}

export async function markEmailed(
  db: Queryable,
  kind: ReportKind,
  date: string,
  to: readonly string[],
): Promise<void> {
  await db.query(
    'UPDATE reports.documents SET emailed_to = $3::text[], emailed_at = now() WHERE kind = $1 AND date = $2::date',
    [kind, date, [...to]],
  );
}

const iso = (v: unknown): string | null =>
  v === null || v === undefined ? null : new Date(v as string).toISOString();

/** Stored reports, newest first. */
export async function listReportDocuments(db: Queryable, limit = 100): Promise<StoredReportInfo[]> {
  const res = await db.query<{
    kind: ReportKind;
    date: string;
    generated_at: Date | string;
    headline: string | null;
    html_path: string | null;
    pdf_path: string | null;
    emailed_to: string[] | null;
    emailed_at: Date | string | null;
  }>(
    `SELECT kind, date::text AS date, generated_at, summary->>'headline' AS headline, html_path, pdf_path,
            emailed_to, emailed_at
     FROM reports.documents ORDER BY date DESC, kind DESC LIMIT $1`,
    [limit],
  );
  return res.rows.map((r) => ({
    kind: r.kind,
    date: r.date,
    generated_at: iso(r.generated_at) ?? '',
    headline: r.headline ?? '',
    html_path: r.html_path,
    pdf_path: r.pdf_path,
    emailed_to: r.emailed_to ?? [],
    emailed_at: iso(r.emailed_at),
  }));
}

export async function getReportDocument(
  db: Queryable,
  kind: ReportKind,
  date: string,
): Promise<{ html: string; pdf_path: string | null; summary: DailyReport } | null> {
  const res = await db.query<{ html: string; pdf_path: string | null; summary: unknown }>(
    'SELECT html, pdf_path, summary FROM reports.documents WHERE kind = $1 AND date = $2::date',
    [kind, date],
  );
  const r = res.rows[0];
  if (!r) return null;
  const summary = (typeof r.summary === 'string' ? JSON.parse(r.summary) : r.summary) as DailyReport;
  return { html: r.html, pdf_path: r.pdf_path, summary };
}
