/**
 * How fast the installed CLI (dist/cli/bin.js, what `npx marketpipe` runs) answers, beside `node -e 0`
 * measured in the same rounds: median of 7 runs each, the commands interleaved round by round so a busy
 * machine slows them all alike. Budgets (issue 16): `--help` ≤ 4× `node -e 0`, `--version` ≤ 3×;
 * `quote USDC 100000 --json` ≤ 0.8 s through a running `serve` (embedded-store client) and ≤ 2.5 s on a
 * standalone embedded store (this process opens PGlite itself). The `npm start` rows (fresh clone ≤ 20 s,
 * second start ≤ 3 s) are measured by the start-up work of the same issue; they are listed, not measured.
 *
 * Run alone: node --import tsx bench/cli.ts (builds dist/ first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const RUNS = 7;

// Preloaded into every measured process: prints its own CPU time at exit, so the table also shows the work
// done, which a machine busy with other processes does not inflate the way it inflates wall time.
const CPU_MARK = 'bench-cpu-ms=';
const CPU_HOOK = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('${CPU_MARK}'+(u.user+u.system)/1000+'\\n')})`;

interface Timing {
  wall: number;
  cpu: number;
}

/** Wall and CPU time of one process run to its exit, ms; a non-zero exit is an error. */
function timed(args: string[]): Timing {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', CPU_HOOK, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  const cpu = Number(r.stderr.split(CPU_MARK)[1]?.trim() ?? Number.NaN);
  return { wall, cpu };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/** Runs each named command once per round, RUNS rounds; the medians by name. */
function rounds(commands: Record<string, () => Timing>): Record<string, Timing> {
  const times: Record<string, Timing[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) for (const [name, fn] of Object.entries(commands)) times[name]?.push(fn());
  return Object.fromEntries(
    Object.entries(times).map(([k, xs]) => [
      k,
      { wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) },
    ]),
  );
}

/** `marketpipe --json serve --port 0` on `home`, resolved with its URL once it listens. */
async function startServe(home: string) {
  const child = spawn(process.execPath, [BIN, '--home', home, '--json', 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve not ready in 120 s: ${err}`)), 120_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      try {
        resolve((JSON.parse(out) as { url: string }).url);
        clearTimeout(timer);
      } catch {
        // the JSON document is not complete yet
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${err}`));
    });
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { url, stop };
}

interface Row {
  what: string;
  ms?: number;
  cpuMs?: number;
  baseMs?: number;
  /** A ratio to `node -e 0`, or an absolute time in ms. */
  budget: { ratio: number } | { ms: number } | { note: string };
}

function table(rows: Row[]): string {
  const lines = rows.map((r) => {
    const ms = r.ms === undefined ? '—' : r.ms.toFixed(0);
    const ratio = r.ms !== undefined && r.baseMs ? `${(r.ms / r.baseMs).toFixed(2)}×` : '—';
    let budget: string;
    let met: string;
    if ('ratio' in r.budget) {
      budget = `≤ ${r.budget.ratio}× node -e 0`;
      met = r.ms !== undefined && r.baseMs ? (r.ms / r.baseMs <= r.budget.ratio ? 'yes' : 'NO') : '—';
    } else if ('ms' in r.budget) {
      budget = `≤ ${(r.budget.ms / 1000).toFixed(1)} s`;
      met = r.ms === undefined ? '—' : r.ms <= r.budget.ms ? 'yes' : 'NO';
    } else {
      budget = r.budget.note;
      met = '—';
    }
    return [r.what, ms, r.cpuMs === undefined ? '—' : r.cpuMs.toFixed(0), ratio, budget, met];
  });
  const head = ['command', 'median ms', 'cpu ms', 'vs node -e 0', 'budget', 'met'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 1 && i <= 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ');
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

export async function run(): Promise<void> {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const home = mkdtempSync(join(tmpdir(), 'mp-bench-cli-'));
  try {
    const node = () => timed(['-e', '0']);
    const startup = rounds({
      node,
      help: () => timed([BIN, '--help']),
      version: () => timed([BIN, '--version']),
    });

    const quoteArgs = [BIN, '--home', home, 'quote', 'USDC', '100000', '--json'];
    // First open creates and migrates the embedded store (with its default configuration); not counted.
    const created = timed(quoteArgs);
    const standalone = rounds({ node, quote: () => timed(quoteArgs) });

    const serve = await startServe(home);
    let client: Record<string, Timing>;
    try {
      client = rounds({ node, quote: () => timed(quoteArgs) });
    } finally {
      await serve.stop();
    }

    const row = (what: string, t: Timing, base: Timing, budget: Row['budget']): Row => ({
      what,
      ms: t.wall,
      cpuMs: t.cpu,
      baseMs: base.wall,
      budget,
    });
    const rows: Row[] = [
      row('node -e 0', startup.node, startup.node, { note: 'baseline' }),
      row('marketpipe --help', startup.help, startup.node, { ratio: 4 }),
      row('marketpipe --version', startup.version, startup.node, { ratio: 3 }),
      row('quote USDC 100000 --json (running serve)', client.quote, client.node, {
        ms: 800,
      }),
      row('quote USDC 100000 --json (standalone store)', standalone.quote, standalone.node, {
        ms: 2500,
      }),
      // Measured by the `npm start` work of issue 16, not here.
      { what: 'npm start, fresh clone (ready)', budget: { note: '≤ 20 s (not measured here)' } },
      { what: 'npm start, store in place (ready)', budget: { note: '≤ 3 s (not measured here)' } },
    ];
    process.stdout.write(
      `${table(rows)}\n(median of ${RUNS}, interleaved with node -e 0; cpu = user + system time of the process itself; store created by the first quote in ${(created.wall / 1000).toFixed(1)} s, not counted)\n`,
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
