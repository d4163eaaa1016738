#!/usr/bin/env node
// Development runner: the TypeScript sources through tsx, no build needed (tests spawn this one). Users run
// the compiled CLI, dist/cli/bin.js (package.json `bin`, built by `npm ci` / `npm run build`).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
