import type { Command } from 'commander';
import { ConfigError, UsageError } from '../../core/errors.ts';
import { isReportKind, REPORT_KINDS } from '../../reports/types.ts';
import type { CommandContext } from '../context.ts';
import { formatTable } from '../table.ts';

const pct = (v: number | null) => (v === null ? '' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}%`);

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  program
    .command('report <kind>')
    .description(
      'start-of-day (sod) or end-of-day (eod) report: HTML + PDF under $MARKETPIPE_HOME/reports, optionally emailed',
    )
    .option('--date <date>', 'report day, YYYY-MM-DD (UTC; default today)')
    .option('--email', 'send it to REPORT_RECIPIENTS through SMTP_URL')
    .option('--narrative', 'add a prose rewrite by the local model (LLM_LOCAL_BASE_URL; never the cloud one)')
    .action(async (kind: string, opts: { date?: string; email?: boolean; narrative?: boolean }) => {
      if (!isReportKind(kind))
        throw new UsageError(`kind: expected ${REPORT_KINDS.join(' or ')}, got "${kind}"`);
      if (opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date))
        throw new UsageError(`--date: expected YYYY-MM-DD, got "${opts.date}"`);
      const c = await ctx();
      const [{ localEndpoint }, { runReport }] = await Promise.all([
        import('../../chat/llm.ts'),
        import('../../reports/run.ts'),
      ]);
      const local = opts.narrative ? localEndpoint(c.settings) : null;
      if (opts.narrative && !local)
        throw new ConfigError('--narrative uses only the local model and LLM_LOCAL_BASE_URL is not set');
      const out = await runReport(c.db, {
        narrative: local ?? undefined,
        kind,
        date: opts.date,
        home: c.settings.home,
        email: Boolean(opts.email),
        smtp: { url: c.settings.smtpUrl, recipients: c.settings.reportRecipients },
      });
      c.print({ ...out.report, files: out.files, email: out.email ?? null }, (r) =>
        [
          r.title,
          r.headline,
          r.narrative ? `\n${r.narrative}` : r.narrative_error ? `(no narrative: ${r.narrative_error})` : '',
          '',
          formatTable(
            r.market.map((m) => ({
              ...m,
              avg_change: pct(m.avg_change),
              best: m.best?.symbol ?? '',
              worst: m.worst?.symbol ?? '',
            })),
            ['asset_class', 'instruments', 'advancers', 'decliners', 'avg_change', 'best', 'worst'],
          ),
          '',
          formatTable(
            r.signals
              .filter((s) => s.action !== 'hold')
              .map((s) => ({
                strategy: s.strategy,
                symbol: s.symbol,
                action: s.action,
                reasoning: s.reasoning,
              })),
            ['strategy', 'symbol', 'action', 'reasoning'],
          ),
          '',
          `risk: ${r.risk.date ? `VaR95 ${r.risk.var_95?.toFixed(0)} (${r.risk.date}), ${r.risk.alerts.length} alert(s); ${r.risk.var_method ?? ''}` : r.risk.note}`,
          `quality: ${r.quality.passed}/${r.quality.total_checks} checks passed, ${r.quality.quarantined_total} quarantined`,
          `files: ${r.files.html}, ${r.files.pdf}`,
          r.email ? `emailed to ${r.email.accepted.join(', ')}` : '',
        ].join('\n'),
      );
    });
}
