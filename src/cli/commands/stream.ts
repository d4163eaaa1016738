import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import type { ContextFactory } from '../context.ts';
import { parseDuration } from './quarantine.ts';

interface StreamOpts {
  symbols?: string;
  venues?: string;
  for?: string;
  seed: string;
  leasePrefix: string;
}

function forDuration(text: string): number {
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(`--for: expected a duration like 60s, 5m or 2h, got "${text}"`);
  }
}

export function register(program: Command, ctx: ContextFactory): void {
  program
    .command('stream')
    .description('stream trades from Binance, Coinbase and Kraken into 1m bars and composite prices')
    .option('--symbols <list>', 'comma-separated symbols (default: every active crypto and stablecoin)')
    .option('--venues <list>', 'comma-separated venues: binance,coinbase,kraken (default: all)')
    .option('--for <duration>', 'stop after this long, e.g. 60s, 5m (default: until Ctrl-C)')
    .option('--seed <n>', 'seed of the reconnect jitter', '1')
    .option(
      '--lease-prefix <p>',
      'Redis key prefix of the subscription leases (one per deployment)',
      'marketpipe:',
    )
    .action(async (opts: StreamOpts) => {
      const { isVenue, VENUES } = await import('../../live/protocol.ts');
      const venues = opts.venues === undefined ? [...VENUES] : opts.venues.split(',').map((v) => v.trim());
      const bad = venues.filter((v) => !isVenue(v));
      if (bad.length > 0)
        throw new UsageError(`--venues: unknown venue "${bad[0]}" (have: ${VENUES.join(', ')})`);
      const forMs = opts.for === undefined ? undefined : forDuration(opts.for);
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed))
        throw new UsageError(`--seed: expected a whole number, got "${opts.seed}"`);
      const symbols = opts.symbols
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      // the stream runs for minutes: its config store follows parameter changes (depeg threshold, hold)
      const c = await ctx({ liveConfig: true });
      const { runStream } = await import('../../live/command.ts');
      const { cache, pubsub } = c.runtime;
      const summary = await runStream(
        { ...c, cache, pubsub, config: await c.runtime.config() },
        {
          symbols,
          venues: venues.filter(isVenue),
          forMs,
          seed,
          leasePrefix: opts.leasePrefix,
        },
      );
      c.print(summary, (s) =>
        [
          `${s.trades} trades in ${s.messages} messages, ${s.bars_stored} bars stored, ${s.reconnects} reconnects, ` +
            `${s.gaps_repaired} gaps repaired (${s.gaps_unrepaired} not), ${s.alerts} alerts, ${s.duration_ms} ms`,
          ...s.venues.map(
            (v) =>
              `  ${v.venue}: ${v.connected ? 'connected' : 'down'}, ${v.messages} messages, last ${v.last_message_at ?? '-'}`,
          ),
        ].join('\n'),
      );
    });
}
