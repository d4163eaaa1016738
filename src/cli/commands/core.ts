import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import type { CommandContext } from '../context.ts';
import { type LimitFlags, limitHelp, limitRows, omittedLine, parseRowLimit } from '../limit.ts';
import { formatTable } from '../table.ts';

/** The demo with the CLI's extra steps, loaded when `demo` or `start` runs. */
async function demoModules() {
  const [{ runDemo }, { demoExtraSteps }] = await Promise.all([
    import('../../demo.ts'),
    import('../demo-steps.ts'),
  ]);
  return { runDemo, demoExtraSteps };
}

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  program
    .command('migrate')
    .description('apply pending database migrations (also done on every start)')
    .action(async () => {
      const c = await ctx();
      const { migrate } = await import('../../store/migrate.ts');
      const res = await migrate(c.db);
      c.print({ ...res, store: c.storeMode }, (r) =>
        r.applied.length ? `applied ${r.applied.join(', ')}` : `up to date (version ${r.current})`,
      );
    });

  program
    .command('coverage')
    .description('per instrument: first and last point, count, gaps and freshness')
    .option('--symbols <list>', 'comma-separated symbols')
    .option('--limit <n>', limitHelp('series'))
    .option('--all', 'print every series')
    .action(async (opts: { symbols?: string } & LimitFlags) => {
      const asked = parseRowLimit(opts);
      const c = await ctx();
      const { coverage } = await import('../../store/repos/coverage.ts');
      const symbols = opts.symbols ? opts.symbols.split(',').map((s) => s.trim()) : undefined;
      const rows = await coverage(c.db, { symbols });
      const shown = limitRows(rows, asked, c.json);
      c.print({ instruments: shown.rows }, (r) =>
        [
          formatTable(r.instruments, ['symbol', 'interval', 'first', 'last', 'count', 'gaps']),
          ...(shown.omitted > 0 ? [omittedLine(shown.omitted, 'series')] : []),
        ].join('\n'),
      );
    });

  program
    .command('demo')
    .description('the main job offline: universe, synthetic and sample data, analytics, risk report')
    .action(async () => {
      const c = await ctx();
      const { runDemo, demoExtraSteps } = await demoModules();
      const summary = await runDemo(c.db, {
        log: (m) => c.log.info(m),
        extraSteps: demoExtraSteps(c),
      });
      c.print(summary, (s) =>
        [
          `marketpipe demo: ${s.instruments} instruments, ${s.bars.toLocaleString('en-US')} bars, ${s.prices.toLocaleString('en-US')} prices`,
          `history ${s.from ?? '-'} → ${s.to ?? '-'} in ${(s.duration_ms / 1000).toFixed(1)} s`,
          formatTable(
            s.steps.map((st) => ({
              step: st.name,
              ok: st.ok ? 'ok' : 'FAILED',
              ms: st.duration_ms,
              error: st.error ?? '',
            })),
            ['step', 'ok', 'ms', 'error'],
          ),
        ].join('\n'),
      );
      if (anyFailed(summary.steps)) process.exitCode = 1;
    });

  program
    .command('start')
    .description(
      'what `npm start` runs: the demo when the store is empty, then the dashboard, API and scheduler',
    )
    .option('--port <n>', 'port (env PORT, default 3000)')
    .option('--host <host>', 'address to listen on (env HOST, default 127.0.0.1)')
    .option('--no-serve', 'run the demo step only')
    .option('--no-scheduler', 'serve without running the job schedules')
    .action(async (opts: { port?: string; host?: string; serve: boolean; scheduler: boolean }) => {
      const port = opts.port === undefined ? undefined : Number(opts.port);
      if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
        throw new UsageError(`--port: expected a port number, got "${opts.port}"`);
      }
      const c = await ctx();
      const [
        { countBars },
        { runDemo, demoExtraSteps },
        { ensureWebBuilt },
        { startServing },
        jobsCli,
        scheduling,
      ] = await Promise.all([
        import('../../store/repos/bars.ts'),
        demoModules(),
        import('../../api/static.ts'),
        import('./serve.ts'),
        import('./jobs.ts'),
        import('../../jobs/scheduler.ts'),
      ]);
      const { runnerDeps } = jobsCli;
      const { startScheduler } = scheduling;
      if ((await countBars(c.db)) === 0) {
        c.log.info('empty store: running the demo first (offline, about a minute)');
        const summary = await runDemo(c.db, { log: (m) => c.log.info(m), extraSteps: demoExtraSteps(c) });
        c.log.info(
          `demo: ${summary.instruments} instruments, ${summary.bars} bars in ${summary.duration_ms} ms`,
        );
      }
      if (!opts.serve) return;
      try {
        if (await ensureWebBuilt({ log: (line) => c.log.info(line) })) c.log.info('dashboard built');
      } catch (err) {
        c.log.warn(`dashboard not available: ${(err as Error).message}`);
      }
      const server = await startServing(c, { port, host: opts.host });
      const jobs = opts.scheduler ? await runnerDeps(c) : undefined;
      const scheduler = jobs
        ? startScheduler({
            ...jobs.deps,
            mode: c.settings.redisUrl ? 'distributed' : 'embedded',
            config: jobs.config,
          })
        : undefined;
      c.print(
        {
          url: server.url,
          dashboard: `${server.url}/`,
          docs: `${server.url}/docs`,
          scheduler: scheduler?.mode ?? 'off',
        },
        (r) =>
          `marketpipe running: dashboard ${r.dashboard}  API docs ${r.docs}  scheduler ${r.scheduler} (Ctrl-C stops)`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      c.log.info('shutting down');
      await scheduler?.stop();
      await jobs?.close();
      await server.close();
    });
}

function anyFailed(steps: ReadonlyArray<{ ok: boolean }>): boolean {
  return steps.some((s) => !s.ok);
}
