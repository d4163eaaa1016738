/**
 * Orchestrator overheads: schedule maths (a year of minute ticks in NYSE hours) against croner's own
 * iteration, and the cost of one recorded run (lock lease, history row, events) on PGlite against calling
 * the handler bare. `node --import tsx bench/jobs.ts`
 */
import { Cron } from 'croner';
import { ConfigStore } from '../src/config/store.ts';
import { createLogger } from '../src/core/log.ts';
import { DEFAULT_JOBS } from '../src/jobs/registry.ts';
import { runAttempt } from '../src/jobs/runner.ts';
import { ticksBetween } from '../src/jobs/schedule.ts';
import { defineJob } from '../src/jobs/types.ts';
import { loadSettings } from '../src/settings.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';

function row(name: string, n: number, ms: number, base?: number): string {
  const rate = (n / ms) * 1000;
  const ratio = base === undefined ? '' : `${(ms / base).toFixed(2)}x`;
  return `${name.padEnd(44)} ${String(n).padStart(8)} ${ms.toFixed(1).padStart(10)} ${Math.round(rate).toString().padStart(12)} ${ratio.padStart(8)}`;
}

export async function run(): Promise<void> {
  const lines = [
    `${'case'.padEnd(44)} ${'items'.padStart(8)} ${'ms'.padStart(10)} ${'items/s'.padStart(12)} ${'ratio'.padStart(8)}`,
  ];
  const from = Date.parse('2024-01-01T00:00:00Z');
  const to = Date.parse('2024-04-01T00:00:00Z');
  const latest = DEFAULT_JOBS.get('latest_prices')?.schedule;
  if (!latest) throw new Error('latest_prices has no schedule');

  // croner alone: every minute 09:00–16:59 Mon–Fri in New York (no NYSE calendar)
  const cron = new Cron(latest.cron, { timezone: latest.timezone, paused: true });
  let t0 = performance.now();
  let n = 0;
  for (let d = cron.nextRun(new Date(from)); d && d.getTime() <= to; d = cron.nextRun(d)) n++;
  const bare = performance.now() - t0;
  lines.push(row('croner nextRun, raw minute ticks (1 quarter)', n, bare));
  t0 = performance.now();
  const ticks = ticksBetween(latest, from, to);
  lines.push(
    row('ticksBetween + NYSE session window (1 quarter)', ticks.length, performance.now() - t0, bare),
  );

  const db = await openPglite();
  await migrate(db);
  const noop = defineJob<Record<string, never>>({
    name: 'noop',
    description: 'does nothing',
    payload: () => ({}),
    handler: async () => ({ records: 0 }),
  });
  const runs = 300;
  t0 = performance.now();
  for (let i = 0; i < runs; i++) await noop.handler({} as never, {});
  const bareRun = performance.now() - t0;
  lines.push(row('handler called bare', runs, bareRun));
  const deps = {
    db,
    settings: loadSettings({ MARKETPIPE_HOME: '/tmp/mp-bench-jobs', LOG_LEVEL: 'silent' }),
    log: createLogger('silent'),
    registry: new Map([['noop', noop]]),
    sources: () => ({}),
    configStore: async () => new ConfigStore({ db: null }),
  };
  t0 = performance.now();
  for (let i = 0; i < runs; i++)
    await runAttempt(deps, { name: 'noop', trigger: 'manual', tick: from + i * 60_000 }, 1);
  const recorded = performance.now() - t0;
  lines.push(row('runAttempt: lease + history + finish (PGlite)', runs, recorded, bareRun));
  lines.push(`one recorded run costs ${(recorded / runs).toFixed(2)} ms over the handler itself`);
  await db.close();
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
