/**
 * Loads a user's strategy module by path, from any folder. A `.js`/`.mjs` file is imported as it is. A
 * TypeScript file (`.ts`, `.mts`, `.cts`) is transpiled here, not left to a loader hook: Node only runs
 * TypeScript through a hook (tsx) or type stripping, and a hook decides ESM or CommonJS from the nearest
 * package.json — so a `.ts` file in a folder that declares no `"type": "module"` failed to load, and without
 * tsx at run time (the CLI runs compiled JavaScript) every `.ts` file would.
 *
 * Transpilers, first available wins, loaded only when a `.ts` strategy is asked for:
 * 1. Node's own `module.stripTypeScriptTypes` (Node ≥ 22.13; `transform` mode, so enums work too);
 * 2. the TypeScript compiler API `transpileModule` (`typescript` ≤ 6, or the `@typescript/typescript6` alias);
 * 3. esbuild's `transformSync`.
 * The output is written as an ES module (`.mjs`) beside the source, so the file's own relative imports of
 * JavaScript modules resolve as written, imported, and removed; a folder we cannot write to falls back to
 * the system temp folder (relative imports then cannot resolve, packages still do).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NotFoundError } from '../../core/errors.ts';

export type Transpiler = 'node-strip-types' | 'typescript' | 'esbuild';

interface Transpiled {
  code: string;
  transpiler: Transpiler;
}

type StripFn = (code: string, options: { mode: 'transform'; sourceMap?: boolean }) => string;
interface TsApi {
  transpileModule(
    code: string,
    options: { compilerOptions: Record<string, unknown>; fileName?: string },
  ): { outputText: string };
  ModuleKind: { ESNext: number };
  ScriptTarget: { ES2022: number };
}
interface EsbuildApi {
  transformSync(
    code: string,
    options: { loader: 'ts'; format: 'esm'; target: string; sourcefile: string },
  ): { code: string };
}

function isTypeScriptPath(file: string): boolean {
  return /\.(ts|mts|cts)$/i.test(file);
}

async function optional<T>(specifier: string): Promise<T | null> {
  try {
    const mod = (await import(specifier)) as { default?: unknown };
    return (mod.default ?? mod) as T;
  } catch {
    return null; // not installed: try the next transpiler
  }
}

/** TypeScript source → ES module JavaScript, with the transpiler that did it. */
export async function transpileTypeScript(source: string, fileName: string): Promise<Transpiled> {
  const nodeModule = (await import('node:module')) as { stripTypeScriptTypes?: StripFn };
  if (typeof nodeModule.stripTypeScriptTypes === 'function') {
    return {
      code: nodeModule.stripTypeScriptTypes(source, { mode: 'transform' }),
      transpiler: 'node-strip-types',
    };
  }
  for (const name of ['typescript', '@typescript/typescript6']) {
    const ts = await optional<Partial<TsApi>>(name);
    if (ts !== null && typeof ts.transpileModule === 'function' && ts.ModuleKind && ts.ScriptTarget) {
      const out = ts.transpileModule(source, {
        fileName,
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          verbatimModuleSyntax: false,
          isolatedModules: true,
        },
      });
      return { code: out.outputText, transpiler: 'typescript' };
    }
  }
  const esbuild = await optional<Partial<EsbuildApi>>('esbuild');
  if (esbuild !== null && typeof esbuild.transformSync === 'function') {
    const out = esbuild.transformSync(source, {
      loader: 'ts',
      format: 'esm',
      target: 'es2022',
      sourcefile: fileName,
    });
    return { code: out.code, transpiler: 'esbuild' };
  }
  throw new NotFoundError(
    `cannot load ${fileName}: no TypeScript transpiler on Node ${process.versions.node} (use Node ≥ 22.13, install typescript@5 or esbuild, or write the strategy as .mjs)`,
  );
}

function writeBeside(file: string, code: string): string {
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const name = `.${basename(file)}.${tag}.mjs`;
  for (const dir of [dirname(file), tmpdir()]) {
    const out = join(dir, name);
    try {
      writeFileSync(out, code, { flag: 'wx' });
      return out;
    } catch {
      // read-only folder: next candidate
    }
  }
  throw new NotFoundError(`cannot write the transpiled strategy ${name} beside ${file} or in ${tmpdir()}`);
}

/** Imports a strategy module (JavaScript as is, TypeScript transpiled) and reports how. */
export async function importStrategyModule(
  file: string,
): Promise<{ module: Record<string, unknown>; transpiler: Transpiler | null }> {
  if (!isTypeScriptPath(file)) {
    return { module: (await import(pathToFileURL(file).href)) as Record<string, unknown>, transpiler: null };
  }
  const { code, transpiler } = await transpileTypeScript(readFileSync(file, 'utf8'), file);
  const out = writeBeside(file, code);
  try {
    return { module: (await import(pathToFileURL(out).href)) as Record<string, unknown>, transpiler };
  } finally {
    rmSync(out, { force: true });
  }
}
