/**
 * The dependency rules of .dependency-cruiser.cjs (DESIGN.md's flow) catch a commit that imports against the
 * flow or adds a cycle: depcruise runs with our config on a scratch tree laid out like src/, once with a
 * downward import (clean) and once per kind of violation (each must be reported under its rule name).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'marketpipe-depcruise-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Writes `files` (path → source) into a fresh tree and returns depcruise's violations on its src/. */
async function cruise(name: string, files: Record<string, string>): Promise<Violation[]> {
  const root = join(scratch, name);
  for (const [path, text] of Object.entries({ 'tsconfig.json': '{"compilerOptions":{}}', ...files })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const bin = join(repo, 'node_modules/.bin/depcruise');
  const args = ['src', '--config', join(repo, '.dependency-cruiser.cjs'), '--output-type', 'json'];
  // depcruise exits non-zero when it finds violations; the JSON report is on stdout either way.
  const out = await promisify(execFile)(bin, args, { cwd: root }).catch((err: { stdout?: string }) => ({
    stdout: err.stdout ?? '',
  }));
  const report = JSON.parse(out.stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations;
}

const names = (vs: Violation[]) => vs.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();

describe('dependency rules (DESIGN.md flow)', () => {
  it('accept imports that run down the flow', async () => {
    const vs = await cruise('clean', {
      'src/core/types.ts': 'export type Bar = { close: number };\n',
      'src/store/db.ts': "import type { Bar } from '../core/types.ts';\nexport const rows: Bar[] = [];\n",
      'src/analytics/returns.ts':
        "import type { Bar } from '../core/types.ts';\nexport const r = (b: Bar) => b.close;\n",
      'src/analytics/service.ts':
        "import { rows } from '../store/db.ts';\nimport { r } from './returns.ts';\nexport const all = rows.map(r);\n",
    });
    expect(names(vs)).toEqual([]);
  }, 60_000);

  it('reject analytics math importing store, store importing api, core importing store, src importing test', async () => {
    const vs = await cruise('upward', {
      'src/store/db.ts': "import { app } from '../api/app.ts';\nexport const db = app;\n",
      'src/api/app.ts': 'export const app = 1;\n',
      'src/analytics/returns.ts': "import { db } from '../store/db.ts';\nexport const r = db;\n",
      'src/core/time.ts': "import { db } from '../store/db.ts';\nexport const t = db;\n",
      'src/sources/yahoo.ts':
        "import { fixture } from '../../test/support/fixture.ts';\nexport const y = fixture;\n",
      'test/support/fixture.ts': 'export const fixture = 1;\n',
    });
    expect(names(vs)).toEqual([
      'api-is-an-entry-point: src/store/db.ts → src/api/app.ts',
      'core-imports-only-core: src/core/time.ts → src/store/db.ts',
      'math-not-to-storage-or-entry-points: src/analytics/returns.ts → src/store/db.ts',
      'src-not-to-test: src/sources/yahoo.ts → test/support/fixture.ts',
      'store-not-upward: src/store/db.ts → src/api/app.ts',
    ]);
  }, 60_000);

  it('reject a cycle', async () => {
    const vs = await cruise('cycle', {
      'src/quality/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'src/quality/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
    });
    expect(vs.map((v) => v.rule.name)).toEqual(['no-circular']);
    expect([vs[0]?.from, vs[0]?.to].sort()).toEqual(['src/quality/a.ts', 'src/quality/b.ts']);
  }, 60_000);
});
