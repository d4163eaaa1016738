import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { EVENT_TYPES, isEventType } from '../../core/events.ts';
import type { CommandContext } from '../context.ts';
import { dateOption } from '../date-option.ts';
import { formatLoadSummary, nothingLoaded } from '../summary.ts';
import { formatTable } from '../table.ts';

/** `ingest events [SYMBOLS…]`, `events list`, `events import FILE`. */
export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  const ingest = program.commands.find((c) => c.name() === 'ingest') ?? program.command('ingest');
  ingest
    .command('events [symbols...]')
    .description('dividends and splits (Polygon reference) and upcoming earnings (AlphaVantage)')
    .option('--full', 'read everything again')
    .action(async (symbols: string[], opts: { full?: boolean }) => {
      const c = await ctx();
      const [{ recorded }, { eventsFeed }] = await Promise.all([
        import('../../jobs/history.ts'),
        import('../../pipeline/feeds/events/service.ts'),
      ]);
      const summary = await recorded(c.db, 'ingest:events', () =>
        eventsFeed.ingest(
          { db: c.db, settings: c.settings, clients: c.runtime.sources },
          { symbols, full: opts.full },
        ),
      );
      c.print(summary, (s) => `events (${s.mode}): ${formatLoadSummary(s)}`);
      if (nothingLoaded(summary)) process.exitCode = 1;
    });

  const cmd = program.command('events').description('earnings, dividends, splits and economic releases');
  cmd
    .command('list')
    .description('stored events, newest first')
    .option('--symbol <symbol>', 'one instrument (or FRED series for economic events)')
    .option('--type <type>', `one of ${EVENT_TYPES.join(', ')}`)
    .option('--from <date>', 'first date, YYYY-MM-DD')
    .option('--to <date>', 'last date, YYYY-MM-DD')
    .option('--limit <n>', 'at most N events', '50')
    .action(async (opts: { symbol?: string; type?: string; from?: string; to?: string; limit: string }) => {
      if (opts.type !== undefined && !isEventType(opts.type)) {
        throw new UsageError(`--type: expected one of ${EVENT_TYPES.join(', ')}, got "${opts.type}"`);
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new UsageError(`--limit: expected a positive whole number, got "${opts.limit}"`);
      const query = {
        symbol: opts.symbol,
        type: opts.type !== undefined && isEventType(opts.type) ? opts.type : undefined,
        from: dateOption(opts.from, '--from'),
        to: dateOption(opts.to, '--to'),
        limit,
      };
      const c = await ctx();
      const { readEvents } = await import('../../store/repos/events.ts');
      const events = await readEvents(c.db, query);
      c.print({ events }, (r) =>
        formatTable(
          r.events.map((e) => ({ date: e.date, type: e.type, symbol: e.symbol, detail: detail(e) })),
          ['date', 'type', 'symbol', 'detail'],
        ),
      );
    });
  cmd
    .command('import <file>')
    .description(
      'events from a CSV file (columns: type,symbol,date,… — see src/pipeline/feeds/events/csv-import.ts)',
    )
    .action(async (file: string) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new UsageError(`${file}: cannot read (${(err as Error).message})`);
      }
      const c = await ctx();
      const [{ recorded }, { importEventsCsv }] = await Promise.all([
        import('../../jobs/history.ts'),
        import('../../pipeline/feeds/events/csv-import.ts'),
      ]);
      const summary = await recorded(c.db, 'import:events', () => importEventsCsv(c.db, text));
      c.print(summary, (s) => `events import: ${formatLoadSummary(s)}`);
      if (summary.failed > 0 && summary.stored === 0) process.exitCode = 1;
    });
}

function detail(e: Record<string, unknown>): string {
  switch (e.type) {
    case 'dividend':
      return `${String(e.amount)} ${String(e.currency ?? '')} (pay ${String(e.pay_date ?? '?')})`;
    case 'split':
      return `${String(e.split_to)}-for-${String(e.split_from)}`;
    case 'earnings':
      return `est ${String(e.estimate ?? '–')} actual ${String(e.actual ?? '–')} ${String(e.time_of_day ?? '')}`;
    default:
      return `${String(e.period)}: actual ${String(e.actual ?? '–')} forecast ${String(e.forecast ?? '–')} previous ${String(e.previous ?? '–')}`;
  }
}
