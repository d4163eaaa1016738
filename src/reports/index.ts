export { asOfOf, buildReport } from './build.ts';
export { emailReport, reportSubject, type SmtpOptions } from './email.ts';
export { renderReportHtml } from './render/html.ts';
export { renderReportPdf } from './render/pdf.ts';
export { type RunReportOptions, type RunReportResult, runReport } from './run.ts';
export { getReportDocument, listReportDocuments, type StoredReportInfo } from './store.ts';
export * from './types.ts';
