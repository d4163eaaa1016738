import { defineConfig } from 'vitest/config';

/**
 * The fault suite (`npm run test:faults`): one file that starts its own PostgreSQL cluster and Redis, so it
 * runs alone, in one fork, after `npm test` (see .ci/run). Kept out of the main run's include.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    fileParallelism: false,
  },
});
