import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ExportColumn, ExportColumnKind, ExportRow, ExportValue } from '../store/repos/export.ts';
import { type ExportSink, endStream } from './sink.ts';

/** Excel's row limit per sheet (1,048,576) less the header row: longer exports continue on a new sheet. */
const MAX_SHEET_ROWS = 1_048_575;

const NUM_FMT: Partial<Record<ExportColumnKind, string>> = {
  timestamp: 'yyyy-mm-dd hh:mm:ss',
  date: 'yyyy-mm-dd',
  float: '0.00########',
  int: '0',
};

function cellValue(kind: ExportColumnKind, v: ExportValue): ExcelJS.CellValue {
  if (v === null) return null;
  // exceljs stores a Date as its UTC serial day number, so the sheet shows UTC times.
  if (kind === 'timestamp' && typeof v === 'number') return new Date(v);
  if (kind === 'date' && typeof v === 'number') return new Date(v * 86_400_000);
  return v;
}

/**
 * XLSX through exceljs's streaming `WorkbookWriter`: each row is committed (serialised and released) as it
 * is added, with a bold header row and number formats per column (UTC times, dates, floats, integers).
 */
export function openXlsxSink(out: Writable, columns: readonly ExportColumn[], title: string): ExportSink {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  let sheet: ExcelJS.Worksheet | undefined;
  let sheetRows = 0;
  let sheets = 0;

  function newSheet(): ExcelJS.Worksheet {
    sheets++;
    const ws = book.addWorksheet(sheets === 1 ? title : `${title} (${sheets})`, {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    ws.columns = columns.map((c) => ({
      header: c.name,
      key: c.name,
      width: c.kind === 'timestamp' ? 20 : c.kind === 'text' || c.kind === 'json' ? 40 : 14,
      style: NUM_FMT[c.kind] ? { numFmt: NUM_FMT[c.kind] } : {},
    }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    sheetRows = 0;
    return ws;
  }

  return {
    async write(rows: readonly ExportRow[]) {
      for (const row of rows) {
        if (!sheet || sheetRows >= MAX_SHEET_ROWS) {
          sheet?.commit();
          sheet = newSheet();
        }
        const values = columns.map((c, i) => cellValue(c.kind, row[i] ?? null));
        sheet.addRow(values).commit();
        sheetRows++;
      }
      if (out.writableNeedDrain) await new Promise((resolve) => out.once('drain', resolve));
    },
    async end() {
      if (!sheet) sheet = newSheet();
      sheet.commit();
      await book.commit();
      if (!out.writableEnded) await endStream(out);
    },
  };
}
