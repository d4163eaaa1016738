/**
 * The map of ../shared/DESIGN.md, enforced (`npm run depcruise`, part of `npm test`).
 * Each rule quotes the DESIGN sentence it enforces. There is no list of known departures: the code
 * follows every rule, and a commit that does not fails `npm test`.
 */

/**
 * Test code in src/ (unit tests beside the code, `testing/` helpers) is not shipped and may reach across
 * layers and into test/support; the layering rules judge shipped modules only. Cycles count everywhere.
 */
const TEST_CODE = '\\.test\\.ts$|/testing/|/testing\\.ts$|/test-[^/]+\\.ts$';

/** The math folders: pure functions over typed arrays (DESIGN: analytics/ "pure functions on Float64Array"). */
const MATH = '^src/(analytics|risk|backtest|models)/';
/**
 * Where a math domain meets storage: its `service.ts` and reader modules (`reader.ts`, `readers.ts`,
 * `*-reader.ts`, `readers/`), by name. DESIGN: "repositories turn rows into typed arrays, and each domain's
 * `service.ts` wires them together".
 */
const MATH_WIRING = '/(service|reader|readers)\\.ts$|-(reader|service)\\.ts$|/readers/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'DESIGN: "Dependencies point down the flow" — a cycle has no down. Type-only imports count too (the swc ' +
        'parser does not tell them apart, and a cycle of types still ties two modules into one).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-not-to-test',
      severity: 'error',
      comment:
        'DESIGN layout: "test/ integration and end-to-end tests" — shipped code (src/) never imports test code ' +
        '(dist/ would not run).',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^test/' },
    },
    {
      name: 'core-imports-only-core',
      severity: 'error',
      comment:
        'DESIGN layout: "core/ domain types …, errors with codes, time, calendars" — the bottom of the map, ' +
        'so it imports nothing of ours but core/.',
      from: { path: '^src/core/', pathNot: TEST_CODE },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'math-not-to-storage-or-entry-points',
      severity: 'error',
      comment:
        'DESIGN: "analytics/, risk/, backtest/ and models/ math never import store/ or api/; repositories turn ' +
        'rows into typed arrays, and each domain\'s service.ts wires them together." Entry points (cli/, jobs/) ' +
        "and the old services/ are above them too. Allowed: the domain's service.ts and reader files.",
      from: { path: MATH, pathNot: [MATH_WIRING, TEST_CODE] },
      to: { path: '^src/(store|api|cli|jobs|services|cache|pipeline|sources|mcp|chat|reports)/' },
    },
    {
      name: 'store-not-upward',
      severity: 'error',
      comment:
        'DESIGN flow: "store/: one Db interface …" sits below pipeline/, the math, jobs/ and the entry points: ' +
        'repositories hold plain SQL and never import the layers that use them (api/, cli/, jobs/, pipeline/, ' +
        'sources/, services, math).',
      from: { path: '^src/store/', pathNot: TEST_CODE },
      to: {
        path: '^src/(api|cli|jobs|pipeline|sources|services|analytics|risk|backtest|models|quality|reports|chat|mcp|live|execution|runtime\\.ts)',
      },
    },
    {
      name: 'sources-not-to-pipeline',
      severity: 'error',
      comment:
        'DESIGN flow: "sources/: HTTP client …" feeds "pipeline/: plan … → fetch → normalise" — sources never ' +
        'import pipeline/ (nor the feeds under it, nor anything above: jobs/, api/, cli/).',
      from: { path: '^src/sources/', pathNot: TEST_CODE },
      to: { path: '^src/(pipeline|economic|news|events|jobs|api|cli|services|runtime\\.ts)' },
    },
    {
      name: 'cli-is-the-top',
      severity: 'error',
      comment:
        'DESIGN layout: "cli/ main.ts · commands/*.ts" is an entry point: nothing but cli/ imports it (the flow ' +
        'ends at "api/ … │ web/ … │ cli/").',
      from: { path: '^src/', pathNot: ['^src/cli/', TEST_CODE] },
      to: { path: '^src/cli/' },
    },
    {
      name: 'api-is-an-entry-point',
      severity: 'error',
      comment:
        'DESIGN flow: "api/ Fastify REST …" is at the bottom of the flow with cli/: only cli/ (serve), mcp/ and ' +
        'api/ itself import it; jobs, pipeline, store and the math never do.',
      from: { path: '^src/', pathNot: ['^src/(api|cli|mcp)/', TEST_CODE] },
      to: { path: '^src/api/' },
    },
    {
      name: 'jobs-above-domains',
      severity: 'error',
      comment:
        'DESIGN flow: "jobs/ schedules everything" — domains (store, sources, pipeline, quality, cache, the ' +
        'math) are scheduled by jobs/, never import it.',
      from: {
        path: '^src/(core|store|sources|pipeline|quality|cache|analytics|risk|backtest|models)/',
        pathNot: TEST_CODE,
      },
      to: { path: '^src/jobs/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing fails at run time.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|web/dist|\\.marketpipe)/' },
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
