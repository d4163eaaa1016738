import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { FILL_MODELS, type FillModel } from '../../backtest/types.ts';
import { UsageError } from '../../core/errors.ts';
import type { ContextFactory } from '../context.ts';
import { parseStrategyParams } from '../strategy-params.ts';
import { formatTable } from '../table.ts';
import { parseDuration } from './quarantine.ts';

interface TradeRunFlags {
  strategy: string;
  symbols: string;
  broker: string;
  params?: string;
  replay?: string;
  for?: string;
  live?: boolean;
  interval?: string;
  adjust: string;
  fill: string;
  cash?: string;
  feeBps?: string;
  feeFixed?: string;
  slippageBps?: string;
  poll: string;
}

function nonNegative(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag}: invalid value "${v}"`);
  return n;
}

function duration(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(`${flag}: expected a duration like 60s, 5m or 2h, got "${text}"`);
  }
}

export function register(program: Command, ctx: ContextFactory): void {
  const trade = program
    .command('trade')
    .description('run strategies on a broker (paper, binance, alpaca); halt and resume');
  trade
    .command('run')
    .description(
      'run a backtest strategy on stored bars (--replay) or live bars through a broker, behind pre-trade risk',
    )
    .requiredOption('--strategy <name>', 'a backtest strategy name or a path to a .ts module')
    .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. SPY or BTC,ETH')
    .option('--broker <name>', 'paper|binance|alpaca', 'paper')
    .option(
      '--params <k=v,...|json>',
      'strategy parameters as k=v pairs or a JSON object, e.g. fast=10,slow=30 or \'{"fast":10,"slow":30}\'',
    )
    .option('--replay <from..to>', 'replay stored bars between two dates, e.g. 2020-01-01..2020-12-31')
    .option('--for <duration>', 'live: stop after this long, e.g. 60s, 5m (default: until Ctrl-C)')
    .option('--live', 'send orders to an external broker (also needs config trading.live_enabled = true)')
    .option('--interval <interval>', 'bar interval (default 1d in replay, 1m live)')
    .option('--adjust <mode>', 'split/dividend adjustment of replayed bars (as backtest)', 'split')
    .option('--fill <model>', `when orders fill: ${FILL_MODELS.join('|')}`, 'next_open')
    .option('--cash <amount>', 'paper broker: initial cash (default 100000)')
    .option('--fee-bps <bps>', 'paper broker: fee in basis points of notional')
    .option('--fee-fixed <amount>', 'paper broker: fixed fee per fill')
    .option('--slippage-bps <bps>', 'paper broker: slippage in basis points')
    .option('--poll <duration>', 'live: how often new bars are looked for', '5s')
    .action(async (o: TradeRunFlags) => {
      const symbols = o.symbols
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (symbols.length === 0) throw new UsageError('--symbols: give at least one symbol');
      if (!(FILL_MODELS as readonly string[]).includes(o.fill))
        throw new UsageError(`--fill: expected ${FILL_MODELS.join('|')}, got "${o.fill}"`);
      const params = o.params === undefined ? {} : parseStrategyParams(o.params);
      const initialCash = nonNegative('--cash', o.cash);
      const costs = {
        feeBps: nonNegative('--fee-bps', o.feeBps) ?? 0,
        feeFixed: nonNegative('--fee-fixed', o.feeFixed) ?? 0,
        slippageBps: nonNegative('--slippage-bps', o.slippageBps) ?? 0,
      };
      const forMs = o.for === undefined ? undefined : duration('--for', o.for);
      const pollMs = duration('--poll', o.poll);
      let replayText: { from: string; to: string } | undefined;
      if (o.replay !== undefined) {
        const [from, to, extra] = o.replay.split('..');
        if (from === undefined || to === undefined || extra !== undefined || from === '' || to === '')
          throw new UsageError(`--replay: expected FROM..TO, e.g. 2020-01-01..2020-12-31, got "${o.replay}"`);
        replayText = { from, to };
      }
      const [{ INTERVALS }, { isAdjustMode }, { resolveRange }] = await Promise.all([
        import('../../core/types.ts'),
        import('../../analytics/adjust.ts'),
        import('../../store/repos/bars.ts'),
      ]);
      if (o.interval !== undefined && !(INTERVALS as readonly string[]).includes(o.interval))
        throw new UsageError(`--interval: expected ${INTERVALS.join('|')}, got "${o.interval}"`);
      if (!isAdjustMode(o.adjust)) throw new UsageError(`--adjust: unknown mode "${o.adjust}"`);
      let replay: { from: number; to: number } | undefined;
      try {
        replay = replayText === undefined ? undefined : resolveRange(replayText, Date.now());
      } catch (err) {
        throw new UsageError(`--replay: ${(err as Error).message}`, { cause: err });
      }
      const c = await ctx({ liveConfig: replay === undefined });
      const [{ createBroker }, { runTrade }] = await Promise.all([
        import('../../execution/brokers.ts'),
        import('../../execution/runner.ts'),
      ]);
      const config = await c.runtime.config();
      const broker = await createBroker(o.broker, {
        settings: c.settings,
        log: c.log,
        symbols,
        initialCash,
        costs,
        // as the runner decides: orders reach a real venue only with --live and trading.live_enabled
        dryRun: !(o.live === true && config.getBool('trading', 'live_enabled', false)),
      });
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      try {
        const out = await runTrade(
          { db: c.db, config, log: c.log, broker, pubsub: c.runtime.pubsub },
          {
            strategy: o.strategy,
            symbols,
            params,
            interval: o.interval as (typeof INTERVALS)[number] | undefined,
            adjust: o.adjust,
            engine: { fill: o.fill as FillModel, initialCash, costs },
            replay,
            forMs,
            live: o.live === true,
            pollMs,
            signal: abort.signal,
          },
        );
        c.print(out, (r) =>
          [
            `${r.strategy} on ${r.symbols.join(',')} via ${r.broker} (${r.mode}${r.dry_run ? ', dry run' : ''}), ${r.bars} bars ${r.from ?? '-'} → ${r.to ?? '-'}`,
            `${r.orders} orders: ${r.filled} filled, ${r.rejected} rejected, ${r.duplicates} already stored; ${r.fills.length} fills, ${r.trades.length} closed trades; equity ${r.final_equity.toFixed(2)}`,
            ...r.rejections
              .slice(0, 10)
              .map((x) => `  rejected ${x.client_order_id} ${x.symbol}: ${x.rule} (${x.message})`),
            ...(r.halted ? [`halted (${r.halted.scope}): ${r.halted.reason}`] : []),
            `run ${r.run_id} (${r.duration_ms} ms)`,
          ].join('\n'),
        );
      } finally {
        process.off('SIGINT', stop);
        await broker.close();
      }
    });

  trade
    .command('halt')
    .description('kill switch: refuse every new order (all strategies, or one with --strategy)')
    .option('--reason <text>', 'why', 'manual halt')
    .option('--strategy <name>', 'halt only this strategy')
    .action(async (o: { reason: string; strategy?: string }) => {
      const c = await ctx();
      const { haltTrading } = await import('../../execution/service.ts');
      const out = await haltTrading(c.db, {
        reason: o.reason,
        strategy: o.strategy,
        actor: `cli:${userInfo().username}`,
      });
      c.print(out, (r) => `trading halted (${r.scope}): ${r.reason}`);
    });

  trade
    .command('resume')
    .description('lift the kill switch (global, or one strategy with --strategy)')
    .option('--strategy <name>', 'resume only this strategy')
    .action(async (o: { strategy?: string }) => {
      const c = await ctx();
      const { resumeTrading } = await import('../../execution/service.ts');
      const out = await resumeTrading(c.db, { strategy: o.strategy, actor: `cli:${userInfo().username}` });
      c.print(out, (r) =>
        r.resumed ? `trading resumed (${r.scope})` : `trading was not halted (${r.scope})`,
      );
    });

  program
    .command('orders')
    .description('stored orders, newest first')
    .option('--status <status>', 'new|accepted|partially_filled|filled|cancelled|rejected|expired')
    .option('--limit <n>', 'how many', '100')
    .action(async (o: { status?: string; limit: string }) => {
      const { ORDER_STATUSES } = await import('../../execution/broker.ts');
      if (o.status !== undefined && !(ORDER_STATUSES as readonly string[]).includes(o.status))
        throw new UsageError(`--status: expected ${ORDER_STATUSES.join('|')}, got "${o.status}"`);
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--limit: invalid value "${o.limit}"`);
      const c = await ctx();
      const { listOrders } = await import('../../store/repos/execution.ts');
      const orders = await listOrders(c.db, {
        status: o.status as (typeof ORDER_STATUSES)[number] | undefined,
        limit,
      });
      c.print({ orders: orders.map(publicOrder) }, (r) =>
        r.orders.length === 0
          ? 'no orders'
          : formatTable(
              r.orders.map((x) => ({
                id: x.id,
                created: x.created_at,
                broker: x.broker,
                symbol: x.symbol,
                side: x.side,
                qty: x.qty,
                status: x.status,
                filled: x.filled_qty,
                avg_price: x.avg_price ?? '-',
                reason: x.reason ?? '',
              })),
              ['id', 'created', 'broker', 'symbol', 'side', 'qty', 'status', 'filled', 'avg_price', 'reason'],
            ),
      );
    });

  program
    .command('positions')
    .description('positions per broker, at the latest stored close')
    .action(async () => {
      const c = await ctx();
      const { listPositions } = await import('../../store/repos/execution.ts');
      const positions = (await listPositions(c.db)).map((p) => ({
        broker: p.broker,
        symbol: p.symbol,
        qty: p.qty,
        avg_price: p.avg_price,
        market_value: p.market_value,
        unrealized_pnl: p.unrealized_pnl,
      }));
      c.print({ positions }, (r) =>
        r.positions.length === 0
          ? 'no positions'
          : formatTable(
              r.positions.map((p) => ({
                ...p,
                market_value: p.market_value ?? '-',
                unrealized_pnl: p.unrealized_pnl ?? '-',
              })),
              ['broker', 'symbol', 'qty', 'avg_price', 'market_value', 'unrealized_pnl'],
            ),
      );
    });
}

/** The fields `orders --json` promises (issue 21), in that order. */
function publicOrder(o: {
  id: number;
  client_order_id: string;
  broker: string;
  symbol: string;
  side: string;
  type: string;
  qty: number;
  limit_price: number | null;
  status: string;
  filled_qty: number;
  avg_price: number | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
}) {
  return {
    id: o.id,
    client_order_id: o.client_order_id,
    broker: o.broker,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    qty: o.qty,
    limit_price: o.limit_price,
    status: o.status,
    filled_qty: o.filled_qty,
    avg_price: o.avg_price,
    reason: o.reason,
    created_at: o.created_at,
    updated_at: o.updated_at,
  };
}
