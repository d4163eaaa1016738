import type { ExportDataset, ExportFilter } from '../store/repos/export.ts';

/** Export file formats; this module stays light so `--help` and route schemas need no writer library. */
export const EXPORT_FORMATS = ['csv', 'parquet', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** `bars-1d-20240101-20241231.parquet`: the download's file name. */
export function exportFileName(dataset: ExportDataset, format: ExportFormat, filter: ExportFilter): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
  const parts: string[] = [dataset];
  if (filter.interval) parts.push(filter.interval);
  if (filter.from !== undefined) parts.push(day(filter.from));
  if (filter.to !== undefined) parts.push(day(filter.to));
  return `${parts.join('-')}.${format}`;
}
