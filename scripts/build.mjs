#!/usr/bin/env node
/**
 * Compiles src/ to dist/ (what `bin` runs): `npm run build`, and `prepare`, so `npm ci` builds it.
 *
 * TypeScript 7 (the `typescript` package, native) emits with `--noCheck`: type errors are `npm run
 * typecheck`'s job, so the build takes ~2 s and only fails on syntax. It is called by path because
 * `node_modules/.bin/tsc` may be TypeScript 6 (`@typescript/old`, installed for vue-tsc, also names its
 * binary `tsc`). Files the code reads next to itself are copied (SQL migrations, .mjs worker entries); files it reads from the
 * repository root (universe/, samples/, web/dist) resolve from dist/ as from src/, one level down.
 *
 * `--web` (what `prepare` passes) also writes the empty-store template (src/store/template.ts) and builds the dashboard (web/dist, vite, ~5 s) when it is missing or older
 * than its sources, so the first `npm start` after `npm ci` does not spend that time before it is ready. A
 * failed dashboard build only warns: `npm start` builds it then, and the API works without it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');

// A file deleted from src/ must not live on in dist/.
rmSync(join(root, 'dist'), { recursive: true, force: true });
const run = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--noCheck'], {
  stdio: 'inherit',
});
if (run.status !== 0) process.exit(run.status ?? 1);
cpSync(join(root, 'src', 'store', 'migrations'), join(root, 'dist', 'store', 'migrations'), {
  recursive: true,
  filter: (src) => !src.endsWith('.ts'),
});
// Plain JavaScript the code loads beside itself (worker entry points such as chat/executor/pglite-worker.mjs):
// tsc does not emit .mjs sources, and without them the chat executor on the embedded store cannot start.
for (const file of readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('.mjs')) cpSync(join(root, 'src', file), join(root, 'dist', file));
}
// The bin runs by its shebang when called by path.
chmodSync(join(root, 'dist', 'cli', 'bin.js'), 0o755);

if (process.argv.includes('--web')) {
  const [{ ensureStoreTemplate }, { ensureWebBuilt }] = await Promise.all([
    import(join(root, 'dist', 'store', 'template.js')),
    import(join(root, 'dist', 'api', 'static.js')),
  ]);
  // Both at once: the dashboard is a vite child process, the template (the initialised empty store a first
  // start loads instead of running initdb, src/store/template.ts) runs in this one.
  await Promise.all([
    ensureWebBuilt({ log: (line) => process.stderr.write(`${line}\n`) }).catch((err) => {
      process.stderr.write(`dashboard not built (npm start builds it): ${err.message}\n`);
    }),
    ensureStoreTemplate().catch((err) => {
      process.stderr.write(`store template not built (a first start runs initdb): ${err.message}\n`);
    }),
  ]);
}
