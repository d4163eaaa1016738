import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveStrategy } from '../../src/backtest/strategies/index.ts';
import { transpileTypeScript } from '../../src/backtest/strategies/load-module.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

// A folder with no package.json anywhere above it that declares ES modules (the system temp folder).
const dir = mkdtempSync(join(tmpdir(), 'mp-strategy-'));
const file = join(dir, 'my-strategy.ts');
writeFileSync(
  file,
  `import type { Strategy, StrategyContext } from 'marketpipe-types-that-do-not-exist';
interface Params { weight?: number }
enum Side { Long = 1, Flat = 0 }
export default (params: Params = {}): Strategy => ({
  name: 'mine',
  params,
  onBar(ctx: StrategyContext) {
    const w: number = (params.weight ?? 1) * Side.Long;
    return { targets: { [ctx.symbols[0] as string]: w } };
  },
});
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a .ts strategy module loads from any folder', () => {
  it('in this process: transpiled, type-only imports and enums handled, no file left behind', async () => {
    const { factory, kind } = await resolveStrategy(file);
    expect(kind).toBe('module');
    const s = factory({ weight: 0.5 });
    expect(s.name).toBe('mine');
    expect(readdirSync(dir)).toEqual(['my-strategy.ts']);
  });

  it('in a Node process set up as the CLI runs (tsx hook registered): the folder declares no ES modules', async () => {
    const script = `
      import { register } from 'tsx/esm/api';
      register();
      const { resolveStrategy } = await import(${JSON.stringify(join(root, 'src/backtest/strategies/index.ts'))});
      const { factory } = await resolveStrategy(${JSON.stringify(file)});
      const s = factory({ weight: 0.25 });
      console.log(JSON.stringify({ name: s.name, action: s.onBar({ symbols: ['BTC'] }) }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({ name: 'mine', action: { targets: { BTC: 0.25 } } });
  }, 60_000);

  it('names the transpiler it used', async () => {
    const out = await transpileTypeScript('export const x: number = 1;', 'x.ts');
    expect(['node-strip-types', 'typescript', 'esbuild']).toContain(out.transpiler);
    expect(out.code).toMatch(/export const x = 1/);
  });
});
