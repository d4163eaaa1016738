import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import type { CommandContext, ContextFactory } from '../context.ts';
import { type LimitFlags, limitHelp, limitRows, omittedLine, parseRowLimit } from '../limit.ts';
import { stepPrinter } from '../progress.ts';
import { formatTable } from '../table.ts';

/** The demo with the CLI's extra steps, loaded when `demo` or `start` runs. */
async function demoModules() {
  const [{ runDemo }, { demoExtraSteps, demoLog }] = await Promise.all([
    import('../../demo.ts'),
    import('../demo-steps.ts'),
  ]);
  return { runDemo, demoExtraSteps, demoLog };
}

export function register(program: Command, ctx: ContextFactory): void {
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
    .action(
      async (
        opts: { port?: string; host?: string; serve: boolean; scheduler: boolean },
        command: Command,
      ) => {
        const port = opts.port === undefined ? undefined : Number(opts.port);
        if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
          throw new UsageError(`--port: expected a port number, got "${opts.port}"`);
        }
        const [{ ensureWebBuilt }, { startServing }, { runnerDeps }, { startScheduler }] = await Promise.all([
          import('../../api/static.ts'),
          import('./serve.ts'),
          import('./jobs.ts'),
          import('../../jobs/scheduler.ts'),
        ]);
        // a person at a terminal sees one line per step; piped output gets the JSON logs and the JSON result
        const json = Boolean((command.optsWithGlobals() as { json?: boolean }).json);
        const steps = stepPrinter(!json && Boolean(process.stderr.isTTY));
        const say = (c: CommandContext, message: string) =>
          steps.enabled ? steps.note(message) : c.log.info(message);
        // The dashboard build, when web/dist is missing or stale (a fresh clone whose `prepare` could not build
        // it), is a separate vite process: it runs on the other core while the store opens and the demo loads.
        const webLines: string[] = [];
        const web = opts.serve
          ? ensureWebBuilt({ log: (line) => webLines.push(line) }).then(
              (built) => ({ built, error: null }),
              (err: unknown) => ({ built: false, error: err as Error }),
            )
          : null;
        steps.begin('opening the store (a first start creates it)');
        // one runtime for the API and the scheduler: one cache, pub/sub and (hot-reloaded) config store
        const c = await ctx({ liveConfig: true });
        steps.end(`${c.storeMode === 'postgres' ? 'PostgreSQL' : c.settings.home}`);
        steps.begin('checking for data');
        const hasData = await storeHasBars(c);
        steps.end(hasData ? 'history in place: no demo needed' : 'empty store: loading the offline demo');
        if (!hasData) {
          // loaded only for an empty store: a restart does not pay for the demo's modules
          const { runDemo, demoExtraSteps, demoLog } = await demoModules();
          if (!steps.enabled) c.log.info('empty store: running the demo first (offline, about 20 s)');
          const summary = await runDemo(c.db, {
            log: steps.enabled ? demoLog(steps) : (m) => c.log.info(m),
            extraSteps: demoExtraSteps(c, steps),
          });
          const message = `demo: ${summary.instruments} instruments, ${summary.bars.toLocaleString('en-US')} bars in ${(summary.duration_ms / 1000).toFixed(1)} s`;
          if (steps.enabled) steps.note(message);
          else c.log.info(message);
        }
        if (!opts.serve || !web) return;
        steps.begin('dashboard');
        const dashboard = await web;
        for (const line of webLines) say(c, line);
        if (dashboard.error) {
          steps.end(`not available: ${dashboard.error.message}`, false);
          if (!steps.enabled) c.log.warn(`dashboard not available: ${dashboard.error.message}`);
        } else steps.end(dashboard.built ? 'built' : 'ready');
        steps.begin('API and dashboard server');
        const server = await startServing(c, { port, host: opts.host });
        steps.end(server.url);
        if (opts.scheduler) steps.begin('scheduler');
        const jobs = opts.scheduler ? await runnerDeps(c) : undefined;
        const scheduler = jobs
          ? startScheduler({
              ...jobs.deps,
              mode: c.settings.redisUrl ? 'distributed' : 'embedded',
              config: jobs.config,
            })
          : undefined;
        if (scheduler) steps.end(`${scheduler.mode}, ${jobs?.deps.registry.size ?? 0} jobs`);
        // Embedded stream: only on the venues whose WebSocket URL is set, so an offline start dials none.
        const { startEmbeddedStream } = await import('../../live/command.ts');
        const stream = await startEmbeddedStream({ ...c, ...server.services });
        if (stream) say(c, `stream: ${stream.venues.join(', ')} (depeg alerts and live risk on)`);
        c.print(
          {
            url: server.url,
            dashboard: `${server.url}/`,
            docs: `${server.url}/docs`,
            scheduler: scheduler?.mode ?? 'off',
            stream: stream?.venues ?? [],
          },
          (r) =>
            `marketpipe running: dashboard ${r.dashboard}  API docs ${r.docs}  scheduler ${r.scheduler}  stream ${r.stream.join(',') || 'off'} (Ctrl-C stops)`,
        );
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        c.log.info('shutting down');
        await stream?.stop();
        await scheduler?.stop();
        await server.close();
      },
    );
}

/** Whether the store holds any bar: one indexed row, not a count of millions (a restart must be quick). */
async function storeHasBars(c: CommandContext): Promise<boolean> {
  const r = await c.db.query('SELECT 1 FROM market_data.bars LIMIT 1');
  return r.rows.length > 0;
}

function anyFailed(steps: ReadonlyArray<{ ok: boolean }>): boolean {
  return steps.some((s) => !s.ok);
}
