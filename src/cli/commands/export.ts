import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { parseTime } from '../../core/time.ts';
import { INTERVALS } from '../../core/types.ts';
import { EXPORT_FORMATS as FORMATS } from '../../export/formats.ts';
import { EXPORT_DATASETS as DATASETS } from '../../store/repos/export.ts';
import type { CommandContext } from '../context.ts';

interface ExportOptions {
  format: string;
  out?: string;
  symbols?: string;
  from?: string;
  to?: string;
  interval?: string;
}

/**
 * The dataset, format and interval, checked by the API's contract (api/contract/export.ts, loaded when the
 * command runs so `--help` does not load zod); the first problem is a UsageError naming its flag.
 */
async function choice(dataset: string, opts: ExportOptions) {
  const { ExportChoice } = await import('../../api/contract/export.ts');
  const given = { dataset, format: opts.format, interval: opts.interval };
  const res = ExportChoice.safeParse(given);
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  const key = String(issue?.path[0] ?? '');
  const flag = key === 'dataset' ? 'export' : `--${key}`;
  const value = given[key as keyof typeof given];
  throw new UsageError(`${flag}: ${issue?.message ?? 'invalid value'}, got "${value}"`);
}

function time(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseTime(value, what);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  program
    .command('export <dataset>')
    .description(`stream a table to a file: ${DATASETS.join('|')} as CSV, Parquet or XLSX`)
    .option('--format <format>', `${FORMATS.join('|')}`, 'csv')
    .option('--out <file>', 'file to write, or - for stdout')
    .option('--symbols <list>', 'only these symbols, comma-separated (e.g. BTC,USDC)')
    .option('--from <date>', 'from this time, inclusive (ISO-8601 or YYYY-MM-DD, UTC)')
    .option('--to <date>', 'until this time, exclusive')
    .option('--interval <interval>', `bars only: ${INTERVALS.join(' ')}`)
    .action(async (datasetArg: string, opts: ExportOptions) => {
      const { dataset, format, interval } = await choice(datasetArg, opts);
      if (!opts.out) throw new UsageError('export: --out FILE (or - for stdout) is required');
      const from = time(opts.from, '--from');
      const to = time(opts.to, '--to');
      if (from !== undefined && to !== undefined && from >= to)
        throw new UsageError(`--from (${opts.from}) must be before --to (${opts.to})`);
      const toStdout = opts.out === '-';
      if (toStdout && format !== 'csv' && process.stdout.isTTY)
        throw new UsageError(`export: ${format} is binary; redirect stdout or use --out FILE`);
      const symbols = opts.symbols
        ?.split(',')
        .map((s) => s.trim().toUpperCase())
        .filter(Boolean);
      const c = await ctx();
      const [{ checkExportFilter, exportDataset }, fs] = await Promise.all([
        import('../../export/export.ts'),
        import('node:fs'),
      ]);
      const filter = { symbols, from, to, interval };
      await checkExportFilter(c.db, dataset, filter);
      // Written beside the target and renamed over it once complete: a failed export leaves any file
      // already at --out as it was, and never a truncated file under the final name.
      const partial = `${opts.out}.partial`;
      const out = toStdout ? process.stdout : fs.createWriteStream(partial);
      let res: Awaited<ReturnType<typeof exportDataset>>;
      try {
        // the export is this process's only work: hold its heap near 48 MB (the budget is 200 MB RSS)
        res = await exportDataset(c.db, dataset, format, filter, out, { heapCapMb: 48 });
        if (!toStdout) fs.renameSync(partial, opts.out);
      } catch (err) {
        if (!toStdout) fs.rmSync(partial, { force: true });
        throw err;
      }
      const summary = { ...res, out: opts.out };
      const line = `Exported ${res.rows} ${dataset} rows as ${format} to ${toStdout ? 'stdout' : opts.out} in ${res.duration_ms} ms`;
      // Stdout carries the data itself: the summary goes to stderr then.
      if (toStdout) process.stderr.write(`${c.json ? JSON.stringify(summary) : line}\n`);
      else c.print(summary, () => line);
    });
}
