import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { parseTime } from '../../core/time.ts';
import type { CommandContext } from '../context.ts';
import { formatLoadSummary, nothingLoaded } from '../summary.ts';
import { formatTable } from '../table.ts';

/** `ingest news [SYMBOLS…] [--since D]`, `news list`. */
export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  const ingest = program.commands.find((c) => c.name() === 'ingest') ?? program.command('ingest');
  ingest
    .command('news [symbols...]')
    .description('NewsAPI articles and AlphaVantage news sentiment (default: equities, ETFs, crypto)')
    .option(
      '--since <date>',
      'articles published since (ISO date/time; default: the watermark minus an hour)',
    )
    .option('--full', 'the last 30 days, ignoring the watermark')
    .action(async (symbols: string[], opts: { since?: string; full?: boolean }) => {
      const since = opts.since === undefined ? undefined : parseTime(opts.since, '--since');
      const c = await ctx();
      const [{ recorded }, { newsFeed }] = await Promise.all([
        import('../../jobs/history.ts'),
        import('../../pipeline/feeds/news/service.ts'),
      ]);
      const summary = await recorded(c.db, 'ingest:news', () =>
        newsFeed.ingest(
          { db: c.db, settings: c.settings, clients: c.runtime.sources },
          { symbols, since, full: opts.full },
        ),
      );
      c.print(summary, (s) => `news (${s.mode}): ${formatLoadSummary(s)}`);
      if (nothingLoaded(summary)) process.exitCode = 1;
    });

  program
    .command('news')
    .description('stored news articles with sentiment, newest first')
    .option('--symbol <symbol>', 'only articles about this instrument')
    .option('--since <date>', 'published since (ISO date/time)')
    .option('--limit <n>', 'at most N articles', '20')
    .action(async (opts: { symbol?: string; since?: string; limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new UsageError(`--limit: expected a positive whole number, got "${opts.limit}"`);
      const since = opts.since === undefined ? undefined : parseTime(opts.since, '--since');
      const c = await ctx();
      const { readNews } = await import('../../store/repos/news.ts');
      const articles = await readNews(c.db, { symbol: opts.symbol, since, limit });
      c.print({ articles }, (r) =>
        formatTable(
          r.articles.map((a) => ({
            published_at: a.published_at,
            source: a.source,
            title: a.title.length > 70 ? `${a.title.slice(0, 69)}…` : a.title,
            sentiment: a.sentiment.map((s) => `${s.symbol} ${s.score.toFixed(2)} (${s.provider})`).join(', '),
          })),
          ['published_at', 'source', 'title', 'sentiment'],
        ),
      );
    });
}
