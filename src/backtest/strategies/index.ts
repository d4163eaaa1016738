import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { Strategy, StrategyFactory } from '../types.ts';
import { buyAndHold } from './buy-and-hold.ts';
import { fly } from './fly.ts';
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
export function isStrategyPath(nameOrPath: string): boolean {
  return /[\\/]/.test(nameOrPath) || /\.(ts|mts|js|mjs)$/.test(nameOrPath);
}

/**
 * Imports a user module. A `.ts` file loads natively where Node strips types (22.18+, 24); on older Node the
 * compiled CLI falls back to tsx (a development dependency, present after `npm ci`), loaded only then.
 */
async function importModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (!/\.[cm]?ts$/.test(file) || code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    const { tsImport } = await import('tsx/esm/api').catch((cause: unknown) => {
      throw new NotFoundError(`${file}: a .ts strategy needs Node 22.18 or later, or the tsx package`, {
        cause,
      });
    });
    const mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    // A `.ts` file outside an ESM package is compiled as CommonJS: its exports arrive under `default`.
    const inner = mod.default as { __esModule?: unknown } | undefined;
    return inner?.__esModule === true ? (inner as Record<string, unknown>) : mod;
  }
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
    mod = await importModule(file);
  } catch (cause) {
    throw new NotFoundError(`cannot load strategy module ${file}`, { cause });
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
