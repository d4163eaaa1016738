/**
 * Export throughput and memory: the rows/s of `exportDataset` (CSV, Parquet, XLSX) against a raw
 * `COPY (SELECT … the same rows …) TO STDOUT (FORMAT csv)` of the same rows in the same run (the floor: the
 * server writes CSV itself, nothing is parsed in Node), and the peak RSS of a child process exporting every
 * row (the budget: 5 million rows under 200 MB), with its RSS before the export began (Node, tsx and
 * the loaded modules) for scale. CSV on PostgreSQL is itself the server's COPY passed through
 * (src/export/export.ts), so its ratio is close to 1; Parquet and XLSX go through keyset pages and a JS writer.
 *
 *   npm run bench -- export                      # 1,000,000 bars on the local PostgreSQL
 *   EXPORT_BENCH_ROWS=5000000 npm run bench -- export
 *   EXPORT_BENCH_FORMATS=csv,parquet             # skip XLSX (slowest, and capped at 1,048,575 rows a sheet)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { exportDataset } from '../src/export/export.ts';
import { EXPORT_FORMATS, type ExportFormat } from '../src/export/formats.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/postgres.ts';

const ADMIN_URL = process.env.MARKETPIPE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const INSTRUMENTS = 10;
/** V8 old-space cap of the child that exports (MB). */
const HEAP_CAP_MB = 128;

/** A sink that counts bytes and drops them (the disk is not what is measured). */
function counter(): { out: Writable; bytes: () => number } {
  let n = 0;
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      cb();
    },
  });
  return { out, bytes: () => n };
}

async function seed(url: string, rows: number): Promise<void> {
  const db = await openPostgres(url);
  try {
    await migrate(db);
    const per = Math.ceil(rows / INSTRUMENTS);
    await db.exec(`
      INSERT INTO market_data.instruments (symbol, asset_class, name)
        SELECT 'SYM' || k, 'crypto', 'Symbol ' || k FROM generate_series(1, ${INSTRUMENTS}) k;
      INSERT INTO market_data.bars (instrument_id, interval, ts, open, high, low, close, volume, source)
        SELECT i.id, '1m', timestamptz '2020-01-01 00:00:00+00' + n * interval '1 minute',
               100 + sin(n), 101 + sin(n), 99 + cos(n), 100 + sin(n) / 3, n * 0.1, 'synthetic'
          FROM market_data.instruments i, generate_series(0, ${per - 1}) n;
      ANALYZE market_data.bars;`);
  } finally {
    await db.close();
  }
}

async function rawCopy(url: string): Promise<{ ms: number; bytes: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const t0 = performance.now();
    const stream = client.query(
      copyTo(`COPY (SELECT i.symbol, b.interval, b.ts, b.open, b.high, b.low, b.close, b.volume, b.source
                      FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id
                     ORDER BY b.instrument_id, b.interval, b.ts) TO STDOUT (FORMAT csv, HEADER)`),
    );
    const { out, bytes } = counter();
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      out.on('finish', () => resolve());
      stream.pipe(out);
    });
    return { ms: performance.now() - t0, bytes: bytes() };
  } finally {
    await client.end();
  }
}

/** Child mode: export every bar as `format`, then print {rows, ms, bytes, max_rss_mb} as JSON. */
async function child(url: string, format: ExportFormat): Promise<void> {
  const db = await openPostgres(url);
  try {
    await db.query('SELECT 1');
    const baseMb = process.memoryUsage().rss / 1024 / 1024;
    const { out, bytes } = counter();
    const t0 = performance.now();
    const res = await exportDataset(db, 'bars', format, {}, out);
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(
      `${JSON.stringify({ rows: res.rows, ms: performance.now() - t0, bytes: bytes(), max_rss_mb: maxRssMb, base_rss_mb: baseMb })}\n`,
    );
  } finally {
    await db.close();
  }
}

function runChild(
  url: string,
  format: ExportFormat,
): Promise<{ rows: number; ms: number; bytes: number; max_rss_mb: number; base_rss_mb: number }> {
  return new Promise((resolve, reject) => {
    // A capped old space shows the export's heap is bounded: it fails here if it grows with the table.
    const p = spawn(
      process.execPath,
      [
        `--max-old-space-size=${HEAP_CAP_MB}`,
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--child',
        url,
        format,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let text = '';
    p.stdout.on('data', (c: Buffer) => {
      text += c.toString();
    });
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`child exited ${code}`)),
    );
  });
}

export async function run(): Promise<void> {
  const rows = Number(process.env.EXPORT_BENCH_ROWS ?? 1_000_000);
  const formats = (process.env.EXPORT_BENCH_FORMATS?.split(',') ?? [...EXPORT_FORMATS]).filter(
    (f): f is ExportFormat => (EXPORT_FORMATS as readonly string[]).includes(f),
  );
  const name = `mp_bench_export_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    const t0 = performance.now();
    await seed(url.toString(), rows);
    process.stdout.write(`seeded ${rows} bars in ${Math.round(performance.now() - t0)} ms (PostgreSQL)\n`);
    const copy = await rawCopy(url.toString());
    const copyRate = (rows / copy.ms) * 1000;
    process.stdout.write(
      'format            | rows/s    | vs COPY TO STDOUT | MB out  | peak RSS (child) | RSS before export | ≤ 200 MB\n' +
        `COPY csv (floor)  | ${Math.round(copyRate).toString().padStart(9)} | 1.00              | ${(copy.bytes / 1e6).toFixed(1).padStart(7)} |                  |                   |\n`,
    );
    for (const format of formats) {
      const r = await runChild(url.toString(), format);
      const rate = (r.rows / r.ms) * 1000;
      process.stdout.write(
        `${format.padEnd(17)} | ${Math.round(rate).toString().padStart(9)} | ${(rate / copyRate).toFixed(2).padEnd(17)} | ${(r.bytes / 1e6).toFixed(1).padStart(7)} | ${r.max_rss_mb.toFixed(0).padStart(13)} MB | ${r.base_rss_mb.toFixed(0).padStart(14)} MB | ${r.max_rss_mb <= 200 ? 'yes' : 'NO'}\n`,
      );
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [flag, url, format] = process.argv.slice(2);
  if (flag === '--child' && url && format) await child(url, format as ExportFormat);
  else await run();
}
