import { describe, expect, it } from 'vitest';
import { STRATEGIES as ENGINE } from '../../src/backtest/strategies/index.ts';
import { defaultParams, STRATEGIES } from '../../web/src/lib/strategies.ts';

/** The Backtests page's strategy list (web/src/lib/strategies.ts) against the engine's registry. */
describe('dashboard strategy list', () => {
  it('offers every built-in strategy and no other', () => {
    expect(STRATEGIES.map((s) => s.name).sort()).toEqual(Object.keys(ENGINE).sort());
  });

  it('lists defaults each strategy accepts (its Params reader throws on a wrong type or value)', () => {
    for (const info of STRATEGIES) {
      const factory = ENGINE[info.name];
      expect(factory, info.name).toBeDefined();
      expect(() => factory?.(defaultParams(info)), info.name).not.toThrow();
      // A wrong type for a listed parameter is refused: the key is one the strategy really reads.
      for (const p of info.params) {
        const wrong = p.kind === 'bool' ? 'yes' : p.kind === 'choice' ? 'nope' : 'x';
        expect(
          () => factory?.({ ...defaultParams(info), [p.key]: wrong }),
          `${info.name}.${p.key}`,
        ).toThrow();
      }
    }
  });
});
