import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATED_BACKENDS as BACKENDS, type TestStore } from '../store/backends.ts';
import { runMain } from '../support/cli.ts';

const postgres = BACKENDS.find((b) => b.name === 'postgres');

/**
 * One-shot `quote` reads its parameters from the runtime's config store, so it honours MARKETPIPE_ENV and a
 * process canary (MARKETPIPE_PROCESS_NAME) like `serve` does. Before, the risk service opened its own store
 * in production whatever the environment.
 */
describe('marketpipe quote reads the environment and canary of its runtime', () => {
  let ts: TestStore;
  const run = (argv: string[], env: Record<string, string> = {}) =>
    runMain(['--db', ts.url ?? '', '--json', ...argv], env);
  const rateOf = async (env: Record<string, string> = {}) => {
    const r = await run(['quote', 'USDC', '1000000', '--days', '30'], env);
    expect(r.code, r.err).toBe(0);
    return JSON.parse(r.out) as { rate: number; breakdown: { base_rate: number } };
  };

  beforeAll(async () => {
    if (!postgres) throw new Error('the postgres backend is not configured');
    ts = await postgres.open();
  });
  afterAll(async () => {
    await ts?.drop();
  });

  it('prices with the staging override under MARKETPIPE_ENV=staging, production otherwise', async () => {
    const staged = await run(['config', 'apply', 'pricing.base_rate_USDC=0.08', '--reason', 'stage'], {
      MARKETPIPE_ENV: 'staging',
    });
    expect(staged.code, staged.err).toBe(0);

    const production = await rateOf();
    const staging = await rateOf({ MARKETPIPE_ENV: 'staging' });
    // seeded pricing.base_rate_USDC = 0.04 (src/store/migrations/040_config.sql); staging's override 0.08
    expect(production.breakdown.base_rate).toBe(0.04);
    expect(staging.breakdown.base_rate).toBe(0.08);
    // every other factor is the same (no book stored: utilisation 0), so the charged rate doubles
    expect(staging.rate / production.rate).toBeCloseTo(2, 12);
  });

  it('prices with a process canary only in the process it names', async () => {
    const canary = await run([
      'config',
      'set',
      'pricing.base_rate_USDC',
      '0.06',
      '--canary',
      'quote-canary',
      '--reason',
      'canary',
    ]);
    expect(canary.code, canary.err).toBe(0);
    expect((await rateOf()).breakdown.base_rate).toBe(0.04);
    expect((await rateOf({ MARKETPIPE_PROCESS_NAME: 'quote-canary' })).breakdown.base_rate).toBe(0.06);
  });
});
