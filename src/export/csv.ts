import type { Writable } from 'node:stream';
import type { ExportColumn, ExportRow, ExportValue } from '../store/repos/export.ts';
import { type ExportSink, endStream, writeChunk } from './sink.ts';

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function dayIso(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

function cell(col: ExportColumn, v: ExportValue): string {
  if (v === null) return '';
  switch (col.kind) {
    case 'timestamp':
      return typeof v === 'number' ? new Date(v).toISOString() : csvField(String(v));
    case 'date':
      return typeof v === 'number' ? dayIso(v) : csvField(String(v));
    case 'float':
    case 'int':
      return String(v);
    default:
      return csvField(String(v));
  }
}

/** CSV with a header row; timestamps ISO-8601 UTC (`…Z`), dates `YYYY-MM-DD`, empty for NULL. */
export function openCsvSink(out: Writable, columns: readonly ExportColumn[]): ExportSink {
  let header = `${columns.map((c) => csvField(c.name)).join(',')}\n`;
  return {
    async write(rows: readonly ExportRow[]) {
      if (rows.length === 0) return;
      const lines: string[] = [];
      for (const row of rows) {
        const cells: string[] = new Array(columns.length);
        for (let c = 0; c < columns.length; c++) cells[c] = cell(columns[c] as ExportColumn, row[c] ?? null);
        lines.push(cells.join(','));
      }
      const text = `${header}${lines.join('\n')}\n`;
      header = '';
      await writeChunk(out, text);
    },
    async end() {
      if (header) await writeChunk(out, header);
      await endStream(out);
    },
  };
}
