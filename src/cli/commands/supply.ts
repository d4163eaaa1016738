import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { parseTime } from '../../core/time.ts';
import type { CommandContext } from '../context.ts';
import { formatLoadSummary, nothingLoaded } from '../summary.ts';
import { formatTable } from '../table.ts';

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);

/** `ingest supply [--symbols A,B] [--full]`, `supply --symbol S [--from D] [--to D]`. */
export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  const ingest = program.commands.find((c) => c.name() === 'ingest') ?? program.command('ingest');
  ingest
    .command('supply')
    .description('stablecoin circulating supply from DefiLlama (total and per chain; supply-drop alerts)')
    .option('--symbols <list>', 'comma-separated stablecoins (default: every active stablecoin)')
    .option('--full', 'reload the daily history of every coin')
    .action(async (opts: { symbols?: string; full?: boolean }) => {
      const symbols = opts.symbols === undefined ? undefined : list(opts.symbols);
      if (symbols && symbols.length === 0) throw new UsageError('--symbols: expected at least one symbol');
      const c = await ctx();
      const [{ recorded }, { supplyFeed }] = await Promise.all([
        import('../../jobs/history.ts'),
        import('../../pipeline/feeds/supply.ts'),
      ]);
      const config = await c.runtime.config();
      const summary = await recorded(c.db, 'ingest:supply', () =>
        supplyFeed.ingest(
          { db: c.db, settings: c.settings, clients: c.runtime.sources, pubsub: c.runtime.pubsub, config },
          { symbols, full: opts.full },
        ),
      );
      c.print(summary, (s) => `supply (${s.mode}): ${formatLoadSummary(s)}`);
      if (nothingLoaded(summary)) process.exitCode = 1;
    });

  program
    .command('supply')
    .description('stored circulating supply of a stablecoin: latest total and per chain, daily history')
    .requiredOption('--symbol <symbol>', 'the stablecoin (e.g. USDC)')
    .option('--from <date>', 'history from (ISO date/time; default: 90 days ago)')
    .option('--to <date>', 'history up to (ISO date/time)')
    .action(async (opts: { symbol: string; from?: string; to?: string }) => {
      const from = opts.from === undefined ? undefined : parseTime(opts.from, '--from');
      const to = opts.to === undefined ? undefined : parseTime(opts.to, '--to');
      const c = await ctx();
      const { supplyView } = await import('../../store/repos/supply.ts');
      const view = await supplyView(c.db, opts.symbol.toUpperCase(), { from, to });
      c.print(view, (v) =>
        [
          `${v.symbol}: ${v.latest ? `${v.latest.circulating} on ${v.latest.ts}` : 'no supply stored'}`,
          formatTable(v.chains, ['chain', 'circulating', 'ts']),
        ].join('\n'),
      );
    });
}
