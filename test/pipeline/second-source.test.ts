/**
 * Second-source corroboration in the pipeline: a CoinGecko hourly run over hours Binance bars already
 * filled passes those bars to the gate as `reference`, so a one-hour depeg both sources show is stored;
 * the same CoinGecko batch into a store without them is quarantined as a lone reverting print.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredBar } from '../../src/core/types.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { listQuarantine } from '../../src/quality/quarantine.ts';
import { CoinGeckoSource } from '../../src/sources/coingecko/client.ts';
import { type Loopback, startLoopback, virtualClock } from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { readBars, upsertBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';

const H = 3_600_000;
const at = (day: number, hour: number) => Date.UTC(2022, 4, day, hour);
// USDT on 2022-05-12, shaped on CoinMarketCap's daily record (samples/USDT_cmc_daily_2022.csv: open
// 0.9958793409, low 0.9484861079 at 07:22 UTC, close 0.997609369): the hourly point at 07:00 is the low, the
// hours before sit at the open and the hours after at the close. A shape, not a recorded hourly series.
const OPEN = 0.9958793409;
const LOW = 0.9484861079;
const CLOSE = 0.997609369;
const point = (ts: number) => (ts < at(12, 7) ? OPEN : ts === at(12, 7) ? LOW : CLOSE);
const NOW = at(12, 12) + 10 * 60_000;

/** Binance-style 1h bars over the same hours: the same path, a few hundredths of a percent apart. */
function binanceBars(): StoredBar[] {
  const out: StoredBar[] = [];
  for (let ts = at(11, 10); ts < at(12, 12); ts += H) {
    const open = point(ts) * 1.0003;
    const close = point(ts + H) * 1.0003;
    out.push({
      symbol: 'USDT',
      interval: '1h',
      ts,
      open,
      high: Math.max(open, close),
      low: Math.min(open, close),
      close,
      volume: 1e8,
      source: 'binance',
    });
  }
  return out;
}

describe('ingest hourly: another source stored over the span confirms a one-hour depeg', () => {
  let server: Loopback;
  const dbs: Db[] = [];
  beforeAll(async () => {
    // CoinGecko /market_chart/range: hourly points of the requested span, as [ms, price] pairs.
    server = await startLoopback((req) => {
      const from = Number(req.url.searchParams.get('from')) * 1000;
      const to = Number(req.url.searchParams.get('to')) * 1000;
      const prices: Array<[number, number]> = [];
      for (let ts = Math.ceil(from / H) * H; ts <= to && ts <= at(12, 12); ts += H)
        prices.push([ts, point(ts)]);
      return { body: { prices, market_caps: [], total_volumes: prices.map(([ts]) => [ts, 1e10]) } };
    });
  });
  afterAll(async () => {
    await server.close();
    for (const db of dbs) await db.close();
  });

  // One store: USDT has Binance's bars over the span, USDT_CG (the same CoinGecko coin) has none.
  const ingest = async (symbols: readonly string[]) => {
    const db = dbs[0] ?? (await openPglite());
    if (dbs.length === 0) {
      dbs.push(db);
      await migrate(db);
      await upsertInstruments(
        db,
        ['USDT', 'USDT_CG'].map((symbol) => ({
          symbol,
          assetClass: 'stablecoin' as const,
          name: 'Tether',
          currency: 'USD',
          timezone: 'UTC',
          pegTarget: 1,
          sources: { coingecko: 'tether' },
        })),
      );
      await upsertBars(db, binanceBars());
    }
    const coingecko = new CoinGeckoSource({
      baseUrl: server.baseUrl,
      apiKey: 'CG-demo',
      clock: virtualClock(NOW),
    });
    return runIngest(db, { coingecko }, { mode: 'hourly', source: 'coingecko', now: NOW, symbols });
  };
  const barAt = async (symbol: string, ts: number) =>
    (await readBars(dbs[0] as Db, symbol, '1h', { from: ts, to: ts + 1 }))[0];

  it('stores the 06:00 bar closing at the low when Binance bars show it, and quarantines it without them', async () => {
    const confirmed = await ingest(['USDT']);
    expect(confirmed.quarantined).toBe(0);
    // CoinGecko's own values replaced Binance's (the previous ones are in the replaced_by_newer audit)
    expect((await barAt('USDT', at(12, 6)))?.close).toBe(LOW);

    const alone = await ingest(['USDT_CG']);
    expect(alone.quarantined_by_rule).toMatchObject({ outlier: 1 });
    const q = await listQuarantine(dbs[0] as Db, { symbol: 'USDT_CG' });
    expect(q.map((e) => [e.rule, e.ts])).toContainEqual(['outlier', new Date(at(12, 6)).toISOString()]);
    expect(await barAt('USDT_CG', at(12, 6))).toBeUndefined();
  });
});
