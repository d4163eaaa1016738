/**
 * `npm run bench` runs every benchmark; `npm run bench -- ingest analytics` runs the named ones.
 * Each bench/<name>.ts exports `run()`, which prints its own table with rates and ratios measured in the
 * same run (peers, bare loops), so results stay comparable on any machine.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')} (have: ${available.join(', ')})\n`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : available) {
  process.stdout.write(`\n=== bench/${name} (node ${process.version}, ${new Date().toISOString()}) ===\n`);
  const mod = (await import(join(here, `${name}.ts`))) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') {
    process.stderr.write(`bench: bench/${name}.ts exports no run()\n`);
    process.exitCode = 1;
    continue;
  }
  await mod.run();
}
