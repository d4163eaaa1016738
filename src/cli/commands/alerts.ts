import type { Command } from 'commander';
import { UsageError, ValidationError } from '../../core/errors.ts';
import type { CommandContext } from '../context.ts';
import { formatTable } from '../table.ts';

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  const cmd = program.command('alerts').description('live alerts raised by `stream` (depeg episodes)');
  cmd
    .command('list')
    .description('stored alerts, newest first (open ones always included)')
    .option('--type <type>', 'only this kind of alert: depeg, supply_drop, reconcile_mismatch')
    .option('--since <date>', 'alerts raised since this date/time (ISO-8601 or Unix seconds)')
    .option('--asset <symbol>', 'only this asset')
    .action(async (opts: { type?: string; since?: string; asset?: string }) => {
      const { readAlerts } = await import('../../live/alerts/service.ts');
      const c = await ctx();
      let list: Awaited<ReturnType<typeof readAlerts>>;
      try {
        list = await readAlerts(c.db, opts);
      } catch (err) {
        // A bad --type or --since is bad usage (exit 2), with the service's one-line reason.
        if (err instanceof ValidationError) throw new UsageError(`--${err.message}`, { cause: err });
        throw err;
      }
      c.print(list, (r) =>
        r.alerts.length === 0
          ? 'no alerts'
          : formatTable(
              r.alerts.map((a) => ({
                id: a.id,
                type: a.type,
                asset: a.asset,
                ts: a.ts,
                price: a.price,
                threshold: a.threshold,
                venues: a.venues.join(','),
                state: a.state,
              })),
              ['id', 'type', 'asset', 'ts', 'price', 'threshold', 'venues', 'state'],
            ),
      );
    });
}
