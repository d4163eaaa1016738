import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import type { CommandContext } from '../context.ts';
import { formatTable } from '../table.ts';

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  program
    .command('quote <asset> <amount>')
    .description('premium for depeg cover of AMOUNT USD on ASSET, with its breakdown')
    .option('--days <n>', 'cover period in days', '30')
    .option(
      '--depeg-model',
      "scale the risk weight by the active depeg model's forecast for ASSET over its base rate",
    )
    .action(async (asset: string, amountText: string, opts: { days: string; depegModel?: boolean }) => {
      const amount = Number(amountText.replaceAll('_', '').replaceAll(',', ''));
      if (!Number.isFinite(amount) || amount <= 0)
        throw new UsageError(`AMOUNT: expected a positive number, got "${amountText}"`);
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1)
        throw new UsageError(`--days: expected a whole number ≥ 1, got "${opts.days}"`);
      const c = await ctx();
      const { quote } = await import('../../risk/service.ts');
      const config = await c.runtime.config();
      const q = await quote(c.db, { asset, amount, days, config, depegModel: opts.depegModel === true });
      c.print(q, (r) =>
        [
          `${r.asset} cover of $${r.amount.toLocaleString('en-US')} for ${r.days} days: premium $${r.premium.toFixed(2)} (${(r.rate * 100).toFixed(3)} % a year)`,
          formatTable(
            Object.entries(r.breakdown).map(([k, v]) => ({
              factor: k,
              value: typeof v === 'number' ? v : String(v),
            })),
            ['factor', 'value'],
          ),
        ].join('\n'),
      );
    });
}
