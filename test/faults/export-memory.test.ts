/**
 * Issue 23's budget: "a 5-million-row export stays under 200 MB of memory", for each format, measured on the
 * real CLI (`node dist/cli/bin.js export bars …`, one child process per format) against a real PostgreSQL
 * holding 5,000,000 bars. Peak RSS is the child's own `getrusage` maximum (`process.resourceUsage().maxRSS`,
 * written at exit by a one-line `--import` hook, no product code involved) and, as a cross-check, the
 * kernel's high-water mark `VmHWM` from /proc/<pid>/status polled while it runs. Each output's rows are
 * counted by streaming readers independent of the writers: a quote-aware line count for CSV, DuckDB's
 * Parquet metadata (and its types), and the XLSX zip read from its central directory and inflated with zlib,
 * counting `<row` elements per sheet.
 *
 * Heavy (minutes: 5M rows through exceljs alone take longer than the default suite's whole budget), so it
 * lives in the fault suite (`npm run test:faults`). `EXPORT_MEMORY_ROWS` shrinks it for a quick local run.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInflateRaw } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { createTempDatabase } from '../store/backends.ts';

const REPO = join(import.meta.dirname, '..', '..');
const BIN = join(REPO, 'dist', 'cli', 'bin.js');
/** The numbers: 5,000,000 rows, 200 MB. */
const ROWS = Number(process.env.EXPORT_MEMORY_ROWS ?? 5_000_000);
const BUDGET_MB = 200;
const INSTRUMENTS = 10;
/** Excel's 1,048,576 rows a sheet, less the header row (src/export/xlsx.ts). */
const SHEET_ROWS = 1_048_575;
/** src/export/parquet.ts ROW_GROUP_ROWS. */
const ROW_GROUP_ROWS = 32_768;

/** Written into the child: its peak RSS (KiB, getrusage ru_maxrss) to the file named by MP_PEAK_RSS_FILE at exit. */
const HOOK = `data:text/javascript,${encodeURIComponent(
  "import{writeFileSync}from'node:fs';const f=process.env.MP_PEAK_RSS_FILE;" +
    'if(f)process.on("exit",()=>writeFileSync(f,String(process.resourceUsage().maxRSS)));',
)}`;

let db: Awaited<ReturnType<typeof openPostgres>>;
let temp: Awaited<ReturnType<typeof createTempDatabase>>;
const dir = mkdtempSync(join(tmpdir(), 'mp-export-mem-'));

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);
  temp = await createTempDatabase('export_mem');
  db = await openPostgres(temp.url);
  await migrate(db);
  const per = Math.ceil(ROWS / INSTRUMENTS);
  // One INSERT … SELECT: 10 instruments × `per` one-minute bars (the bench's shape, bench/export.ts).
  await db.exec(`
    INSERT INTO market_data.instruments (symbol, asset_class, name)
      SELECT 'SYM' || k, 'crypto', 'Symbol ' || k FROM generate_series(1, ${INSTRUMENTS}) k;
    INSERT INTO market_data.bars (instrument_id, interval, ts, open, high, low, close, volume, source)
      SELECT i.id, '1m', timestamptz '2020-01-01 00:00:00+00' + n * interval '1 minute',
             100 + sin(n), 101 + sin(n), 99 + cos(n), 100 + sin(n) / 3, n * 0.1, 'synthetic'
        FROM market_data.instruments i, generate_series(0, ${per - 1}) n;
    ANALYZE market_data.bars;`);
}, 600_000);

afterAll(async () => {
  await db?.close();
  await temp?.drop();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stderr: string;
  stdout: string;
  /** Peak RSS in MB: the larger of the child's getrusage maximum and the polled VmHWM. */
  peakMb: number;
  rusageMb: number;
  hwmMb: number;
  ms: number;
}

function vmHwmKb(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // exited between polls
  }
}

/** `marketpipe --json export bars --format F --out FILE` on the temp database, in its own process. */
function runExport(format: string, out: string): Promise<Run> {
  const rssFile = join(dir, `${format}.maxrss`);
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [`--import=${HOOK}`, BIN, '--json', 'export', 'bars', '--format', format, '--out', out],
    {
      cwd: dir,
      env: {
        ...process.env,
        DATABASE_URL: temp.url,
        MARKETPIPE_HOME: join(dir, 'home'),
        MP_PEAK_RSS_FILE: rssFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  let hwm = 0;
  const pid = child.pid ?? 0;
  const poll = setInterval(() => {
    hwm = Math.max(hwm, vmHwmKb(pid));
  }, 100);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const rusageKb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : 0;
      resolve({
        code,
        stdout,
        stderr,
        rusageMb: rusageKb / 1024,
        hwmMb: hwm / 1024,
        peakMb: Math.max(rusageKb, hwm) / 1024,
        ms: performance.now() - t0,
      });
    });
  });
}

/** Data lines of a CSV file, read as a stream: newlines outside double quotes, less the header. */
async function csvDataRows(file: string): Promise<number> {
  let lines = 0;
  let quoted = false;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 0x22) quoted = !quoted;
      else if (b === 0x0a && !quoted) lines++;
    }
  }
  return lines - 1;
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localOffset: number;
}

/** The zip's entries from its central directory (end-of-central-directory record, APPNOTE 4.3.16). */
function zipEntries(file: string): ZipEntry[] {
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const tailLen = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLen);
    readSync(fd, tail, 0, tailLen, size - tailLen);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new Error('not a zip: no end of central directory');
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    const cd = Buffer.alloc(cdSize);
    readSync(fd, cd, 0, cdSize, cdOffset);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry');
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      entries.push({
        name: cd.toString('utf8', p + 46, p + 46 + nameLen),
        method: cd.readUInt16LE(p + 10),
        compressedSize: cd.readUInt32LE(p + 20),
        localOffset: cd.readUInt32LE(p + 42),
      });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    closeSync(fd);
  }
}

/** One entry's inflated bytes, chunk by chunk. */
function entryStream(file: string, e: ZipEntry): AsyncIterable<Buffer> {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(30);
  readSync(fd, head, 0, 30, e.localOffset);
  closeSync(fd);
  const start = e.localOffset + 30 + head.readUInt16LE(26) + head.readUInt16LE(28);
  const raw = createReadStream(file, { start, end: start + e.compressedSize - 1, highWaterMark: 1 << 20 });
  if (e.method === 0) return raw;
  return raw.pipe(createInflateRaw());
}

/** `<row` elements of a sheet's XML, counted as it inflates (a match may span two chunks). */
async function xmlRows(file: string, e: ZipEntry): Promise<number> {
  let n = 0;
  let carry = '';
  for await (const chunk of entryStream(file, e)) {
    const text = carry + chunk.toString('latin1');
    let at = text.indexOf('<row ');
    while (at >= 0) {
      n++;
      at = text.indexOf('<row ', at + 5);
    }
    carry = text.slice(-4);
  }
  return n;
}

async function entryText(file: string, e: ZipEntry): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of entryStream(file, e)) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

function expectWithinBudget(format: string, r: Run): void {
  const line = `${format}: ${ROWS} rows in ${(r.ms / 1000).toFixed(1)} s, peak RSS ${r.peakMb.toFixed(0)} MB (getrusage ${r.rusageMb.toFixed(0)} MB, VmHWM ${r.hwmMb.toFixed(0)} MB)`;
  process.stdout.write(`${line}\n`);
  expect(r.code, r.stderr).toBe(0);
  expect(r.rusageMb, 'the exit hook reported').toBeGreaterThan(0);
  expect(r.peakMb, line).toBeLessThan(BUDGET_MB);
  expect(JSON.parse(r.stdout)).toMatchObject({ dataset: 'bars', format, rows: ROWS });
}

describe(`exporting ${ROWS} bars from PostgreSQL through the CLI stays under ${BUDGET_MB} MB`, () => {
  it('CSV (the server formats it: COPY … TO STDOUT passed through)', async () => {
    const out = join(dir, 'bars.csv');
    expectWithinBudget('csv', await runExport('csv', out));
    expect(await csvDataRows(out)).toBe(ROWS);
    const fd = openSync(out, 'r');
    const first = Buffer.alloc(200);
    readSync(fd, first, 0, 200, 0);
    closeSync(fd);
    const head = first.toString('utf8').split('\n');
    expect(head[0]).toBe('symbol,interval,ts,open,high,low,close,volume,source');
    // n = 0 of the seed: open 100 + sin 0, close 100 + sin(0)/3, volume 0.
    expect(head[1]).toBe('SYM1,1m,2020-01-01T00:00:00.000Z,100,101,100,100,0,synthetic');
    rmSync(out);
  }, 900_000);

  it('Parquet: row groups of 32,768 rows, UTC timestamps, doubles, dictionary-encoded symbols', async () => {
    const out = join(dir, 'bars.parquet');
    expectWithinBudget('parquet', await runExport('parquet', out));
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const meta = await duck.runAndReadAll(
      `SELECT count(*) AS groups, sum(row_group_num_rows) AS rows, max(row_group_num_rows) AS biggest
         FROM (SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('${out}'))`,
    );
    const m = meta.getRowObjectsJson()[0];
    expect(Number(m?.rows)).toBe(ROWS);
    expect(Number(m?.biggest)).toBe(Math.min(ROWS, ROW_GROUP_ROWS));
    expect(Number(m?.groups)).toBe(Math.ceil(ROWS / ROW_GROUP_ROWS));
    const count = await duck.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${out}')`);
    expect(Number(count.getRowObjectsJson()[0]?.n)).toBe(ROWS);
    const types = await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${out}')`);
    const typeOf = Object.fromEntries(
      types.getRowObjectsJson().map((r) => [String(r.column_name), String(r.column_type)]),
    );
    expect(typeOf).toMatchObject({ symbol: 'VARCHAR', ts: 'TIMESTAMP WITH TIME ZONE', open: 'DOUBLE' });
    const enc = await duck.runAndReadAll(
      `SELECT DISTINCT encodings FROM parquet_metadata('${out}') WHERE path_in_schema = 'symbol'`,
    );
    for (const r of enc.getRowObjectsJson()) expect(String(r.encodings)).toContain('RLE_DICTIONARY');
    duck.closeSync();
    rmSync(out);
  }, 900_000);

  it('XLSX: rolls over to a new sheet every 1,048,575 rows, each with its header', async () => {
    const out = join(dir, 'bars.xlsx');
    expectWithinBudget('xlsx', await runExport('xlsx', out));
    const entries = zipEntries(out);
    const sheets = entries.filter((e) => /^xl\/worksheets\/sheet\d+\.xml$/.test(e.name));
    sheets.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    const expected = Math.ceil(ROWS / SHEET_ROWS);
    expect(sheets).toHaveLength(expected);
    const book = entries.find((e) => e.name === 'xl/workbook.xml');
    if (!book) throw new Error('no xl/workbook.xml');
    const names = [...(await entryText(out, book)).matchAll(/<sheet [^>]*name="([^"]+)"/g)].map((x) => x[1]);
    expect(names).toEqual(Array.from({ length: expected }, (_, i) => (i === 0 ? 'bars' : `bars (${i + 1})`)));
    let data = 0;
    for (const [i, s] of sheets.entries()) {
      const rows = (await xmlRows(out, s)) - 1; // less the header row
      expect(rows, s.name).toBe(i < expected - 1 ? SHEET_ROWS : ROWS - SHEET_ROWS * (expected - 1));
      data += rows;
    }
    expect(data).toBe(ROWS);
    rmSync(out);
  }, 1_800_000);
});
