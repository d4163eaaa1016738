import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

/**
 * A freshly initialised, empty PGlite data directory kept as a tarball, so creating a store loads it instead
 * of running initdb (measured: ~5.3 s CPU for initdb against ~1.2 s to load the template). `npm ci`
 * (`prepare`, scripts/build.mjs) writes it; without it a store is created the ordinary way. It holds only
 * what initdb makes — no migration, no data — so the store's own migrations still run on it, and it is
 * named by the PGlite version that made it: another version ignores it.
 */

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function pgliteVersion(): string {
  const require = createRequire(join(REPO_ROOT, 'package.json'));
  // the package does not export its package.json: it sits one level above its entry (dist/index.*)
  const entry = require.resolve('@electric-sql/pglite');
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Where the template lives: node_modules/.cache survives `npm run build` (which empties dist/). */
function templatePath(): string {
  return join(REPO_ROOT, 'node_modules', '.cache', 'marketpipe', `pglite-${pgliteVersion()}-empty.tar.gz`);
}

/**
 * Writes the template (atomically) unless it exists. Returns its path.
 * @public Called by scripts/build.mjs through dist/store/template.js (prepare), which knip cannot follow.
 */
export async function ensureStoreTemplate(): Promise<string> {
  const path = templatePath();
  if (existsSync(path)) return path;
  const pg = await PGlite.create();
  try {
    const blob = await pg.dumpDataDir('gzip');
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    renameSync(tmp, path);
  } finally {
    await pg.close();
  }
  return path;
}

/**
 * The template as PGlite's `loadDataDir` for `dataDir` when that directory holds no database yet and the
 * template exists; undefined otherwise (open or create as usual).
 */
export function templateFor(dataDir: string): Blob | undefined {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return undefined;
  try {
    return new Blob([readFileSync(templatePath())]);
  } catch {
    return undefined;
  }
}
