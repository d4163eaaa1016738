import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The project's shared data folder (real market data and provider payloads, see its PROVENANCE notes):
 * `../shared` beside the repository, as in CI and on developers' machines. Files under licenses the project
 * does not copy (AGPL/LGPL) are read from here by the tests that say so in their names.
 */
const SHARED_DIR =
  [join(REPO_ROOT, '..', 'shared'), '/work/shared'].find((d) => existsSync(d)) ??
  join(REPO_ROOT, '..', 'shared');

export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}
