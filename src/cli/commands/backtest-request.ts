/**
 * `marketpipe backtest` flags → the backtest request, parsed by the API's contract (loaded when the command
 * runs, so `--help` does not load zod).
 */
import { z } from 'zod';
import { BacktestRunBody } from '../../api/contract/backtests.ts';
import type { runBacktest } from '../../backtest/service.ts';
import { MODEL_KINDS, type ModelKind } from '../../backtest/simulator/models.ts';
import { FILL_MODELS, type FillModel } from '../../backtest/types.ts';
import { UsageError } from '../../core/errors.ts';
import { INTERVALS } from '../../core/types.ts';
import { parseStrategyParams } from '../strategy-params.ts';

export interface BacktestFlags {
  strategy: string;
  symbols: string;
  from?: string;
  to?: string;
  interval: string;
  adjust: string;
  params?: string;
  entry?: string;
  simulate?: string;
  paths: string;
  seed: string;
  block?: string;
  scenario?: string;
  on?: string;
  fill: string;
  cash?: string;
  feeBps?: string;
  feeFixed?: string;
  slippageBps?: string;
  stopLoss?: string;
  takeProfit?: string;
  maxDrawdown?: string;
  maxExposure?: string;
  store: boolean;
}

export function num(
  flag: string,
  value: string | undefined,
  check: (v: number) => boolean = Number.isFinite,
): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === '' || !check(v)) throw new UsageError(`${flag}: invalid value "${value}"`);
  return v;
}

export const positiveInt = (v: number): boolean => Number.isInteger(v) && v > 0;
const fraction = (v: number): boolean => v > 0 && v < 1;
const nonNegative = (v: number): boolean => Number.isFinite(v) && v >= 0;

/**
 * The flags `POST /api/backtests` shares, parsed by its contract (api/contract/backtests.ts). The CLI is wider
 * in three ways: it also loads strategy modules from files, runs on any stored interval and any number of
 * symbols.
 */
const BacktestFlagsRequest = BacktestRunBody.extend({
  strategy: z.string().min(1),
  symbols: z.array(z.string()).min(1, 'give at least one symbol, e.g. --symbols AAPL,MSFT'),
  interval: z.enum(INTERVALS, { error: 'unknown interval' }),
});

/** `value` parsed by `schema`; the first problem is a UsageError naming its flag and the value given. */
function parseFlags<T extends z.ZodType>(schema: T, value: Record<string, unknown>): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = String(issue?.path[0] ?? '');
  const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const given = value[key];
  throw new UsageError(
    `${flag}: ${issue?.message ?? 'invalid value'}${typeof given === 'string' ? `, got "${given}"` : ''}`,
  );
}

/** Turns flags into a request; every usage mistake is a UsageError (exit 2). */
export function requestFromFlags(o: BacktestFlags): Parameters<typeof runBacktest>[1] {
  const params = o.params === undefined ? undefined : parseStrategyParams(o.params);
  const { entry, ...req } = parseFlags(BacktestFlagsRequest, {
    strategy: o.strategy,
    symbols: o.symbols
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    from: o.from,
    to: o.to,
    interval: o.interval,
    adjust: o.adjust,
    params,
    entry: o.entry,
  });
  if (!(FILL_MODELS as readonly string[]).includes(o.fill))
    throw new UsageError(`--fill: expected ${FILL_MODELS.join('|')}, got "${o.fill}"`);
  if (entry !== undefined && req.strategy !== 'ma-crossover')
    throw new UsageError('--entry applies to --strategy ma-crossover only');
  if (o.simulate !== undefined && !(MODEL_KINDS as readonly string[]).includes(o.simulate)) {
    throw new UsageError(`--simulate: expected ${MODEL_KINDS.join('|')}, got "${o.simulate}"`);
  }
  if (o.scenario !== undefined && o.on === undefined)
    throw new UsageError('--scenario needs --on DATE (when the event hits)');
  if (o.on !== undefined && o.scenario === undefined) throw new UsageError('--on needs --scenario NAME');
  return {
    ...req,
    params: entry === undefined ? (req.params ?? {}) : { ...req.params, entry },
    engine: {
      fill: o.fill as FillModel,
      initialCash: num('--cash', o.cash, (v) => v > 0),
      costs: {
        feeBps: num('--fee-bps', o.feeBps, nonNegative) ?? 0,
        feeFixed: num('--fee-fixed', o.feeFixed, nonNegative) ?? 0,
        slippageBps: num('--slippage-bps', o.slippageBps, nonNegative) ?? 0,
      },
      stopLoss: num('--stop-loss', o.stopLoss, fraction),
      takeProfit: num('--take-profit', o.takeProfit, (v) => v > 0),
      maxDrawdown: num('--max-drawdown', o.maxDrawdown, fraction),
    },
    maxExposure: num('--max-exposure', o.maxExposure, (v) => v > 0),
    simulate:
      o.simulate === undefined
        ? undefined
        : {
            model: o.simulate as ModelKind,
            paths: num('--paths', o.paths, positiveInt) ?? 100,
            seed: num('--seed', o.seed, Number.isInteger) ?? 1,
            block: num('--block', o.block, positiveInt),
          },
    scenario: o.scenario === undefined || o.on === undefined ? undefined : { name: o.scenario, on: o.on },
    store: o.store,
  };
}
