import { isAbsolute, resolve } from 'node:path';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { Strategy, StrategyFactory } from '../types.ts';
import { buyAndHold } from './buy-and-hold.ts';
import { fly } from './fly.ts';
import { importStrategyModule } from './load-module.ts';
import { maCrossover } from './ma-crossover.ts';
import { meanReversion } from './mean-reversion.ts';
import { pairTrade } from './pair-trade.ts';
import { switchStrategy } from './switch.ts';

/** Built-in strategies by the name users type. */
export const STRATEGIES: Readonly<Record<string, StrategyFactory>> = Object.freeze({
  'buy-and-hold': buyAndHold,
  'ma-crossover': maCrossover,
  'mean-reversion': meanReversion,
  'pair-trade': pairTrade,
  switch: switchStrategy,
  fly,
});

export type StrategyKind = 'builtin' | 'module';

function isStrategy(v: unknown): v is Strategy {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Strategy).onBar === 'function' &&
    typeof (v as Strategy).name === 'string'
  );
}

/** Looks like a module path rather than a built-in name. */
function isStrategyPath(nameOrPath: string): boolean {
  return /[\\/]/.test(nameOrPath) || /\.(ts|mts|js|mjs)$/.test(nameOrPath);
}

/**
 * A factory for a built-in name, or for a user module loaded by path (dynamic import). The module exports
 * (default or `strategy`) either a factory `(params) => Strategy` or a Strategy object (which must then
 * reset its own state in `init`).
 */
export async function resolveStrategy(
  nameOrPath: string,
  cwd = process.cwd(),
): Promise<{ factory: StrategyFactory; kind: StrategyKind }> {
  const builtin = STRATEGIES[nameOrPath];
  if (builtin !== undefined) return { factory: builtin, kind: 'builtin' };
  if (!isStrategyPath(nameOrPath)) {
    throw new NotFoundError(
      `unknown strategy ${nameOrPath} (built-in: ${Object.keys(STRATEGIES).join(', ')}; or a path to a .ts module)`,
    );
  }
  const file = isAbsolute(nameOrPath) ? nameOrPath : resolve(cwd, nameOrPath);
  let mod: Record<string, unknown>;
  try {
    mod = (await importStrategyModule(file)).module;
  } catch (cause) {
    const why = cause instanceof Error ? `: ${cause.message.split('\n')[0]}` : '';
    throw new NotFoundError(`cannot load strategy module ${file}${why}`, { cause });
  }
  const exported = mod.default ?? mod.strategy ?? mod.create;
  if (typeof exported === 'function') {
    const factory = exported as StrategyFactory;
    return {
      factory: (params) => {
        const s = factory(params);
        if (!isStrategy(s))
          throw new ValidationError(`${file}: factory did not return a strategy ({ name, params, onBar })`);
        return s;
      },
      kind: 'module',
    };
  }
  if (isStrategy(exported)) return { factory: () => exported, kind: 'module' };
  throw new ValidationError(
    `${file} must export (default or 'strategy') a strategy ({ name, params, onBar }) or a factory`,
  );
}
