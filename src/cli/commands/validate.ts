import type { Command } from 'commander';
import type { ValidationReport } from '../../quality/validate.ts';
import type { CommandContext } from '../context.ts';
import { formatTable } from '../table.ts';

function human(r: ValidationReport & { report_id?: number }): string {
  const lines = [
    `${r.overall_valid ? 'VALID' : 'INVALID'}: ${r.passed}/${r.total_checks} checks passed, ${r.failed} failed ` +
      `(${r.instruments.length} series, ${r.rows_checked.toLocaleString('en-US')} rows, ${r.duration_ms} ms)`,
  ];
  if (r.errors.length) lines.push('', 'Errors:', formatTable(r.errors, ['check_name', 'error_message']));
  if (r.warnings.length)
    lines.push('', 'Warnings:', formatTable(r.warnings, ['check_name', 'error_message']));
  if (r.report_id !== undefined) lines.push('', `Stored as validation report ${r.report_id}.`);
  return lines.join('\n');
}

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  program
    .command('validate')
    .description('run every data-quality rule over the store; exit 1 when anything fails')
    .option('--asset <symbols...>', 'only these instruments (space or comma separated)')
    .option('--no-freshness', 'skip the freshness rule (historical stores)')
    .option('--no-save', 'do not store the report in ops.validation_reports')
    .action(async (opts: { asset?: string[]; freshness: boolean; save: boolean }) => {
      const c = await ctx();
      const [{ loadThresholds }, { saveValidationReport, validateStore }] = await Promise.all([
        import('../../quality/thresholds-config.ts'),
        import('../../quality/validate.ts'),
      ]);
      const symbols = opts.asset
        ?.flatMap((a) => a.split(','))
        .map((s) => s.trim())
        .filter(Boolean);
      const report: ValidationReport & { report_id?: number } = await validateStore(c.db, {
        symbols,
        thresholds: await loadThresholds(c.db),
        freshness: opts.freshness,
      });
      if (opts.save) report.report_id = await saveValidationReport(c.db, report);
      c.print(report, human);
      if (!report.overall_valid) process.exitCode = 1;
    });
}
