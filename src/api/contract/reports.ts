import { z } from 'zod';
import { REPORT_KINDS } from '../../reports/types.ts';
import { AnyObject, errorResponses } from './common.ts';

/**
 * Stored SOD/EOD reports (`/api/reports`): the list, each one as HTML for the viewer, its PDF and its data.
 * The routes validate with these schemas, the OpenAPI document shows them and the Reports page imports their types.
 */

const ReportKind = z.enum(REPORT_KINDS);

const ReportParams = z.object({
  kind: ReportKind,
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD'),
});

/** One stored report, with the addresses of its HTML page, PDF and data. */
const ReportItem = z.looseObject({
  kind: ReportKind,
  date: z.string(),
  generated_at: z.string(),
  headline: z.string(),
  html_url: z.string(),
  pdf_url: z.string(),
  emailed_to: z.array(z.string()),
  emailed_at: z.string().nullable(),
});
export type ReportItem = z.infer<typeof ReportItem>;

const ReportList = z.object({ items: z.array(ReportItem) });
export type ReportList = z.infer<typeof ReportList>;

/** Route schemas (OpenAPI document, validation, serialisation). */
export const reportRoutes = {
  list: {
    summary: 'Stored SOD/EOD reports, newest first',
    tags: ['reports'],
    querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    response: { 200: ReportList, ...errorResponses },
  },
  html: {
    summary: 'One report as a self-contained HTML page (inline SVG charts)',
    tags: ['reports'],
    params: ReportParams,
    produces: ['text/html'],
    response: { 200: z.string(), ...errorResponses },
  },
  json: {
    summary: 'One report as data (the shape of `report --json`)',
    tags: ['reports'],
    params: ReportParams,
    response: { 200: AnyObject, ...errorResponses },
  },
  pdf: {
    summary: 'One report as PDF (the email attachment)',
    tags: ['reports'],
    params: ReportParams,
    produces: ['application/pdf'],
  },
} as const;
