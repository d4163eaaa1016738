import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { describeVarConventions } from '../../risk/conventions.ts';
import type { CommandContext } from '../context.ts';
import { formatTable } from '../table.ts';

const usd = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`;

/** A positive integer flag (`--sims`). */
export function intFlag(name: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${name}: expected a whole number ≥ ${min}, got "${value}"`);
  return n;
}

function numFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${name}: expected a number, got "${value}"`);
  return n;
}

function dateFlag(value: string | undefined): string | undefined {
  if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new UsageError(`--date: expected YYYY-MM-DD, got "${value}"`);
  }
  return value;
}

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  const cmd = program.command('risk').description('Monte Carlo VaR, stress tests and the daily risk report');

  cmd
    .command('var')
    .description(
      'Monte Carlo VaR/CVaR of a portfolio over the horizon (default 30 calendar days, √t-scaled on each instrument’s calendar)',
    )
    .option(
      '--portfolio <file>',
      'portfolio JSON file (default: stored "default", seeded from samples/portfolio.json)',
    )
    .option('--sims <n>', 'number of simulations (default: adaptive on 10,000 by portfolio volatility)')
    .option('--seed <s>', 'random seed (default: the date as yyyymmdd)')
    .option('--date <d>', 'valuation date YYYY-MM-DD (default today, UTC)')
    .action(async (opts: { portfolio?: string; sims?: string; seed?: string; date?: string }) => {
      const simulations = intFlag('--sims', opts.sims);
      const seed = numFlag('--seed', opts.seed);
      const date = dateFlag(opts.date);
      const c = await ctx();
      const { runVar } = await import('../../risk/service.ts');
      const config = await c.runtime.config();
      const run = await runVar(c.db, { file: opts.portfolio, simulations, seed, date, config });
      c.print(
        {
          ...run.result,
          portfolio: run.portfolio.name,
          date: run.date,
          scenario_weights: run.scenario_weights,
        },
        (r) =>
          [
            `${r.portfolio} on ${r.date}: ${r.horizon_days}-day horizon, ${r.simulations.toLocaleString('en-US')} simulations in ${r.simulation_time_ms.toFixed(1)} ms (seed ${r.seed})`,
            formatTable(
              [
                { metric: 'VaR 95 %', usd: usd(r.var_95) },
                { metric: 'VaR 99 %', usd: usd(r.var_99) },
                { metric: 'CVaR 95 %', usd: usd(r.cvar_95) },
                { metric: 'expected loss', usd: usd(r.expected_loss) },
                { metric: 'worst case', usd: usd(r.worst_case) },
                { metric: 'best case', usd: usd(r.best_case) },
              ],
              ['metric', 'usd'],
            ),
            `scenarios used: ${r.scenarios_used}; weights: ${r.scenario_weights.used}${r.scenario_weights.model ? ` (model ${r.scenario_weights.model.name} v${r.scenario_weights.model.version})` : ''}${r.scenario_weights.fallback ? ` (model asked for, not used: ${r.scenario_weights.fallback})` : ''}`,
            describeVarConventions(r.conventions),
          ].join('\n'),
      );
    });

  cmd
    .command('stress')
    .description('loss of the portfolio under each enabled stress scenario')
    .option('--portfolio <file>', 'portfolio JSON file')
    .option('--threshold <share>', 'flag scenarios losing more than this share of capital', '0.1')
    .action(async (opts: { portfolio?: string; threshold: string }) => {
      const threshold = numFlag('--threshold', opts.threshold);
      const c = await ctx();
      const { runStress } = await import('../../risk/service.ts');
      const s = await runStress(c.db, { file: opts.portfolio, threshold });
      c.print(s, (r) =>
        [
          formatTable(
            r.results.map((x) => ({
              scenario: x.scenario,
              severity: x.severity_level,
              loss: usd(x.loss),
              '% capital': `${(x.loss_pct_capital * 100).toFixed(1)} %`,
            })),
            ['scenario', 'severity', 'loss', '% capital'],
          ),
          `worst: ${r.worst ? `${r.worst.scenario} ${usd(r.worst.loss)}` : '-'}; average ${usd(r.average_loss)}; ` +
            `above ${(r.threshold * 100).toFixed(0)} % of capital: ${r.above_threshold.join(', ') || 'none'}`,
        ].join('\n'),
      );
    });

  cmd
    .command('report')
    .description('daily risk report: JSON + HTML into $MARKETPIPE_HOME/reports/ and risk.reports')
    .option('--date <d>', 'report date YYYY-MM-DD (default today, UTC)')
    .option('--portfolio <file>', 'portfolio JSON file')
    .option('--sims <n>', 'number of simulations')
    .option('--seed <s>', 'random seed (default: the date as yyyymmdd)')
    .action(async (opts: { date?: string; portfolio?: string; sims?: string; seed?: string }) => {
      const date = dateFlag(opts.date);
      const simulations = intFlag('--sims', opts.sims);
      const seed = numFlag('--seed', opts.seed);
      const c = await ctx();
      const { runDailyRisk } = await import('../../risk/service.ts');
      const { report, files } = await runDailyRisk(c.db, {
        home: c.settings.home,
        config: await c.runtime.config(),
        date,
        file: opts.portfolio,
        simulations,
        seed,
      });
      c.print({ ...report, files }, (r) =>
        [
          `risk report ${r.date} for ${r.portfolio}: ${r.files.html}`,
          `capital ${usd(r.summary.capital)}, coverage ${usd(r.summary.coverage)}, LTV ${(r.summary.ltv * 100).toFixed(1)} %, ` +
            `VaR 95 ${usd(r.var.var_95)}, worst stress ${r.stress.worst ? `${r.stress.worst.scenario} ${usd(r.stress.worst.loss)}` : '-'}`,
          ...r.alerts.map((a) => `[${a.level}] ${a.message}`),
          ...r.recommendations.map((x) => `→ ${x.message}`),
        ].join('\n'),
      );
    });
}
