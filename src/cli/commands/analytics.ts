/**
 * `marketpipe analytics …`: volatility metrics, correlations, best pairs, depegs, indicators, all.
 * Each computes from the stored data, writes its results idempotently unless `--dry-run`, and prints a
 * table or (with `--json`) the shapes of DESIGN.md.
 */
import type { Command } from 'commander';
import { ADJUST_MODES, isAdjustMode } from '../../analytics/adjust.ts';
import { UsageError } from '../../core/errors.ts';
import { parseTime } from '../../core/time.ts';
import { type Interval, isInterval } from '../../core/types.ts';
import type { CommandContext } from '../context.ts';
import { type LimitFlags, limitHelp, limitRows, omittedLine, parseRowLimit } from '../limit.ts';
import { formatTable } from '../table.ts';

function interval(value: string): Interval {
  if (!isInterval(value))
    throw new UsageError(`--interval: unknown interval "${value}" (1m 5m 15m 30m 1h 4h 1d)`);
  return value;
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag}: expected a positive whole number, got "${value}"`);
  return n;
}

/** A correlation window: 2–3650 days, as the API's `window` (src/api/routes/common.ts windowQuery). */
function windowDays(flag: string, value: string): number {
  const n = positiveInt(flag, value);
  if (n < 2 || n > 3650) throw new UsageError(`${flag}: expected 2 to 3650 days, got ${n}`);
  return n;
}

function time(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseTime(value, flag);
  } catch (err) {
    throw new UsageError(`${flag}: cannot read "${value}" as a date or time`, { cause: err });
  }
}

function list(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

const fmt = (x: number | null | undefined, digits = 4): string =>
  x === null || x === undefined ? '—' : x.toFixed(digits);
const hours = (s: number | null): string => (s === null ? '—' : `${(s / 3600).toFixed(1)} h`);

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  const cmd = program
    .command('analytics')
    .description('indicators, volatility, correlations, best pairs and depeg events from the stored data');

  cmd
    .command('volatility')
    .description('HV 20/50, SMA 15/30/50, Bollinger(20, 2) and ATR(14) per bar → derived.volatility_metrics')
    .argument('[symbols...]', 'instruments (default: every active one)')
    .option('--interval <i>', 'bar interval', '1d')
    .option('--full', 'rewrite every row (default: from the newest stored row on, unless older bars changed)')
    .option('--dry-run', 'compute without writing')
    .action(async (symbols: string[], o: { interval: string; full?: boolean; dryRun?: boolean }) => {
      const iv = interval(o.interval);
      const c = await ctx();
      const { computeVolatility } = await import('../../analytics/service.ts');
      const r = await computeVolatility(c.db, {
        symbols: list(symbols),
        interval: iv,
        full: o.full,
        dryRun: o.dryRun,
      });
      c.print(r, (x) => {
        const rows = x.instruments.map((i) => ({
          symbol: i.symbol,
          bars: i.bars,
          ts: String(i.latest.ts),
          hv_20: fmt(i.latest.hv_20 as number | null),
          hv_50: fmt(i.latest.hv_50 as number | null),
          sma_50: fmt(i.latest.sma_50 as number | null, 2),
          atr_14: fmt(i.latest.atr_14 as number | null),
          written: i.written,
        }));
        const errors = x.errors.map((e) => `error ${e.symbol}: ${e.error}`);
        return [
          formatTable(rows, ['symbol', 'bars', 'ts', 'hv_20', 'hv_50', 'sma_50', 'atr_14', 'written']),
          ...errors,
        ].join('\n');
      });
      if (r.errors.length > 0) process.exitCode = 1;
    });

  cmd
    .command('correlations')
    .description('Pearson ρ of daily log returns over a window → derived.asset_correlations')
    .option('--window <days>', 'window in calendar days', '90')
    .option('--as-of <date>', 'end of the window (default: now)')
    .option('--assets <symbols...>', 'only these instruments (comma or space separated)')
    .option('--forward-fill', 'carry the last price over missing days instead of an inner join')
    .option('--dry-run', 'compute without writing')
    .option('--limit <n>', limitHelp('pairs'))
    .option('--all', 'print every pair')
    .action(
      async (
        o: {
          window: string;
          asOf?: string;
          assets?: string[];
          forwardFill?: boolean;
          dryRun?: boolean;
        } & LimitFlags,
      ) => {
        const window = windowDays('--window', o.window);
        const asked = parseRowLimit(o);
        const asOf = time('--as-of', o.asOf);
        const c = await ctx();
        const { computeCorrelations } = await import('../../analytics/service.ts');
        // 30 and 90 days are computed together so the regime change (30 d vs 90 d) comes along.
        const windows = window === 30 || window === 90 ? [30, 90] : [window];
        const r = await computeCorrelations(c.db, {
          windows,
          asOf,
          assets: list(o.assets),
          forwardFill: o.forwardFill,
          dryRun: o.dryRun,
        });
        const w = r.windows.find((x) => x.window_days === window);
        const shown = limitRows(w?.pairs ?? [], asked, c.json);
        const result = {
          window_days: window,
          as_of: w?.as_of ?? null,
          pairs_total: w?.pairs.length ?? 0,
          pairs: shown.rows,
          contagion: w?.contagion ?? null,
          regime_changes: r.regime_changes,
          validation_errors: w?.validation_errors ?? [],
          errors: r.errors,
        };
        c.print(result, (x) => {
          const rows = x.pairs.map((p) => ({
            ...p,
            correlation: fmt(p.correlation, 3),
            risk_level: p.risk_level ?? '—',
          }));
          const lines = [
            `${x.window_days}-day correlations as of ${x.as_of} (${x.pairs_total} pairs)`,
            formatTable(rows, ['asset_1', 'asset_2', 'correlation', 'data_points', 'risk_level']),
          ];
          if (shown.omitted > 0) lines.push(omittedLine(shown.omitted, 'pairs'));
          if (x.contagion?.overall) {
            lines.push(
              `contagion: ${x.contagion.overall} (average ρ ${fmt(x.contagion.average_correlation, 3)})`,
            );
          }
          for (const g of x.regime_changes) {
            lines.push(
              `regime change ${g.asset_1}/${g.asset_2}: 30 d ${fmt(g.short_correlation, 2)} vs 90 d ${fmt(g.long_correlation, 2)} (${g.direction})`,
            );
          }
          for (const e of [...x.validation_errors, ...x.errors.map((e) => `${e.symbol}: ${e.error}`)])
            lines.push(`error ${e}`);
          return lines.join('\n');
        });
        if (result.validation_errors.length > 0 || r.errors.length > 0) process.exitCode = 1;
      },
    );

  cmd
    .command('best-pairs')
    .description(
      'pairs for diversification by category (negative, uncorrelated, moderate, high) → derived.best_pairs',
    )
    .option('--window <days>', 'correlation window in days', '90')
    .option('--limit <n>', 'pairs per category', '10')
    .option('--as-of <date>', 'recompute correlations as of this date (default: the stored ones, else now)')
    .option('--dry-run', 'compute without writing')
    .action(async (o: { window: string; limit: string; asOf?: string; dryRun?: boolean }) => {
      const days = windowDays('--window', o.window);
      const limit = positiveInt('--limit', o.limit);
      const asOf = time('--as-of', o.asOf);
      const c = await ctx();
      const { computeBestPairs } = await import('../../analytics/service.ts');
      const r = await computeBestPairs(c.db, { windowDays: days, limit, asOf, dryRun: o.dryRun });
      c.print(r, (x) =>
        x.pairs.length === 0
          ? `no correlations with a value for ${x.window_days} days (run: marketpipe analytics correlations)`
          : formatTable(
              x.pairs.map((p) => ({ ...p, correlation: fmt(p.correlation, 3) })),
              ['category', 'rank', 'asset_1', 'asset_2', 'correlation', 'reason'],
            ),
      );
    });

  cmd
    .command('depegs')
    .description('depeg events of pegged assets (price below peg × (1 − threshold)) → derived.depeg_events')
    .option('--asset <symbol>', 'one instrument')
    .option('--since <date>', 'only events under way or ended since')
    .option('--threshold <fraction>', 'fraction below the peg that starts an event', '0.01')
    .option('--dry-run', 'compute without writing')
    .action(async (o: { asset?: string; since?: string; threshold: string; dryRun?: boolean }) => {
      const threshold = Number(o.threshold);
      if (!(threshold > 0 && threshold < 1))
        throw new UsageError(`--threshold: expected a fraction in (0, 1), got "${o.threshold}"`);
      const since = time('--since', o.since);
      const c = await ctx();
      const { detectDepegEvents } = await import('../../analytics/service.ts');
      const r = await detectDepegEvents(c.db, { asset: o.asset, since, threshold, dryRun: o.dryRun });
      c.print(r, (x) => {
        const rows = x.events.map((e) => ({
          asset: e.asset,
          start: e.start,
          end: e.end ?? 'ongoing',
          min_price: fmt(e.min_price, 4),
          min_price_at: e.min_price_at,
          duration: hours(e.duration_seconds),
          recovery: hours(e.recovery_time_seconds),
          severity: fmt(e.severity_score, 2),
        }));
        const errors = x.errors.map((e) => `error ${e.symbol}: ${e.error}`);
        return [
          `${x.events.length} depeg event(s)`,
          formatTable(rows, [
            'asset',
            'start',
            'end',
            'min_price',
            'min_price_at',
            'duration',
            'recovery',
            'severity',
          ]),
          ...errors,
        ].join('\n');
      });
      if (r.errors.length > 0) process.exitCode = 1;
    });

  cmd
    .command('indicators')
    .description('indicator columns per bar (SMA, EMA, RSI, MACD, Bollinger, ATR, HV); null during warm-up')
    .argument('<symbol>', 'instrument')
    .option('--interval <i>', 'bar interval', '1d')
    .option('--from <date>', 'first bar (warm-up uses earlier bars)')
    .option('--to <date>', 'last bar (a date includes that day)')
    .option('--indicators <spec>', 'extra columns, e.g. sma:50,ema:12,rsi:7,hv:50,atr:10')
    .option('--dry-run', 'do not store the volatility metrics of the symbol')
    .option('--adjust <mode>', `price adjustment (${ADJUST_MODES.join('|')})`, 'raw')
    .action(
      async (
        symbol: string,
        o: {
          interval: string;
          from?: string;
          to?: string;
          indicators?: string;
          dryRun?: boolean;
          adjust: string;
        },
      ) => {
        const iv = interval(o.interval);
        if (!isAdjustMode(o.adjust))
          throw new UsageError(`--adjust: expected one of ${ADJUST_MODES.join(', ')}, got "${o.adjust}"`);
        const adjust = o.adjust;
        const { resolveRange } = await import('../../store/repos/bars.ts');
        let range: { from: number; to: number };
        try {
          range = resolveRange({ from: o.from, to: o.to }, Date.now() + 1);
        } catch (err) {
          throw new UsageError(`--from/--to: ${err instanceof Error ? err.message : String(err)}`, {
            cause: err,
          });
        }
        const c = await ctx();
        const { computeIndicators } = await import('../../analytics/service.ts');
        const r = await computeIndicators(c.db, symbol, {
          interval: iv,
          from: o.from === undefined ? undefined : range.from,
          to: o.to === undefined ? undefined : range.to,
          extra: o.indicators,
          dryRun: o.dryRun,
          adjust,
        });
        c.print(r, (x) => {
          const rows = x.rows
            .slice(-30)
            .map((row) =>
              Object.fromEntries(
                Object.entries(row).map(([k, v]) => [
                  k,
                  typeof v === 'number' ? fmt(v, k === 'close' ? 2 : 4) : (v ?? '—'),
                ]),
              ),
            );
          const columns = Object.keys(rows[0] ?? {});
          const more = x.rows.length > 30 ? `(last 30 of ${x.rows.length} bars; --json for all)\n` : '';
          return `${more}${formatTable(rows, columns)}`;
        });
      },
    );

  cmd
    .command('all')
    .description('run every analytics step (volatility, correlations, best pairs, depegs)')
    .option('--as-of <date>', 'end of the correlation windows (default: now)')
    .option('--dry-run', 'compute without writing')
    .action(async (o: { asOf?: string; dryRun?: boolean }) => {
      const asOf = time('--as-of', o.asOf);
      const c = await ctx();
      const { runAnalyticsAndPublish } = await import('../../analytics/alerts-service.ts');
      // Like the scheduled jobs: alerts go out and stale cached matrices are dropped (Redis when configured).
      const rt = c.runtime;
      const deps = { config: await rt.config(), pubsub: rt.pubsub, cache: rt.cache };
      const r = await runAnalyticsAndPublish(c.db, deps, { asOf, dryRun: o.dryRun });
      c.print(r, (x) =>
        [
          `volatility: ${x.volatility.instruments} instruments, ${x.volatility.rows} bars`,
          ...x.correlations.map(
            (w) =>
              `correlations ${w.window_days} d: ${w.with_value}/${w.pairs} pairs with a value, contagion ${w.overall ?? '—'}`,
          ),
          `regime changes: ${x.regime_changes} · best pairs: ${x.best_pairs}`,
          `depeg events: ${x.depegs.events.length}${x.depegs.events.map((e) => `\n  ${e.asset} ${e.start} min ${fmt(e.min_price, 4)}`).join('')}`,
          ...x.errors.map((e) => `error ${e.symbol} (${e.step}): ${e.error}`),
          `${x.duration_ms} ms`,
        ].join('\n'),
      );
      if (r.errors.length > 0) process.exitCode = 1;
    });
}
