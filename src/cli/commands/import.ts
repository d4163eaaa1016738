import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { NotFoundError, UsageError } from '../../core/errors.ts';
import { ASSET_CLASSES, isInterval } from '../../core/types.ts';
import { FILE_FORMATS, type FileFormat } from '../../importer/records.ts';
import type { CommandContext } from '../context.ts';
import { instrumentFromFlags, parseAssetClass, parsePeg } from '../instrument-options.ts';
import { progressBar } from '../progress.ts';
import { formatLoadSummary } from '../summary.ts';

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  program
    .command('import <file>')
    .description('load a price file (Yahoo CSV, generic CSV or JSON of OHLCV or prices) into the store')
    .requiredOption('--symbol <sym>', 'instrument the rows belong to')
    .option('--interval <interval>', 'bar interval of OHLC rows', '1d')
    .option('--format <format>', `file layout: ${FILE_FORMATS.join('|')} (default: from the extension)`)
    .option('--source <name>', 'source recorded on the rows (default file:<name>)')
    .option('--create', 'add --symbol to the universe first when the store does not have it (needs --class)')
    .option('--class <assetClass>', `asset class for --create: ${ASSET_CLASSES.join(', ')}`)
    .option('--peg <price>', 'peg target for --create of a stablecoin (default 1)')
    .option('--name <name>', 'display name for --create')
    .action(
      async (
        file: string,
        opts: {
          symbol: string;
          interval: string;
          format?: string;
          source?: string;
          create?: boolean;
          class?: string;
          peg?: string;
          name?: string;
        },
      ) => {
        if (!isInterval(opts.interval))
          throw new UsageError(`--interval: unknown interval "${opts.interval}"`);
        if (opts.format && !(FILE_FORMATS as readonly string[]).includes(opts.format)) {
          throw new UsageError(`--format: expected ${FILE_FORMATS.join(', ')}, got "${opts.format}"`);
        }
        if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`${file}: no such file`);
        const creating = opts.create
          ? await instrumentFromFlags(opts.symbol, {
              class: requireClass(opts.class),
              peg: opts.peg,
              name: opts.name,
            })
          : undefined;
        if (!opts.create && opts.class !== undefined) parseAssetClass(opts.class);
        if (!opts.create) parsePeg(opts.peg);
        const c = await ctx();
        const [{ importFile }, { getInstrument, upsertInstruments }, { addInstrumentHint }] =
          await Promise.all([
            import('../../importer/import.ts'),
            import('../../store/repos/instruments.ts'),
            import('../../universe.ts'),
          ]);
        if (!(await getInstrument(c.db, opts.symbol))) {
          if (!creating) throw new NotFoundError(addInstrumentHint([opts.symbol], true));
          await upsertInstruments(c.db, [creating]);
          c.log.info(`added ${opts.symbol} (${creating.assetClass}) to the universe`);
        }
        const bar = progressBar(`import ${opts.symbol}`, !c.json && Boolean(process.stderr.isTTY));
        try {
          const summary = await importFile(c.db, {
            file,
            symbol: opts.symbol,
            interval: opts.interval,
            format: opts.format as FileFormat | undefined,
            source: opts.source,
            onProgress: (n) => bar.update(n),
          });
          bar.done();
          c.print(summary, formatLoadSummary);
        } finally {
          bar.done();
        }
      },
    );
}

function requireClass(value: string | undefined): string {
  if (value === undefined)
    throw new UsageError(`--create needs --class (one of ${ASSET_CLASSES.join(', ')})`);
  return value;
}
