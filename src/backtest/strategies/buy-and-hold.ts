import type { Strategy, StrategyFactory } from '../types.ts';

/** Benchmark: equal weights in every symbol from the first step where all have a price, then nothing. */
export const buyAndHold: StrategyFactory = (params = {}) => {
  let done = false;
  const strategy: Strategy = {
    name: 'buy-and-hold',
    params,
    init() {
      done = false;
    },
    onBar(ctx) {
      if (done) return undefined;
      for (const s of ctx.symbols) if (ctx.count(s) === 0) return undefined;
      done = true;
      const w = 1 / ctx.symbols.length;
      return { targets: Object.fromEntries(ctx.symbols.map((s) => [s, w])), reason: 'buy_and_hold' };
    },
  };
  return strategy;
};
