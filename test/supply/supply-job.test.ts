import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/config/store.ts';
import { DEFAULT_JOBS } from '../../src/jobs/registry.ts';
import { type RunnerDeps, runJob } from '../../src/jobs/runner.ts';
import { type CountingDb, manualClock } from '../../src/jobs/testing.ts';
import { buildProviderClients } from '../../src/pipeline/sources.ts';
import { createSources } from '../../src/sources/source.ts';
import { type Loopback, startLoopback } from '../../src/sources/testing/loopback.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { capturePubSub, jobsDb, runs, silentLog, testSettings } from '../jobs/helpers.ts';

const T0 = Date.parse('2024-03-11T00:15:00Z');

let db: CountingDb;
let down: Loopback;
beforeAll(async () => {
  db = await jobsDb();
  await upsertInstruments(db, [
    {
      symbol: 'USDC',
      assetClass: 'stablecoin',
      name: 'USD Coin',
      currency: 'USD',
      timezone: 'UTC',
      pegTarget: 1,
    },
  ]);
  // DefiLlama answering 503 (an outage)
  down = await startLoopback(() => ({ status: 503, body: 'Service Unavailable' }));
});
afterAll(async () => {
  await db.close();
  await down.close();
});

describe('supply_daily job', () => {
  it('is scheduled daily and, with DefiLlama unreachable, is recorded skipped with the reason', async () => {
    const job = DEFAULT_JOBS.get('supply_daily');
    expect(job?.schedule).toMatchObject({ cron: '15 0 * * *', timezone: 'UTC' });
    const settings = testSettings({ USE_MOCK_DATA: 'false', DEFILLAMA_BASE_URL: down.baseUrl });
    const d: RunnerDeps = {
      db,
      settings,
      log: silentLog,
      registry: DEFAULT_JOBS,
      configStore: () => ConfigStore.open({ db, live: false }),
      clock: manualClock(T0),
      pubsub: capturePubSub(),
      owner: 'test',
      feedClients: async () => buildProviderClients(settings, { defillama: { retry: { maxRetries: 0 } } }),
      sources: () => createSources({ useMockData: false }),
    };
    const out = await runJob(d, {
      name: 'supply_daily',
      trigger: 'scheduled',
      tick: T0,
      key: 'supply_daily:down',
    });
    expect(out.status).toBe('skipped');
    expect(out.attempts).toHaveLength(1);
    expect(out.error).toMatch(/no provider configured or reachable for 1 item \(e\.g\. USDC: .*defillama/);
    expect((await runs(db, 'supply_daily')).map((r) => r.status)).toEqual(['skipped']);
  }, 60_000);
});
