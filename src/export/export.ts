import type { Writable } from 'node:stream';
import type { Db, Queryable } from '../store/db.ts';
import {
  type ExportDataset,
  type ExportFilter,
  exportColumns,
  exportCopySql,
  readExportPages,
} from '../store/repos/export.ts';
import { openCsvSink } from './csv.ts';
import type { ExportFormat } from './formats.ts';
import { heapGuard } from './heap.ts';
import { openParquetSink } from './parquet.ts';
import { endStream, type OpenSink, writeChunk } from './sink.ts';
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
 * Streams `dataset` (filtered) to `out` as `format`, and ends `out`. CSV from a PostgreSQL server is the
 * server's own `COPY (SELECT …) TO STDOUT (FORMAT csv, HEADER)` passed through chunk by chunk (the text is
 * formatted in SQL exactly as the page reader's CSV, so both paths give the same file); everything else
 * goes one keyset page at a time through a format writer. Memory holds one page (or COPY chunk) plus the
 * writer's buffer (a Parquet row group), whatever the table's size.
 */
export async function exportDataset(
  db: Queryable & Pick<Db, 'copyOut'>,
  dataset: ExportDataset,
  format: ExportFormat,
  filter: ExportFilter,
  out: Writable,
  /** `pageRows`: rows per keyset page; given, CSV is read in pages even where COPY could serve it. */
  opts: { pageRows?: number } = {},
): Promise<ExportResult> {
  const started = Date.now();
  const guard = heapGuard();
  if (format === 'csv' && db.copyOut && opts.pageRows === undefined) {
    let chunks = 0;
    const rows = await db.copyOut(exportCopySql(dataset, filter), (chunk) => {
      if (++chunks % 256 === 0) guard();
      return writeChunk(out, chunk);
    });
    await endStream(out);
    return { dataset, format, rows, duration_ms: Date.now() - started };
  }
  const sink = SINKS[format](out, exportColumns(dataset), dataset);
  let rows = 0;
  for await (const page of readExportPages(db, dataset, filter, opts.pageRows)) {
    await sink.write(page);
    rows += page.length;
    guard();
  }
  await sink.end();
  return { dataset, format, rows, duration_ms: Date.now() - started };
}
