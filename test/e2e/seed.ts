import { runAllAnalytics } from '../../src/analytics/service.ts';
import { ConfigStore } from '../../src/config/store.ts';
import { DAY_MS, startOfUtcDay } from '../../src/core/time.ts';
import type { Interval, StoredBar } from '../../src/core/types.ts';
import { loadEconomicSamples } from '../../src/pipeline/feeds/economic/samples.ts';
import { loadEventSamples } from '../../src/pipeline/feeds/events/samples.ts';
import { loadNewsSamples } from '../../src/pipeline/feeds/news/samples.ts';
import { runDailyRisk } from '../../src/risk/service.ts';
import { syntheticBars } from '../../src/sources/synthetic/generator.ts';
import { openStore } from '../../src/store/open.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { loadUniverse } from '../../src/universe.ts';

/**
 * The instruments the e2e store holds: two cryptos, the portfolio's stablecoins, equities and one FX pair;
 * AGG for its long name ("iShares Core US Aggregate Bond"), which once pushed its price out of a 390 px card.
 */
const E2E_SYMBOLS = ['BTC', 'ETH', 'USDC', 'USDT', 'DAI', 'SPY', 'AAPL', 'AGG', 'EUR_USD'] as const;
/** Daily bars from here (covers the USDC depeg of March 2023 the synthetic source replays). */
const FROM = Date.UTC(2023, 0, 1);
const HOURLY_DAYS = 10;
const DEPEG_FROM = Date.UTC(2023, 2, 1);
const DEPEG_TO = Date.UTC(2023, 3, 1);

/** Rows the seeded store holds per monitor feed: economic observations, news articles, events. */
export interface SeededFeeds {
  economic: number;
  news: number;
  events: number;
}

/**
 * Fills the embedded store under `home` with a small deterministic data set (synthetic bars and the shipped
 * FRED, news and events samples), then runs the analytics and the daily risk report over it — what the demo
 * does, for a handful of instruments.
 */
export async function seedStore(
  home: string,
  now = Date.now(),
): Promise<{ bars: number; feeds: SeededFeeds }> {
  const store = await openStore({ home, timescale: false });
  try {
    const db = store.db;
    const universe = loadUniverse().filter((i) => (E2E_SYMBOLS as readonly string[]).includes(i.symbol));
    await upsertInstruments(db, universe);
    const end = startOfUtcDay(now);
    const rows: StoredBar[] = [];
    for (const inst of universe) {
      const plans: Array<[Interval, number, number]> = [['1d', FROM, end]];
      if (inst.assetClass !== 'equity' && inst.assetClass !== 'etf') {
        plans.push(['1h', end - HOURLY_DAYS * DAY_MS, end]);
      }
      // Depegs are detected on the finest stored bars: hourly stablecoin bars over the March 2023 episode.
      if (inst.assetClass === 'stablecoin') plans.push(['1h', DEPEG_FROM, DEPEG_TO]);
      for (const [interval, from, to] of plans) {
        for (const b of syntheticBars(inst, interval, { from, to })) {
          rows.push({ ...b, symbol: inst.symbol, interval, source: 'synthetic' });
        }
      }
    }
    await upsertBars(db, rows);
    await loadEconomicSamples(db);
    await loadNewsSamples(db);
    await loadEventSamples(db);
    const counted = await db.query<SeededFeeds>(
      `SELECT (SELECT count(*)::int FROM economic_data.observations) AS economic,
              (SELECT count(*)::int FROM news.articles) AS news,
              (SELECT (SELECT count(*) FROM events.earnings) + (SELECT count(*) FROM events.dividends)
                    + (SELECT count(*) FROM events.splits) + (SELECT count(*) FROM events.economic))::int AS events`,
    );
    const feeds = counted.rows[0] ?? { economic: 0, news: 0, events: 0 };
    await runAllAnalytics(db);
    await runDailyRisk(db, { config: await ConfigStore.open({ db, live: false }), home });
    return { bars: rows.length, feeds };
  } finally {
    await store.close();
  }
}
