import type { Writable } from 'node:stream';
import type { Queryable } from '../store/db.ts';
import {
  type ExportDataset,
  type ExportFilter,
  exportColumns,
  readExportPages,
} from '../store/repos/export.ts';
import { openCsvSink } from './csv.ts';
import type { ExportFormat } from './formats.ts';
import { openParquetSink } from './parquet.ts';
import type { OpenSink } from './sink.ts';
import { openXlsxSink } from './xlsx.ts';

const SINKS: Record<ExportFormat, OpenSink> = {
  csv: openCsvSink,
  parquet: openParquetSink,
  xlsx: openXlsxSink,
};

export interface ExportResult {
  dataset: ExportDataset;
  format: ExportFormat;
  rows: number;
  duration_ms: number;
}

/**
 * Streams `dataset` (filtered) to `out` as `format`, one keyset page at a time, and ends `out`. Memory holds
 * one page plus the writer's buffer (a Parquet row group), whatever the table's size.
 */
export async function exportDataset(
  db: Queryable,
  dataset: ExportDataset,
  format: ExportFormat,
  filter: ExportFilter,
  out: Writable,
  opts: { pageRows?: number } = {},
): Promise<ExportResult> {
  const started = Date.now();
  const sink = SINKS[format](out, exportColumns(dataset), dataset);
  let rows = 0;
  for await (const page of readExportPages(db, dataset, filter, opts.pageRows)) {
    await sink.write(page);
    rows += page.length;
  }
  await sink.end();
  return { dataset, format, rows, duration_ms: Date.now() - started };
}
