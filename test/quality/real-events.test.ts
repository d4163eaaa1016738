/**
 * The quality gate keeps the real stablecoin events and refuses bad prints, on every path into the store:
 * `import` of CoinMarketCap's daily exports (UST's 2022 collapse, USDT's 2022-05-12 dip) and pipeline backfills
 * from a loopback CoinGecko speaking `/coins/{id}/market_chart/range` (the SVB week of USDC, daily and hourly).
 * Real data only, from samples/ (see samples/README.md for provenance). PGlite in-process.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDepegEvents } from '../../src/analytics/service.ts';
import type { Instrument } from '../../src/core/types.ts';
import { importFile } from '../../src/importer/import.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { listQuarantine } from '../../src/quality/quarantine.ts';
import { createSources } from '../../src/sources/source.ts';
import { type Loopback, startLoopback } from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { readBars } from '../../src/store/repos/bars.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';

const sample = (name: string): string => new URL(`../../samples/${name}`, import.meta.url).pathname;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const ALL = { from: 0, to: Date.UTC(2030, 0, 1) };
const stable = (symbol: string, coingecko?: string): Instrument => ({
  symbol,
  assetClass: 'stablecoin',
  name: symbol,
  currency: 'USD',
  timezone: 'UTC',
  pegTarget: 1,
  ...(coingecko ? { sources: { coingecko } } : {}),
});

/** CoinMarketCap export rows (`;`-separated, quoted times): [day, low, close]. */
function cmcRows(file: string): Array<{ day: string; low: number; close: number }> {
  return readFileSync(sample(file), 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const c = line.split(';').map((x) => x.replace(/"/g, ''));
      return { day: (c[0] ?? '').slice(0, 10), low: Number(c[7]), close: Number(c[8]) };
    });
}

/** DeFiLlama's `coingecko:usd-coin` hourly series (CoinGecko's own USD price, re-served): [ms, price]. */
const usdcPoints: Array<[number, number]> = readFileSync(sample('USDC_defillama_hourly_2023-03.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => {
    const [t, p] = l.split(',');
    return [Number(t) * 1000, Number(p)];
  });

/**
 * CoinGecko's answer for the span asked: ≤ 90 days → the (irregular, about hourly) points in it; longer → one
 * point per day stamped 00:00:00 UTC (its value: the point nearest midnight, within the hour), as CoinGecko
 * documents for market_chart/range.
 */
function coingeckoAnswer(points: ReadonlyArray<[number, number]>, from: number, to: number) {
  let prices: Array<[number, number]>;
  if (to - from <= 90 * DAY) prices = points.filter(([t]) => t >= from && t <= to);
  else {
    prices = [];
    for (let d = Math.ceil(from / DAY) * DAY; d <= to; d += DAY) {
      let best: [number, number] | undefined;
      for (const p of points) {
        if (Math.abs(p[0] - d) < HOUR && (!best || Math.abs(p[0] - d) < Math.abs(best[0] - d))) best = p;
      }
      if (best) prices.push([d, best[1]]);
    }
  }
  return {
    prices,
    market_caps: prices.map(([t]) => [t, 4.3e10]),
    total_volumes: prices.map(([t]) => [t, 5e9]),
  };
}

describe('real stablecoin events through the gate (PGlite)', () => {
  let db: Db;
  let coingecko: Loopback;
  // the same real series with one bad print: 5.00 at the 30th point (2023-03-09, a calm hour)
  const spiked = usdcPoints.map(([t, p], i): [number, number] => [t, i === 30 ? 5 : p]);

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await upsertInstruments(db, [
      stable('UST'),
      stable('USDT'),
      stable('USDC', 'usd-coin'),
      stable('USDCH', 'usd-coin'),
      stable('USDCX', 'usd-coin-spiked'),
      { symbol: 'BTC', assetClass: 'crypto', name: 'Bitcoin', currency: 'USD', timezone: 'UTC' },
    ]);
    coingecko = await startLoopback((req) => {
      const m = /^\/api\/v3\/coins\/([^/]+)\/market_chart\/range$/.exec(req.url.pathname);
      if (!m) return { status: 404, body: { error: 'not found' } };
      const from = Number(req.url.searchParams.get('from')) * 1000;
      const to = Number(req.url.searchParams.get('to')) * 1000;
      return { body: coingeckoAnswer(m[1] === 'usd-coin-spiked' ? spiked : usdcPoints, from, to) };
    });
  });
  afterAll(async () => {
    await coingecko.close();
    await db.close();
  });

  const sources = () => createSources({ providers: { coingecko: { baseUrl: coingecko.baseUrl } } });
  const depegsOf = async (asset: string) => (await detectDepegEvents(db, { asset, dryRun: true })).events;

  it('imports the real UST 2022 history whole: lost the peg on 2022-05-09, never recovered, minimum 0.0062 on 2022-06-18', async () => {
    const rows = cmcRows('UST_cmc_daily_2022.csv');
    // Independent check of the sample: 400 days, 234 closes below the old 0.50 floor, lowest low 0.00621758715353.
    expect(rows).toHaveLength(400);
    expect(rows.filter((r) => r.close < 0.5)).toHaveLength(234);
    const lowest = rows.reduce((a, b) => (b.low < a.low ? b : a));
    expect([lowest.day, lowest.low]).toEqual(['2022-06-18', 0.00621758715353]);

    const s = await importFile(db, {
      file: sample('UST_cmc_daily_2022.csv'),
      symbol: 'UST',
      now: Date.UTC(2024, 0, 1),
    });
    expect([s.read, s.stored, s.quarantined]).toEqual([400, 400, 0]);
    const flagged = (await readBars(db, 'UST', '1d', ALL)).filter((b) => b.close < 0.5);
    expect(flagged).toHaveLength(234);
    const outliers = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id
        WHERE i.symbol = 'UST' AND b.is_outlier`,
    );
    // kept beyond the 0.50 alert line, flagged: every close below 0.50 (no other UST bar is flagged)
    expect(outliers.rows[0]?.n).toBe(234);

    const collapse = (await depegsOf('UST')).find((e) => e.start.startsWith('2022-05'));
    expect(collapse).toMatchObject({
      start: '2022-05-09T00:00:00.000Z',
      end: null,
      min_price: 0.00621758715353,
      min_price_at: '2022-06-18T00:00:00.000Z',
      recovery_time_seconds: null,
    });
  });

  it("imports USDT's 2022 history whole and finds the 2022-05-12 dip to 0.9485", async () => {
    const s = await importFile(db, {
      file: sample('USDT_cmc_daily_2022.csv'),
      symbol: 'USDT',
      now: Date.UTC(2024, 0, 1),
    });
    expect([s.stored, s.quarantined]).toEqual([400, 0]);
    const dip = (await depegsOf('USDT')).find((e) => e.start.startsWith('2022-05-12'));
    // CMC low of 2022-05-12: 0.9484861079; the next day's low (0.9934…) is back above peg × 0.99.
    expect(dip).toMatchObject({ min_price: 0.9484861079, end: '2022-05-13T00:00:00.000Z' });
  });

  it('keeps the SVB week from a CoinGecko daily backfill (a span over 90 days: 00:00 points)', async () => {
    const s = await runIngest(db, sources(), {
      mode: 'backfill',
      symbols: ['USDC'],
      interval: '1d',
      from: Date.UTC(2022, 11, 1),
      to: Date.UTC(2023, 2, 18),
      now: Date.UTC(2023, 2, 18),
    });
    expect(s.quarantined_by_rule).toEqual({});
    const bars = await readBars(db, 'USDC', '1d', ALL);
    expect(bars.map((b) => new Date(b.ts).toISOString().slice(0, 10))).toEqual(
      Array.from({ length: 9 }, (_, i) => new Date(Date.UTC(2023, 2, 8 + i)).toISOString().slice(0, 10)),
    );
    // 2023-03-10's close is the price at 2023-03-11 00:00 (CoinGecko's point for the 11th), not the 10th's.
    const midnights = coingeckoAnswer(usdcPoints, Date.UTC(2022, 11, 1), Date.UTC(2023, 2, 18)).prices;
    const point11 = midnights.find(([t]) => t === Date.UTC(2023, 2, 11))?.[1];
    expect(bars[2]?.close).toBe(point11);
    const event = (await depegsOf('USDC'))[0];
    expect(event?.min_price).toBe(Math.min(...midnights.map(([, p]) => p)));
    expect(event?.end).not.toBeNull();
  });

  it('keeps the SVB week from a CoinGecko hourly backfill, with its real minimum 0.876675', async () => {
    const s = await runIngest(db, sources(), {
      mode: 'backfill',
      symbols: ['USDCH'],
      interval: '1h',
      from: Date.UTC(2023, 2, 8),
      to: Date.UTC(2023, 2, 17),
      now: Date.UTC(2023, 2, 18),
    });
    expect(s.quarantined_by_rule).toEqual({});
    // one bar per hour that has a point (the series is irregular, some hours have none)
    const hours = new Set(
      usdcPoints
        .filter(([t]) => t >= Date.UTC(2023, 2, 8) && t < Date.UTC(2023, 2, 17))
        .map(([t]) => Math.floor(t / HOUR)),
    );
    expect(s.stored).toBe(hours.size);
    const events = await depegsOf('USDCH');
    const event = events.reduce((a, b) => (b.min_price < a.min_price ? b : a));
    const min = usdcPoints.reduce((a, b) => (b[1] < a[1] ? b : a));
    expect(min[1]).toBeCloseTo(0.876675, 6);
    expect(event.min_price).toBe(min[1]);
    expect(event.end).not.toBeNull();
    expect(event.start.startsWith('2023-03-1')).toBe(true);
  });

  it('quarantines a lone 5.00 print in the same hourly series and stores everything else', async () => {
    const s = await runIngest(db, sources(), {
      mode: 'backfill',
      symbols: ['USDCX'],
      interval: '1h',
      from: Date.UTC(2023, 2, 8),
      to: Date.UTC(2023, 2, 17),
      now: Date.UTC(2023, 2, 18),
    });
    const clean = (await readBars(db, 'USDCH', '1h', ALL)).length;
    // The print (at 05:57:19, not at an hour's boundary) is the close of the 05:00 bar only: that bar goes to
    // quarantine, nothing else does.
    expect(s.quarantined).toBe(1);
    expect(s.stored).toBe(clean - 1);
    const stored = await readBars(db, 'USDCX', '1h', ALL);
    expect(Math.max(...stored.map((b) => b.high))).toBeLessThan(1.1);
    const q = await listQuarantine(db, { symbol: 'USDCX' });
    expect(q.map((e) => [e.rule, e.reason, e.ts])).toEqual([
      ['price_bounds', 'Price 5.00 outside stablecoin bounds [0.50, 1.50]', '2023-03-09T05:00:00.000Z'],
    ]);
  });
});
