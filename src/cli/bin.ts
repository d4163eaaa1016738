#!/usr/bin/env node
// The `marketpipe` command as installed (`bin` in package.json runs dist/cli/bin.js, compiled by `npm ci`).
import * as nodeModule from 'node:module';
import { packageVersion } from './version.ts';

// Node 22.1+ keeps the compiled code of the modules between runs (a no-op where it is missing, Node 20).
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Answered before the command modules load: `--version` is what scripts call to check the install.
  process.stdout.write(`${packageVersion()}\n`);
} else {
  const { main } = await import('./main.ts');
  process.exitCode = await main(argv);
}
