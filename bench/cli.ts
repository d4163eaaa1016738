/**
 * How fast the installed CLI (dist/cli/bin.js, what `npx marketpipe` runs) answers, beside `node -e 0`
 * measured in the same rounds: median of 7 runs each, the commands interleaved round by round so a busy
 * machine slows them all alike. Budgets (issue 16): `--help` ≤ 4× `node -e 0`, `--version` ≤ 3×;
 * `quote USDC 100000 --json` ≤ 0.8 s through a running `serve` (embedded-store client) and ≤ 2.5 s on a
 * standalone embedded store (this process opens PGlite itself). `npm start` (what it runs: `start` from
 * dist/) until it prints "marketpipe running": on a new empty home (the demo loads the store) ≤ 20 s, and
 * again on that home (store in place) ≤ 3 s — median of START_RUNS each, the process stopped after each.
 * The fresh-clone row assumes what `npm ci` leaves: dist/ and web/dist built by `prepare`.
 *
 * Run alone: node --import tsx bench/cli.ts (builds dist/ first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const RUNS = 7;
/** `npm start` runs: a fresh one loads the whole demo (~15–25 s), so fewer. */
const START_RUNS = 3;

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
function rounds<K extends string>(commands: Record<K, () => Timing>): Record<K, Timing> {
  const names = Object.keys(commands) as K[];
  const times = new Map<K, Timing[]>(names.map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) for (const name of names) times.get(name)?.push(commands[name]());
  const out = {} as Record<K, Timing>;
  for (const [k, xs] of times)
    out[k] = { wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) };
  return out;
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

/** Preloaded into `start`: its CPU time when it prints that it is running (not counting the shutdown). */
const READY_LINE = 'marketpipe running';
const READY_HOOK = `data:text/javascript,const w=process.stdout.write.bind(process.stdout);let d=false;process.stdout.write=(c,...a)=>{if(!d&&String(c).includes('${READY_LINE}')){d=true;const u=process.cpuUsage();process.stderr.write('${CPU_MARK}'+(u.user+u.system)/1000+'\\n')}return w(c,...a)}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `marketpipe start` on `home` until it prints that it is running (wall and CPU ms to that line), then stopped
 * with SIGTERM and awaited (SIGKILL after 60 s), so the next run finds the store closed.
 */
async function timedStart(home: string): Promise<Timing> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', READY_HOOK, BIN, '--home', home, 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn', PORT: String(port) },
  });
  let out = '';
  let err = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const wall = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`start not ready in 180 s: ${err}`)), 180_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes(READY_LINE)) {
        clearTimeout(timer);
        resolve(performance.now() - t0);
      }
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start exited with ${code}: ${err}`));
    });
  });
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(killer);
  // the ready hook writes the mark before the ready line; wait for the stderr that carries it
  const cpu = Number(err.split(CPU_MARK)[1]?.split('\n')[0]?.trim() ?? Number.NaN);
  return { wall, cpu };
}

/** START_RUNS starts on a new empty home each, then START_RUNS on the last one (store in place): medians. */
async function startRows(): Promise<{ fresh: Timing; again: Timing }> {
  const fresh: Timing[] = [];
  const again: Timing[] = [];
  const homes: string[] = [];
  try {
    for (let i = 0; i < START_RUNS; i++) {
      const home = mkdtempSync(join(tmpdir(), 'mp-bench-start-'));
      homes.push(home);
      fresh.push(await timedStart(home));
    }
    const last = homes[homes.length - 1] as string;
    for (let i = 0; i < START_RUNS; i++) again.push(await timedStart(last));
  } finally {
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  }
  const med = (xs: Timing[]): Timing => ({
    wall: median(xs.map((x) => x.wall)),
    cpu: median(xs.map((x) => x.cpu)),
  });
  return { fresh: med(fresh), again: med(again) };
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
    let client: Record<'node' | 'quote', Timing>;
    try {
      client = rounds({ node, quote: () => timed(quoteArgs) });
    } finally {
      await serve.stop();
    }

    const start = await startRows();

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
      {
        what: 'npm start, fresh clone (ready)',
        ms: start.fresh.wall,
        cpuMs: start.fresh.cpu,
        budget: { ms: 20_000 },
      },
      {
        what: 'npm start, store in place (ready)',
        ms: start.again.wall,
        cpuMs: start.again.cpu,
        budget: { ms: 3_000 },
      },
    ];
    process.stdout.write(
      `${table(rows)}\n(median of ${RUNS}, interleaved with node -e 0; npm start rows: median of ${START_RUNS}, cpu to the ready line; cpu = user + system time of the process itself; store created by the first quote in ${(created.wall / 1000).toFixed(1)} s, not counted)\n`,
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
