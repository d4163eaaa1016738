#!/usr/bin/env node
// The `marketpipe` command as installed (`bin` in package.json runs dist/cli/bin.js, compiled by `npm ci`).
import { packageVersion } from './version.ts';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Answered before the command modules load: `--version` is what scripts call to check the install.
  process.stdout.write(`${packageVersion()}\n`);
} else {
  const { main } = await import('./main.ts');
  process.exitCode = await main(argv);
}
