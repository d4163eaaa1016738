import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import type { CommandContext } from '../context.ts';
import { dateOption } from '../date-option.ts';
import { formatLoadSummary, nothingLoaded } from '../summary.ts';
import { formatTable } from '../table.ts';

/** `ingest economic [SERIES…]`, `economic list`, `economic show SERIES`. */
export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  const ingest = program.commands.find((c) => c.name() === 'ingest') ?? program.command('ingest');
  ingest
    .command('economic [series...]')
    .description(
      'FRED series (default: every economic instrument) with every vintage, release dates and events',
    )
    .option('--since <date>', 'first observation date, YYYY-MM-DD (default: the watermark minus a year)')
    .option('--full', 'every observation, ignoring the watermark')
    .option('--no-releases', 'skip the release calendar')
    .action(async (series: string[], opts: { since?: string; full?: boolean; releases: boolean }) => {
      const since = dateOption(opts.since, '--since');
      const c = await ctx();
      const [{ recorded }, { economicFeed }] = await Promise.all([
        import('../../jobs/history.ts'),
        import('../../pipeline/feeds/economic/service.ts'),
      ]);
      const summary = await recorded(c.db, 'ingest:economic', () =>
        economicFeed.ingest(
          { db: c.db, settings: c.settings, clients: c.runtime.sources },
          { series, since, full: opts.full, releases: opts.releases },
        ),
      );
      c.print(summary, (s) => `economic (${s.mode}): ${formatLoadSummary(s)}`);
      if (nothingLoaded(summary)) process.exitCode = 1;
    });

  const cmd = program.command('economic').description('stored economic indicators (FRED)');
  cmd
    .command('list')
    .description('series with their observation counts and first/last dates')
    .action(async () => {
      const c = await ctx();
      const { readSeries } = await import('../../store/repos/economic.ts');
      const series = await readSeries(c.db);
      c.print({ series }, (r) =>
        formatTable(r.series, ['id', 'title', 'frequency', 'units', 'observations', 'first', 'last']),
      );
    });
  cmd
    .command('show <series>')
    .description('observations of one series (latest vintage, or as published on --as-of)')
    .option('--from <date>', 'first date, YYYY-MM-DD')
    .option('--to <date>', 'last date, YYYY-MM-DD')
    .option('--as-of <date>', 'values as known on this day (vintage), YYYY-MM-DD')
    .option('--limit <n>', 'newest N observations', '100')
    .action(async (series: string, opts: { from?: string; to?: string; asOf?: string; limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new UsageError(`--limit: expected a positive whole number, got "${opts.limit}"`);
      const q = {
        from: dateOption(opts.from, '--from'),
        to: dateOption(opts.to, '--to'),
        asOf: dateOption(opts.asOf, '--as-of'),
        limit,
      };
      const c = await ctx();
      const id = series.toUpperCase();
      const { readObservations, readReleases, requireSeries } = await import('../../store/repos/economic.ts');
      await requireSeries(c.db, id);
      const observations = await readObservations(c.db, id, q);
      const releases = await readReleases(c.db, { series: id, from: q.to === undefined ? undefined : q.to });
      c.print({ series: id, observations, releases }, (r) =>
        [
          formatTable(r.observations, ['date', 'value', 'realtime_start', 'realtime_end']),
          `${r.observations.length} observations`,
        ].join('\n'),
      );
    });
}
