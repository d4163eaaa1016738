import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { isNamedRange, NAMED_RANGES, type NamedRange, parseTime } from '../../core/time.ts';
import { INTERVAL_MS, type Interval, isInterval } from '../../core/types.ts';
import type { IngestOptions, IngestSummary } from '../../pipeline/run.ts';
import { rollupBars } from '../../store/repos/bars.ts';
import { listInstruments } from '../../store/repos/instruments.ts';
import type { CommandContext } from '../context.ts';
import { progressBar } from '../progress.ts';
import { formatLoadSummary } from '../summary.ts';
import { formatTable } from '../table.ts';

function parseSource(c: CommandContext, source?: string): string | undefined {
  return source ?? (c.settings.useMockData ? 'synthetic' : undefined);
}

function checkInterval(value?: string): Interval | undefined {
  if (value === undefined) return undefined;
  if (!isInterval(value))
    throw new UsageError(`--interval: unknown interval "${value}" (1m 5m 15m 30m 1h 4h 1d)`);
  return value;
}

/** The pipeline and the providers, loaded when a command runs (each provider brings its client). */
async function pipeline() {
  const [{ recorded }, { runLatest }, { runIngest }] = await Promise.all([
    import('../../jobs/history.ts'),
    import('../../pipeline/latest.ts'),
    import('../../pipeline/run.ts'),
  ]);
  return { recorded, runLatest, runIngest };
}

async function ingest(c: CommandContext, opts: IngestOptions): Promise<IngestSummary> {
  const { recorded, runIngest } = await pipeline();
  const sources = (await c.runtime.sources()).prices;
  if (opts.source && !sources[opts.source]) {
    throw new UsageError(`--source: unknown source "${opts.source}" (${Object.keys(sources).join(', ')})`);
  }
  const bar = progressBar(`ingest ${opts.mode}`, !c.json && Boolean(process.stderr.isTTY));
  const pubsub = c.runtime.pubsub;
  try {
    const summary = await recorded(c.db, `ingest:${opts.mode}`, () =>
      runIngest(c.db, sources, { ...opts, pubsub, onProgress: (d, t, s) => bar.update(d, t, s) }),
    );
    return summary;
  } finally {
    bar.done();
  }
}

function report(c: CommandContext, summary: IngestSummary): void {
  c.print(summary, (s) => {
    const rules = Object.entries(s.quarantined_by_rule)
      .map(([rule, n]) => `${rule}: ${n}`)
      .join(', ');
    return `${s.mode} ${s.interval}: ${s.requested} instruments, fetched ${s.fetched}\n${formatLoadSummary(s)}${rules ? `\nquarantined by rule: ${rules}` : ''}`;
  });
  if (summary.failed > 0 && summary.failed === summary.requested) process.exitCode = 1;
}

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  const cmd = program.command('ingest').description('fetch market data from the providers into the store');

  cmd
    .command('historical <range> [symbols...]')
    .description(
      `daily bars over a named range (${NAMED_RANGES.filter((r) => r !== '1D').join(' ')}), only the missing spans`,
    )
    .option('--source <name>', 'use only this provider')
    .option('--interval <interval>', 'bar interval', '1d')
    .action(async (range: string, symbols: string[], opts: { source?: string; interval?: string }) => {
      if (!isNamedRange(range))
        throw new UsageError(`range: expected one of ${NAMED_RANGES.join(' ')}, got "${range}"`);
      const c = await ctx();
      const summary = await ingest(c, {
        mode: 'historical',
        range: range.toUpperCase() as NamedRange,
        symbols,
        interval: checkInterval(opts.interval),
        source: parseSource(c, opts.source),
      });
      report(c, summary);
    });

  cmd
    .command('daily [symbols...]')
    .description('every instrument from its watermark, with a 2-day overlap')
    .option('--source <name>', 'use only this provider')
    .action(async (symbols: string[], opts: { source?: string }) => {
      const c = await ctx();
      report(c, await ingest(c, { mode: 'daily', symbols, source: parseSource(c, opts.source) }));
    });

  cmd
    .command('hourly [symbols...]')
    .description('the last day of hourly bars')
    .option('--source <name>', 'use only this provider')
    .action(async (symbols: string[], opts: { source?: string }) => {
      const c = await ctx();
      report(c, await ingest(c, { mode: 'hourly', symbols, source: parseSource(c, opts.source) }));
    });

  cmd
    .command('latest [symbols...]')
    .description('latest prices into the store, the cache and the price_updates channel')
    .option('--source <name>', 'use only this provider')
    .action(async (symbols: string[], opts: { source?: string }) => {
      const c = await ctx();
      const { recorded, runLatest } = await pipeline();
      const sources = (await c.runtime.sources()).prices;
      const source = parseSource(c, opts.source);
      if (source && !sources[source]) throw new UsageError(`--source: unknown source "${source}"`);
      const { cache, pubsub } = c.runtime;
      const summary = await recorded(c.db, 'ingest:latest', () =>
        runLatest(c.db, sources, { symbols, source, cache, pubsub }),
      );
      c.print(summary, (s) =>
        [
          `latest: ${s.requested} instruments, stored ${s.stored}, unchanged ${s.unchanged}, quarantined ${s.quarantined}, failed ${s.failed} in ${s.duration_ms} ms`,
          formatTable(s.prices, ['symbol', 'price', 'ts', 'source']),
        ].join('\n'),
      );
      if (summary.failed > 0 && summary.failed === summary.requested) process.exitCode = 1;
    });

  program
    .command('backfill')
    .description('fetch history between two dates (only what is missing)')
    .requiredOption('--start-date <date>', 'first day, YYYY-MM-DD')
    .option('--end-date <date>', 'last day (exclusive), default now')
    .option('--asset <symbols>', 'comma-separated symbols (default: every active instrument)')
    .option('--source <name>', 'use only this provider')
    .option('--interval <interval>', 'bar interval', '1d')
    .action(
      async (opts: {
        startDate: string;
        endDate?: string;
        asset?: string;
        source?: string;
        interval?: string;
      }) => {
        const from = parseTime(opts.startDate, '--start-date');
        const to = opts.endDate ? parseTime(opts.endDate, '--end-date') : undefined;
        if (to !== undefined && to <= from) throw new UsageError('--end-date must be after --start-date');
        const c = await ctx();
        const summary = await ingest(c, {
          mode: 'backfill',
          from,
          to,
          symbols: opts.asset ? opts.asset.split(',').map((s) => s.trim()) : undefined,
          interval: checkInterval(opts.interval),
          source: parseSource(c, opts.source),
        });
        report(c, summary);
      },
    );

  program
    .command('rollup [symbols...]')
    .description(
      'build coarser bars from finer ones (e.g. 1h → 1d), so hourly-only data feeds daily analytics',
    )
    .option('--from <interval>', 'finer interval read', '1h')
    .option('--to <interval>', 'coarser interval written', '1d')
    .option('--start-date <date>', 'first day (default: all stored bars)')
    .option('--end-date <date>', 'last day, exclusive')
    .action(
      async (symbols: string[], opts: { from: string; to: string; startDate?: string; endDate?: string }) => {
        const from = checkInterval(opts.from) ?? '1h';
        const to = checkInterval(opts.to) ?? '1d';
        if (INTERVAL_MS[to] <= INTERVAL_MS[from])
          throw new UsageError(`--to ${to} must be coarser than --from ${from}`);
        const range =
          opts.startDate || opts.endDate
            ? {
                from: opts.startDate ? parseTime(opts.startDate, '--start-date') : 0,
                to: opts.endDate ? parseTime(opts.endDate, '--end-date') : Date.now(),
              }
            : undefined;
        const c = await ctx();
        const list = symbols.length
          ? symbols
          : (await listInstruments(c.db, { active: true }))
              .filter((i) => i.assetClass !== 'economic')
              .map((i) => i.symbol);
        const started = Date.now();
        const instruments: Array<{ symbol: string; stored: number; unchanged: number; error?: string }> = [];
        for (const symbol of list) {
          try {
            instruments.push({ symbol, ...(await rollupBars(c.db, symbol, from, to, range)) });
          } catch (err) {
            instruments.push({ symbol, stored: 0, unchanged: 0, error: (err as Error).message });
          }
        }
        const summary = {
          from,
          to,
          stored: instruments.reduce((a, i) => a + i.stored, 0),
          unchanged: instruments.reduce((a, i) => a + i.unchanged, 0),
          failed: instruments.filter((i) => i.error).length,
          duration_ms: Date.now() - started,
          instruments: instruments.filter((i) => i.stored > 0 || i.error),
        };
        c.print(
          summary,
          (r) =>
            `rollup ${r.from} → ${r.to}: stored ${r.stored}, unchanged ${r.unchanged}, failed ${r.failed} in ${r.duration_ms} ms`,
        );
        if (summary.failed > 0 && summary.failed === list.length) process.exitCode = 1;
      },
    );

  const sources = program.command('sources').description('market data providers');
  sources
    .command('check')
    .description(
      'ask every provider (prices, FRED, NewsAPI, AlphaVantage) for a test answer; exit 1 when a configured one fails',
    )
    .action(async () => {
      const c = await ctx();
      const { checkFailed, checkProviders } = await import('../../pipeline/sources-check.ts');
      const providers = await checkProviders(c.settings, await c.runtime.config(), c.runtime.rateLimiter);
      c.print({ providers }, (r) =>
        formatTable(
          r.providers.map((p) => ({
            provider: p.name,
            ok: p.ok ? 'ok' : p.configured ? 'FAIL' : 'not configured',
            latency_ms: p.configured ? p.latency_ms : '',
            test: p.test_symbol ?? (p.mock ? 'synthetic (USE_MOCK_DATA)' : ''),
            reason: p.error ?? '',
          })),
          ['provider', 'ok', 'latency_ms', 'test', 'reason'],
        ),
      );
      if (checkFailed(providers)) process.exitCode = 1;
    });
}
