import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { ASSET_CLASSES } from '../../core/types.ts';
import {
  getInstrument,
  listInstruments,
  removeInstrument,
  setInstrumentActive,
  upsertInstruments,
} from '../../store/repos/instruments.ts';
import type { CommandContext } from '../context.ts';
import { type InstrumentFlags, instrumentFromFlags, parseAssetClass } from '../instrument-options.ts';
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
      const assetClass = opts.class === undefined ? undefined : parseAssetClass(opts.class);
      const c = await ctx();
      const rows = await listInstruments(c.db, {
        assetClass,
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
    .requiredOption('--class <assetClass>', `asset class: ${ASSET_CLASSES.join(', ')}`)
    .option('--name <name>', 'display name')
    .option('--currency <ccy>', 'quote currency', 'USD')
    .option('--exchange <exchange>', 'exchange')
    .option('--timezone <tz>', 'IANA time zone of the venue')
    .option('--peg <price>', 'peg target (stablecoins)')
    .option('--source <provider=symbol...>', 'provider symbol mapping, e.g. coingecko=usd-coin')
    .action(async (symbol: string, opts: InstrumentFlags) => {
      const instrument = await instrumentFromFlags(symbol, opts);
      const c = await ctx();
      const res = await upsertInstruments(c.db, [instrument]);
      const stored = await getInstrument(c.db, symbol);
      c.print({ ...res, instrument: stored }, () => `${res.inserted ? 'added' : 'updated'} ${symbol}`);
    });

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
