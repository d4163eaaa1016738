import type { Writable } from 'node:stream';
import { NotFoundError } from '../core/errors.ts';
import type { Db, Queryable } from '../store/db.ts';
import {
  type ExportDataset,
  type ExportFilter,
  exportColumns,
  exportCopySql,
  readExportPages,
  unknownExportSymbols,
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
 * Refuses a filter naming a symbol the store does not know (NotFoundError: CLI exit 1, API 404), before any
 * output is opened — a typo must not pass for "no rows", nor replace an existing file with an empty one.
 */
export async function checkExportFilter(
  db: Queryable,
  dataset: ExportDataset,
  filter: ExportFilter,
): Promise<void> {
  const unknown = await unknownExportSymbols(db, dataset, filter.symbols ?? []);
  if (unknown.length > 0)
    throw new NotFoundError(
      `export ${dataset}: unknown symbol${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (see marketpipe instruments list)`,
    );
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
  /**
   * `pageRows`: rows per keyset page; given, CSV is read in pages even where COPY could serve it.
   * `heapCapMb`: collect garbage past this heap in use after each page (heap.ts) — for a process that runs
   * the export alone (the CLI); a server leaves collection to V8 rather than pause its other requests.
   */
  opts: { pageRows?: number; heapCapMb?: number } = {},
): Promise<ExportResult> {
  const started = Date.now();
  const guard = opts.heapCapMb === undefined ? () => undefined : heapGuard(opts.heapCapMb);
  if (format === 'csv' && db.copyOut && opts.pageRows === undefined) {
    // chunks pass straight through with backpressure: nothing accumulates, nothing to collect
    const rows = await db.copyOut(exportCopySql(dataset, filter), (chunk) => writeChunk(out, chunk));
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
