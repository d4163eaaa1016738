/**
 * The built-in backtest strategies (src/backtest/strategies) with their parameters and defaults, as the
 * Backtests page offers them. test/web/strategies.test.ts checks this list against the engine's registry
 * (same names; every default accepted by the strategy).
 */

type ParamKind = 'int' | 'num' | 'bool' | 'choice';

interface StrategyParam {
  key: string;
  kind: ParamKind;
  default: number | boolean | string;
  /** For `choice`. */
  options?: readonly string[];
  help: string;
}

export interface StrategyInfo {
  name: string;
  /** Symbols the strategy trades: exactly this many, or `null` for "one or more". */
  symbols: number | null;
  /** Symbols to suggest (they are in the demo universe). */
  example: string;
  summary: string;
  params: readonly StrategyParam[];
}

const ENTRY_EXIT: readonly StrategyParam[] = [
  { key: 'entry', kind: 'num', default: 2, help: 'z-score that opens a position' },
  { key: 'exit', kind: 'num', default: 0.5, help: '|z| below which it closes' },
  { key: 'gross', kind: 'num', default: 1, help: 'gross exposure as a fraction of equity' },
];

export const STRATEGIES: readonly StrategyInfo[] = [
  {
    name: 'ma-crossover',
    symbols: 1,
    example: 'BTC',
    summary: 'Long while the fast SMA of the close is above the slow SMA; flat (or short) below.',
    params: [
      { key: 'fast', kind: 'int', default: 10, help: 'fast SMA, bars' },
      { key: 'slow', kind: 'int', default: 30, help: 'slow SMA, bars' },
      { key: 'short', kind: 'bool', default: false, help: 'go short while fast < slow' },
    ],
  },
  {
    name: 'mean-reversion',
    symbols: 1,
    example: 'ETH',
    summary: 'Buys below the lower Bollinger band (or RSI below `lower`), exits back at the mean.',
    params: [
      { key: 'mode', kind: 'choice', default: 'bollinger', options: ['bollinger', 'rsi'], help: 'signal' },
      { key: 'window', kind: 'int', default: 20, help: 'Bollinger window, bars' },
      { key: 'k', kind: 'num', default: 2, help: 'Bollinger width, σ' },
      { key: 'period', kind: 'int', default: 14, help: 'RSI period, bars' },
      { key: 'lower', kind: 'num', default: 30, help: 'RSI buy level' },
      { key: 'upper', kind: 'num', default: 70, help: 'RSI exit level' },
      { key: 'short', kind: 'bool', default: false, help: 'also trade the mirror image short' },
    ],
  },
  {
    name: 'buy-and-hold',
    symbols: null,
    example: 'SPY',
    summary: 'Equal weights in every symbol from the first bar where all have a price (the benchmark).',
    params: [],
  },
  {
    name: 'pair-trade',
    symbols: 2,
    example: 'BTC,ETH',
    summary: 'Trades the z-score of the log spread of two symbols over `lookback` bars.',
    params: [{ key: 'lookback', kind: 'int', default: 60, help: 'z-score window, bars' }, ...ENTRY_EXIT],
  },
  {
    name: 'switch',
    symbols: null,
    example: 'SPY,AAPL,BTC',
    summary:
      'Momentum rotation: every `every` bars, holds the `top` symbols with the best `lookback` return.',
    params: [
      { key: 'lookback', kind: 'int', default: 60, help: 'momentum window, bars' },
      { key: 'every', kind: 'int', default: 21, help: 'rebalance every, bars' },
      { key: 'top', kind: 'int', default: 1, help: 'symbols held' },
      { key: 'absolute', kind: 'bool', default: false, help: 'cash instead of negative momentum' },
    ],
  },
  {
    name: 'fly',
    symbols: 3,
    example: 'USDC,USDT,DAI',
    summary: 'A 1 : −2 : 1 butterfly of three related assets, traded on the z-score of its value.',
    params: [{ key: 'lookback', kind: 'int', default: 40, help: 'z-score window, bars' }, ...ENTRY_EXIT],
  },
];

/** Default parameter values of a strategy, as the API's `params` object. */
export function defaultParams(info: StrategyInfo): Record<string, number | boolean | string> {
  return Object.fromEntries(info.params.map((p) => [p.key, p.default]));
}
