import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // the fault suite starts its own PostgreSQL and Redis: `npm run test:faults` (vitest.faults.config.ts)
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores on CI: more forks only fight over them.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
