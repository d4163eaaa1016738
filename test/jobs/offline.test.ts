import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/config/store.ts';
import type { Instrument } from '../../src/core/types.ts';
import { DEFAULT_JOBS } from '../../src/jobs/registry.ts';
import { type RunnerDeps, runJob } from '../../src/jobs/runner.ts';
import { listJobStatus } from '../../src/jobs/status.ts';
import { type CountingDb, manualClock } from '../../src/jobs/testing.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { buildProviderClients } from '../../src/pipeline/sources.ts';
import { createSources } from '../../src/sources/source.ts';
import { type Loopback, startLoopback } from '../../src/sources/testing/loopback.ts';
import { removeInstrument, upsertInstruments } from '../../src/store/repos/instruments.ts';
import { capturePubSub, jobsDb, runs, silentLog, testSettings } from './helpers.ts';

// A Monday 14:00 UTC, in the past: the jobs' reference time is min(tick, now).
const T0 = Date.parse('2024-03-11T14:00:00Z');

const AAPL: Instrument = {
  symbol: 'AAPL',
  assetClass: 'equity',
  name: 'Apple',
  currency: 'USD',
  timezone: 'America/New_York',
  sources: { yahoo: 'AAPL', polygon: 'AAPL' },
};
const BTC: Instrument = {
  symbol: 'BTC',
  assetClass: 'crypto',
  name: 'Bitcoin',
  currency: 'USD',
  timezone: 'UTC',
  sources: { coingecko: 'bitcoin', binance: 'BTCUSDT' },
};

let db: CountingDb;
let down: Loopback;
let garbage: Loopback;
beforeAll(async () => {
  db = await jobsDb();
  await upsertInstruments(db, [AAPL, BTC]);
  // Yahoo answering 503 (an outage), and Yahoo answering 200 with a body that is not its chart format
  down = await startLoopback(() => ({ status: 503, body: 'Service Unavailable' }));
  garbage = await startLoopback(() => ({ status: 200, body: { nothing: 'here' } }));
});
afterAll(async () => {
  await db.close();
  await down.close();
  await garbage.close();
});

/** The default jobs, offline: no keys (USE_MOCK_DATA off) and Yahoo at `yahooUrl`, asked once (no HTTP retry). */
function offline(yahooUrl?: string, mock = false) {
  const pubsub = capturePubSub();
  const settings = testSettings({ USE_MOCK_DATA: mock ? 'true' : 'false' });
  const d: RunnerDeps = {
    db,
    settings,
    log: silentLog,
    registry: DEFAULT_JOBS,
    clock: manualClock(T0),
    pubsub,
    owner: 'test',
    // the provider clients a runtime builds from these settings (none keyed)
    feedClients: async () => buildProviderClients(settings, {}),
    configStore: () => ConfigStore.open({ db, live: false }),
    sources: () =>
      createSources({
        useMockData: mock,
        baseUrls: yahooUrl ? { yahoo: yahooUrl } : {},
        limits: { yahoo: { retry: { maxRetries: 0 } } },
      }),
  };
  return {
    d,
    types: () => pubsub.messages.filter((m) => m.channel === 'job_events').map((m) => m.message.type),
  };
}

/** runJob, bounded: a run that went on to wait out its retry backoff (on the manual clock) never returns. */
async function runOnce(d: RunnerDeps, name: string, key: string) {
  return Promise.race([
    runJob(d, { name, trigger: 'scheduled', tick: T0, key }),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${name} did not finish`)), 20_000)),
  ]);
}

describe('a provider job that cannot do its work offline is skipped with the reason', () => {
  it('economic_daily with no FRED key: skipped once, no alert, the reason names the variable', async () => {
    const { d, types } = offline();
    const out = await runOnce(d, 'economic_daily', 'economic_daily:nokey');
    expect(out.status).toBe('skipped');
    expect(out.attempts).toHaveLength(1);
    expect(out.alerted).toBe(false);
    expect(out.error).toContain('FRED_API_KEY is not set');
    expect((await runs(db, 'economic_daily')).map((r) => [r.status, r.error])).toEqual([
      ['skipped', expect.stringContaining('FRED_API_KEY')],
    ]);
    expect(types()).not.toContain('alert');
    const status = (
      await listJobStatus(db, T0, DEFAULT_JOBS, await ConfigStore.open({ db, live: false }))
    ).find((j) => j.name === 'economic_daily');
    expect(status?.status).toBe('skipped');
  });

  it('equities_daily with Polygon unconfigured and Yahoo down (503): skipped, not failed or retried', async () => {
    const { d, types } = offline(down.baseUrl);
    const out = await runOnce(d, 'equities_daily', 'equities_daily:down');
    expect(out.status).toBe('skipped');
    expect(out.attempts).toHaveLength(1);
    expect(out.error).toMatch(/^no provider configured or reachable for 1 item \(e\.g\. AAPL: yahoo: .*503/);
    expect(types()).toEqual(['running', 'skipped']);
  });

  it('an instrument only a keyed provider carries: the load says which key is missing', async () => {
    await upsertInstruments(db, [{ ...AAPL, symbol: 'POLY', sources: { polygon: 'POLY' } }]);
    const { d } = offline(down.baseUrl);
    const s = await runIngest(db, await d.sources(), { mode: 'daily', symbols: ['POLY'] });
    expect(s.unavailable).toBe(1);
    expect(s.instruments[0]?.error).toContain('polygon: no API key');
    await removeInstrument(db, 'POLY');
  });

  it('a provider that answers with bad data is not "unreachable": that run is not skipped', async () => {
    const { d } = offline(garbage.baseUrl);
    const out = await runOnce(d, 'equities_daily', 'equities_daily:garbage');
    expect(out.status).toBe('completed');
    expect(out.attempts[0]?.result).toMatchObject({ stored: 0, failed: 1 });
  });
});

describe('records counts rows the run wrote (USE_MOCK_DATA: the synthetic source)', () => {
  const counts = async () => {
    const r = await db.query<{ bars: number; vol: number }>(
      `SELECT (SELECT count(*)::int FROM market_data.bars WHERE interval = '1h') AS bars,
              (SELECT count(*)::int FROM derived.volatility_metrics WHERE interval = '1h') AS vol`,
    );
    return r.rows[0] ?? { bars: 0, vol: 0 };
  };

  it('hourly_ohlc: the first run reports the bars and metrics it stored; a re-run over the same hours, 0', async () => {
    const { d } = offline(undefined, true);
    const before = await counts();
    const first = await runOnce(d, 'hourly_ohlc', 'hourly_ohlc:first');
    const mid = await counts();
    expect(first.status).toBe('completed');
    expect(mid.bars).toBeGreaterThan(before.bars);
    expect(first.records).toBe(mid.bars - before.bars + (mid.vol - before.vol));

    const again = await runOnce(d, 'hourly_ohlc', 'hourly_ohlc:again');
    expect(again.status).toBe('completed');
    expect(await counts()).toEqual(mid);
    expect(again.records).toBe(0);
  });
});
