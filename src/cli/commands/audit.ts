import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import type { CommandContext } from '../context.ts';

/**
 * `marketpipe audit verify|export`: checks the tamper-evident audit chain (`config.audit_chain`) and
 * exports it for auditors with the chain's head hash.
 */
export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  const cmd = program
    .command('audit')
    .description('tamper-evident audit trail: verify the hash chain, export it');

  cmd
    .command('verify')
    .description('recompute every hash of the audit chain; exit 1 naming the first bad entry')
    .option('--head <hash>', 'head hash from an earlier export: also catches entries removed from the end')
    .action(async (opts: { head?: string }) => {
      if (opts.head !== undefined && !/^[0-9a-f]{64}$/.test(opts.head)) {
        throw new UsageError('--head must be a SHA-256 hash (64 hex digits)');
      }
      const c = await ctx();
      const { verifyChain } = await import('../../audit/chain.ts');
      const r = await verifyChain(c.db, opts.head);
      c.print(r, (x) =>
        x.ok
          ? `audit chain intact: ${x.entries} entries, head ${x.head_hash}`
          : `audit chain BROKEN at entry ${x.first_bad_id}: ${x.problem}`,
      );
      if (!r.ok) {
        process.stderr.write(`marketpipe: audit chain broken at entry ${r.first_bad_id}: ${r.problem}\n`);
        process.exitCode = 1;
      }
    });

  cmd
    .command('export')
    .description('audit entries in a date range as JSON lines or CSV, ending with the chain head hash')
    .option('--from <date>', 'first day (YYYY-MM-DD or ISO time), inclusive')
    .option('--to <date>', 'last day (YYYY-MM-DD or ISO time), inclusive')
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (opts: { from?: string; to?: string; format: string; out?: string }) => {
      if (opts.format !== 'jsonl' && opts.format !== 'csv') {
        throw new UsageError(`--format must be jsonl or csv, got "${opts.format}"`);
      }
      const format = opts.format;
      const c = await ctx();
      const { exportChain, formatExport } = await import('../../audit/chain.ts');
      const x = await exportChain(c.db, { from: opts.from, to: opts.to });
      const text = formatExport(x, format);
      if (opts.out) {
        await writeFile(opts.out, text);
        c.print(
          { file: opts.out, format, entries: x.entries.length, head_hash: x.head_hash, head_seq: x.head_seq },
          (r) => `wrote ${r.entries} entries to ${r.file} (head ${r.head_hash})`,
        );
      } else {
        process.stdout.write(text);
      }
    });
}
