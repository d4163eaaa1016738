import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { isAssetClass } from '../../core/types.ts';
import {
  getInstrument,
  listInstruments,
  removeInstrument,
  setInstrumentActive,
  upsertInstruments,
} from '../../store/repos/instruments.ts';
import type { CommandContext } from '../context.ts';
import { formatTable } from '../table.ts';

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  const cmd = program
    .command('instruments')
    .description('list, add, remove or load instruments of the universe');

  cmd
    .command('list')
    .description('list instruments')
    .option(
      '--class <assetClass>',
      'only this asset class (equity, etf, crypto, fx, stablecoin, index, economic)',
    )
    .option('--inactive', 'only instruments marked inactive')
    .action(async (opts: { class?: string; inactive?: boolean }) => {
      if (opts.class && !isAssetClass(opts.class))
        throw new UsageError(`--class: unknown asset class "${opts.class}"`);
      const c = await ctx();
      const rows = await listInstruments(c.db, {
        assetClass: opts.class && isAssetClass(opts.class) ? opts.class : undefined,
        active: opts.inactive ? false : undefined,
      });
      c.print({ instruments: rows }, (r) =>
        formatTable(
          r.instruments.map((i) => ({
            symbol: i.symbol,
            class: i.assetClass,
            name: i.name,
            currency: i.currency,
            sources: Object.keys(i.sources ?? {}).join(','),
            active: i.active ? 'yes' : `no (${i.inactiveReason ?? ''})`,
          })),
          ['symbol', 'class', 'name', 'currency', 'sources', 'active'],
        ),
      );
    });

  cmd
    .command('add <symbol>')
    .description('add or update an instrument')
    .requiredOption('--class <assetClass>', 'asset class')
    .option('--name <name>', 'display name')
    .option('--currency <ccy>', 'quote currency', 'USD')
    .option('--exchange <exchange>', 'exchange')
    .option('--timezone <tz>', 'IANA time zone of the venue')
    .option('--peg <price>', 'peg target (stablecoins)')
    .option('--source <provider=symbol...>', 'provider symbol mapping, e.g. coingecko=usd-coin')
    .action(
      async (
        symbol: string,
        opts: {
          class: string;
          name?: string;
          currency: string;
          exchange?: string;
          timezone?: string;
          peg?: string;
          source?: string[];
        },
      ) => {
        const sources: Record<string, string> = {};
        for (const pair of opts.source ?? []) {
          // Split at the FIRST '=' only: provider symbols may hold one (Yahoo FX `USDGBP=X`, futures `ES=F`).
          const eq = pair.indexOf('=');
          const provider = eq < 0 ? '' : pair.slice(0, eq).trim();
          const providerSymbol = eq < 0 ? '' : pair.slice(eq + 1).trim();
          if (!provider || !providerSymbol)
            throw new UsageError(`--source: expected provider=symbol, got "${pair}"`);
          sources[provider] = providerSymbol;
        }
        const { instrumentSchema } = await import('../../universe.ts');
        const equityLike = opts.class === 'equity' || opts.class === 'etf' || opts.class === 'index';
        const parsed = instrumentSchema.safeParse({
          symbol,
          assetClass: opts.class,
          name: opts.name ?? symbol,
          currency: opts.currency,
          exchange: opts.exchange,
          timezone: opts.timezone ?? (equityLike || opts.class === 'fx' ? 'America/New_York' : 'UTC'),
          pegTarget:
            opts.peg === undefined ? (opts.class === 'stablecoin' ? 1 : undefined) : Number(opts.peg),
          sources,
        });
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new UsageError(`${issue?.path.join('.') || 'instrument'}: ${issue?.message ?? 'invalid'}`);
        }
        const c = await ctx();
        const res = await upsertInstruments(c.db, [
          { ...parsed.data, exchange: parsed.data.exchange ?? null },
        ]);
        const stored = await getInstrument(c.db, symbol);
        c.print({ ...res, instrument: stored }, () => `${res.inserted ? 'added' : 'updated'} ${symbol}`);
      },
    );

  cmd
    .command('remove <symbol>')
    .description('remove an instrument and all of its data')
    .action(async (symbol: string) => {
      const c = await ctx();
      const removed = await removeInstrument(c.db, symbol);
      if (!removed) throw new UsageError(`unknown instrument "${symbol}"`);
      c.print({ removed: symbol }, () => `removed ${symbol}`);
    });

  cmd
    .command('enable <symbol>')
    .description('mark an instrument active again (schedules fetch it)')
    .action(async (symbol: string) => {
      const c = await ctx();
      await setInstrumentActive(c.db, symbol, true);
      c.print({ symbol, active: true }, () => `enabled ${symbol}`);
    });

  cmd
    .command('load [file]')
    .description('load a universe file (default: the shipped universe/default.json)')
    .action(async (file?: string) => {
      const { DEFAULT_UNIVERSE_FILE, loadUniverse } = await import('../../universe.ts');
      const list = loadUniverse(file ?? DEFAULT_UNIVERSE_FILE);
      const c = await ctx();
      const res = await upsertInstruments(c.db, list);
      c.print(
        { ...res, total: list.length },
        (r) => `${r.total} instruments: ${r.inserted} added, ${r.updated} updated`,
      );
    });
}
