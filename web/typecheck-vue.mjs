#!/usr/bin/env node
/**
 * Typechecks the dashboard with its `.vue` files (templates included): `node web/typecheck-vue.mjs -p
 * web/tsconfig.json`, part of `npm run typecheck`. Takes `tsc` flags.
 *
 * vue-tsc drives TypeScript's JavaScript compiler, which TypeScript 7 (native, our `tsc`) no longer ships, and
 * its own `vue-tsc` command loads the `typescript` package, so `npx vue-tsc` fails here with
 * ERR_PACKAGE_PATH_NOT_EXPORTED. It is pointed instead at TypeScript 6 from `@typescript/typescript6`, the
 * package made to be installed beside 7; vue-tsc follows it to the compiler it holds (`@typescript/old`).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { run } = require('vue-tsc');
run(require.resolve('@typescript/typescript6/lib/tsc.js'));
