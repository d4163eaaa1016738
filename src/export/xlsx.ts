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

/** The part of a Node-style writable stream the backlog check reads (archiver's is `readable-stream`'s, not `node:stream`'s). */
interface Backlog {
  /** readable-stream 2 (archiver 5's) has no `writableLength`: the buffered bytes are `_writableState.length`. */
  _writableState?: { length?: number };
  writableLength?: number;
  writableHighWaterMark: number;
  once(event: 'drain' | 'close' | 'error', fn: () => void): unknown;
  off(event: 'drain' | 'close' | 'error', fn: () => void): unknown;
}

function isBacklog(v: unknown): v is Backlog {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Backlog).writableHighWaterMark === 'number' &&
    typeof (v as Backlog).once === 'function'
  );
}

/**
 * The stream a sheet's XML waits in before archiver deflates it into the zip. exceljs (4.4) writes each
 * committed row into it without heeding backpressure, and deflate is slower than row serialisation, so
 * without a pause this buffer — not the output stream, which archiver feeds at deflate speed — grows with
 * the table (measured: 505 MB RSS for 1M bars). The sheet's `StreamBuf` (`worksheet.stream`, opened on the
 * first commit) pipes into a PassThrough that archiver reads (archiver-utils `normalizeInputSource`, a
 * `readable-stream` PassThrough); its buffered length is the backlog. A later sheet's PassThrough is not
 * read until the earlier sheet is zipped, so the same wait keeps sheets from piling up either. Waiting also
 * yields to the event loop, which archiver and zlib need to make progress at all.
 */
function sheetBacklog(ws: ExcelJS.Worksheet | undefined): Backlog | undefined {
  const stream = (ws as unknown as { stream?: { pipes?: unknown[] } } | undefined)?.stream;
  const pipe = stream?.pipes?.[0];
  return isBacklog(pipe) ? pipe : undefined;
}

/** Resolves once `w` holds no more than its high-water mark (or has closed or failed: the export then fails on its own path). */
function drained(w: Backlog): Promise<void> {
  const buffered = w.writableLength ?? w._writableState?.length ?? 0;
  if (buffered <= w.writableHighWaterMark) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      w.off('drain', done);
      w.off('close', done);
      w.off('error', done);
      resolve();
    };
    w.once('drain', done);
    w.once('close', done);
    w.once('error', done);
  });
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
      const backlog = sheetBacklog(sheet);
      if (backlog) await drained(backlog);
      if (out.writableNeedDrain) await drained(out as unknown as Backlog);
    },
    async end() {
      if (!sheet) sheet = newSheet();
      sheet.commit();
      await book.commit();
      if (!out.writableEnded) await endStream(out);
    },
  };
}
