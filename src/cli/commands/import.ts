import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { isInterval } from '../../core/types.ts';
import { FILE_FORMATS, type FileFormat } from '../../importer/records.ts';
import type { CommandContext } from '../context.ts';
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
    .action(
      async (file: string, opts: { symbol: string; interval: string; format?: string; source?: string }) => {
        if (!isInterval(opts.interval))
          throw new UsageError(`--interval: unknown interval "${opts.interval}"`);
        if (opts.format && !(FILE_FORMATS as readonly string[]).includes(opts.format)) {
          throw new UsageError(`--format: expected ${FILE_FORMATS.join(', ')}, got "${opts.format}"`);
        }
        if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`${file}: no such file`);
        const c = await ctx();
        const { importFile } = await import('../../importer/import.ts');
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
