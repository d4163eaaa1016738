import { createReadStream } from 'node:fs';
import { ValidationError } from '../core/errors.ts';
import { splitCsvLine } from './csv-line.ts';
import { checkMagnitude, readDecimal, readFileTime } from './file-values.ts';
import { streamJsonElements } from './json-stream.ts';
import { MAX_LINE_CHARS, readLines } from './lines.ts';

export const FILE_FORMATS = ['yahoo', 'csv', 'json'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/**
 * One row of a price file. `ohlc` rows carry a bar, `price` rows a point observation. A value the file
 * leaves empty (or writes `null`, as Yahoo does on holidays) is `null`: such rows are quarantined, not
 * refused, because the rest of the file is fine.
 */
export type FileRecord =
  | {
      kind: 'ohlc';
      line: number;
      ts: number;
      open: number | null;
      high: number | null;
      low: number | null;
      close: number | null;
      volume: number | null;
    }
  | { kind: 'price'; line: number; ts: number; price: number | null; volume: number | null };

/** Column names accepted for the time, in order of preference (DESIGN.md "Files" plus common exports). */
const TIME_COLUMNS = ['ts', 'time', 'timestamp', 'date', 'datetime', 'timeopen', 'open_time', 'hour_utc'];

export function detectFormat(file: string): FileFormat {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json') || lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'json';
  return 'csv';
}

function fail(file: string, line: number, reason: string): never {
  throw new ValidationError(`${file}:${line}: ${reason}`);
}

/** Quotes a refused value in an error, shortened so a hostile field cannot flood the terminal. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function num(file: string, line: number, column: string, raw: unknown): number | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') {
    const checked = checkMagnitude(raw);
    if (typeof checked !== 'number') fail(file, line, `${column} ${raw} ${checked.reason}`);
    return checked;
  }
  if (typeof raw !== 'string') fail(file, line, `${column} is not a number`);
  const text = raw.trim();
  // empty, Yahoo's `null` and FRED's `.` mark a missing value: the row is quarantined, not the file refused
  if (text === '' || text === 'null' || text === '.') return null;
  const value = readDecimal(text);
  if (typeof value !== 'number') fail(file, line, `${column} ${quote(text)} ${value.reason}`);
  return value;
}

function time(file: string, line: number, column: string, raw: unknown): number {
  if (raw === null || raw === undefined || String(raw).trim() === '') fail(file, line, `${column} is empty`);
  if (typeof raw !== 'string' && typeof raw !== 'number') fail(file, line, `${column} is not a date or time`);
  const ts = readFileTime(raw);
  if (typeof ts !== 'number') fail(file, line, `${column} ${quote(String(raw))} ${ts.reason}`);
  return ts;
}

interface Columns {
  time: string;
  open?: string;
  high?: string;
  low?: string;
  close?: string;
  volume?: string;
  price?: string;
}

function pickColumns(file: string, line: number, names: readonly string[]): Columns {
  const lower = new Map(names.map((n) => [n.trim().toLowerCase(), n]));
  const timeName = TIME_COLUMNS.map((c) => lower.get(c)).find((c) => c !== undefined);
  if (!timeName) fail(file, line, `no time column (one of ${TIME_COLUMNS.slice(0, 5).join(', ')})`);
  const get = (k: string) => lower.get(k);
  const cols: Columns = { time: timeName, volume: get('volume') };
  const [open, high, low, close] = [get('open'), get('high'), get('low'), get('close')];
  if (open && high && low && close) Object.assign(cols, { open, high, low, close });
  else if (get('price')) cols.price = get('price');
  else fail(file, line, 'needs columns open,high,low,close (volume optional) or price');
  return cols;
}

function toRecord(file: string, line: number, cols: Columns, get: (name: string) => unknown): FileRecord {
  const ts = time(file, line, cols.time, get(cols.time));
  const volume = cols.volume ? num(file, line, cols.volume, get(cols.volume)) : null;
  if (cols.price)
    return { kind: 'price', line, ts, price: num(file, line, cols.price, get(cols.price)), volume };
  const field = (c: string | undefined) => (c ? num(file, line, c, get(c)) : null);
  return {
    kind: 'ohlc',
    line,
    ts,
    open: field(cols.open),
    high: field(cols.high),
    low: field(cols.low),
    close: field(cols.close),
    volume,
  };
}

async function* csvRecords(file: string): AsyncGenerator<FileRecord> {
  let lineNo = 0;
  let cols: Columns | undefined;
  let header: string[] = [];
  let index = new Map<string, number>();
  let delimiter = ',';
  let skip = 0;
  for await (const { text: rawLine, line } of readLines(file)) {
    lineNo = line;
    const text = lineNo === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (text.trim() === '') continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    if (!cols) {
      if (!text.includes(',') && text.includes(';')) delimiter = ';';
      const names = splitCsvLine(text, delimiter);
      if (!names) fail(file, lineNo, 'unreadable header');
      header = names.map((n) => n.trim());
      // yfinance ≥ 0.2.51 writes three header rows: Price,… / Ticker,… / Date,,,…
      if (header[0]?.toLowerCase() === 'price' && header.length > 2) {
        header[0] = 'Date';
        skip = 2;
      }
      // pandas writes an unnamed index column first (",date,open,…").
      cols = pickColumns(file, lineNo, header);
      index = new Map(header.map((h, i) => [h, i]));
      continue;
    }
    const fields = splitCsvLine(text, delimiter);
    if (!fields) fail(file, lineNo, 'unclosed quote');
    if (fields.length !== header.length) {
      fail(file, lineNo, `expected ${header.length} fields as in the header, found ${fields.length}`);
    }
    yield toRecord(file, lineNo, cols, (name) => fields[index.get(name) ?? -1]);
  }
  if (!cols) fail(file, lineNo || 1, 'the file is empty');
}

async function* jsonRecords(file: string): AsyncGenerator<FileRecord> {
  let cols: Columns | undefined;
  try {
    const chunks = createReadStream(file, { encoding: 'utf8' });
    for await (const { value, line } of streamJsonElements(chunks, MAX_LINE_CHARS)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        fail(file, line, 'expected an object');
      const obj = value as Record<string, unknown>;
      cols ??= pickColumns(file, line, Object.keys(obj));
      const lowerKeys = new Map(Object.keys(obj).map((k) => [k.toLowerCase(), k]));
      yield toRecord(file, line, cols, (name) => obj[name] ?? obj[lowerKeys.get(name.toLowerCase()) ?? '']);
    }
  } catch (err) {
    // the streamer says `line N: reason`; the importer's errors all read `file:N: reason`
    if (err instanceof SyntaxError)
      throw new ValidationError(`${file}:${err.message.replace(/^line (\d+): /, '$1: ')}`, { cause: err });
    throw err;
  }
}

/** Reads a price file row by row in bounded memory; a malformed row throws a ValidationError `file:line: reason`. */
export function readFileRecords(file: string, format: FileFormat): AsyncGenerator<FileRecord> {
  return format === 'json' ? jsonRecords(file) : csvRecords(file);
}
