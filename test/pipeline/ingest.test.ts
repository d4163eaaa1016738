import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelMessage } from '../../src/cache/keys.ts';
import { PgPubSub } from '../../src/cache/pg-pubsub.ts';
import type { Instrument } from '../../src/core/types.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { listWatermarks } from '../../src/pipeline/watermarks.ts';
import { releaseQuarantine } from '../../src/quality/quarantine.ts';
import { gateReleaseLoader } from '../../src/quality/release.ts';
import { createSources } from '../../src/sources/source.ts';
import type { Loopback } from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { readBars } from '../../src/store/repos/bars.ts';
import { getInstrument, upsertInstruments } from '../../src/store/repos/instruments.ts';
import { type TestBackend, testBackends } from '../store/backends.ts';
import { startFakeBinance, startFakePolygon } from './fake-providers.ts';

const AAPL: Instrument = {
  symbol: 'AAPL',
  assetClass: 'equity',
  name: 'Apple',
  currency: 'USD',
  timezone: 'America/New_York',
  sources: { polygon: 'AAPL', yahoo: 'AAPL' },
};
const MSFT: Instrument = { ...AAPL, symbol: 'MSFT', name: 'Microsoft', sources: { polygon: 'MSFT' } };
const BTC: Instrument = {
  symbol: 'BTC',
  assetClass: 'crypto',
  name: 'Bitcoin',
  currency: 'USD',
  timezone: 'UTC',
  sources: { binance: 'BTCUSDT' },
};
const GONE: Instrument = { ...BTC, symbol: 'GONE', name: 'Delisted coin', sources: { binance: 'GONEUSDT' } };

const NOW = Date.UTC(2024, 5, 28, 22); // Friday 2024-06-28, after the NYSE close
const FROM = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;
const backends = await testBackends('pipeline');

describe.each(backends.map((b) => [b.name, b] as [string, TestBackend]))(
  'ingest pipeline on %s',
  (_n, backend) => {
    let db: Db;
    let polygon: Loopback;
    let binance: Loopback;
    beforeAll(async () => {
      db = await backend.open();
      await upsertInstruments(db, [AAPL, MSFT, BTC, GONE]);
      polygon = await startFakePolygon({
        instruments: { AAPL, MSFT },
        pageSize: 40,
        badTs: new Set([Date.UTC(2024, 1, 6)]),
      });
      binance = await startFakeBinance({ instruments: { BTCUSDT: BTC } });
    });
    afterAll(async () => {
      await polygon.close();
      await binance.close();
      await backend.dispose(db);
    });

    const sources = () =>
      createSources({
        providers: {
          polygon: { baseUrl: polygon.baseUrl, apiKey: 'test-key' },
          binance: { baseUrl: binance.baseUrl },
          yahoo: { baseUrl: 'http://127.0.0.1:9' },
          coingecko: { baseUrl: 'http://127.0.0.1:9' },
        },
      });

    it('backfills across pages, quarantines the bad row, and the totals add up', async () => {
      const s = await runIngest(db, sources(), {
        mode: 'backfill',
        from: FROM,
        symbols: ['AAPL', 'BTC'],
        now: NOW,
      });
      const aapl = s.instruments.find((i) => i.symbol === 'AAPL');
      const btc = s.instruments.find((i) => i.symbol === 'BTC');
      expect(aapl?.error).toBeUndefined();
      expect(aapl?.source).toBe('polygon');
      expect(btc?.source).toBe('binance');
      // 2024-01-02 … 2024-06-28: 124 NYSE trading days (holidays: Jan 1, Jan 15, Feb 19, Mar 29, May 27, Jun 19).
      expect(aapl?.fetched).toBe(124);
      expect(aapl?.stored).toBe(123);
      expect(aapl?.quarantined).toBe(1);
      // 2024-01-01 … 2024-06-28: 180 calendar days (leap year) of 24/7 crypto.
      expect(btc?.stored).toBe(180);
      expect(s.read).toBe(s.stored + s.unchanged + s.quarantined);
      expect(s.quarantined_by_rule).toEqual({ price_finite_positive: 1 });
      expect(polygon.requests.length).toBeGreaterThan(3); // 124 bars at 40 a page
      const wm = await listWatermarks(db, 'AAPL');
      expect(wm).toEqual([
        { symbol: 'AAPL', interval: '1d', source: 'polygon', watermark: '2024-06-28T00:00:00.000Z' },
      ]);
    });

    it('re-running the same backfill is idempotent and asks only for what is missing', async () => {
      const before = polygon.requests.length;
      const s = await runIngest(db, sources(), { mode: 'backfill', from: FROM, symbols: ['AAPL'], now: NOW });
      expect(s.stored).toBe(0);
      const bars = await readBars(db, 'AAPL', '1d', { from: FROM, to: NOW });
      expect(bars).toHaveLength(123);
      // The only missing bar is the quarantined 2024-02-06: one small span is refetched, not the half year.
      expect(polygon.requests.length - before).toBe(1);
      expect(s.quarantined).toBe(1);
    });

    it('announces new data on data_ready itself, so scheduled runs reach the monitor and caches too', async () => {
      const pubsub = new PgPubSub(db);
      const got: ChannelMessage[] = [];
      await pubsub.subscribe('data_ready', (m) => got.push(m));
      const s = await runIngest(db, sources(), {
        mode: 'backfill',
        from: FROM,
        symbols: ['BTC'],
        now: NOW + DAY,
        pubsub,
      });
      for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await pubsub.close();
      expect(s.stored).toBe(1); // 2024-06-28 became complete one day later
      expect(got).toEqual([
        expect.objectContaining({
          type: 'ingest',
          mode: 'backfill',
          interval: '1d',
          stored: 1,
          symbols: ['BTC'],
        }),
      ]);
    });

    it('a daily run starts at the watermark with a 2-day overlap', async () => {
      const later = Date.UTC(2024, 6, 3, 22); // Wed 2024-07-03 (early close), after the close
      const before = polygon.requests.length;
      const s = await runIngest(db, sources(), { mode: 'daily', symbols: ['AAPL'], now: later });
      const req = polygon.requests[before];
      expect(req?.url.pathname).toMatch(/\/range\/1\/day\/2024-06-26\/2024-07-0[23]$/);
      // New bars: Jul 1, 2, 3 (2024-07-03 closed early at 13:00 ET, so its bar is complete).
      expect(s.stored).toBe(3);
      expect(s.unchanged).toBeGreaterThanOrEqual(2);
    });

    it('one failing instrument does not stop the others; an unknown symbol is marked inactive', async () => {
      const s = await runIngest(db, sources(), {
        mode: 'backfill',
        from: FROM,
        symbols: ['GONE', 'MSFT'],
        now: NOW,
      });
      const gone = s.instruments.find((i) => i.symbol === 'GONE');
      expect(gone?.error).toMatch(/marked inactive: binance/);
      // The provider is named once: its error message already starts with "binance: ".
      expect(gone?.error?.match(/binance: /g), gone?.error).toHaveLength(1);
      // The fake serves the same bad 2024-02-06 row for every ticker.
      expect(s.instruments.find((i) => i.symbol === 'MSFT')).toMatchObject({ stored: 123, quarantined: 1 });
      const row = await getInstrument(db, 'GONE');
      expect(row?.active).toBe(false);
      expect(row?.inactiveReason).toMatch(/binance/);
      expect(row?.inactiveReason).not.toMatch(/binance: binance: /);
      expect(s.failed).toBe(1);
    });

    it('hourly bars of a fallback source with other boundaries are quarantined, not interleaved', async () => {
      const span = { from: Date.UTC(2024, 5, 24), to: Date.UTC(2024, 5, 27) }; // Mon–Wed
      const base = {
        mode: 'backfill' as const,
        interval: '1h' as const,
        symbols: ['AAPL'],
        now: NOW,
        ...span,
      };
      // Polygon's hours start on the hour (fake-providers.ts hourBars)
      const first = await runIngest(db, sources(), { ...base, source: 'polygon' });
      expect(first.stored).toBeGreaterThan(10);
      const stored = await readBars(db, 'AAPL', '1h', span);
      expect(stored.every((b) => b.ts % 3_600_000 === 0)).toBe(true);
      // the synthetic source's session hours start at :30, as Yahoo's do: the same hours, counted twice
      const second = await runIngest(db, sources(), { ...base, source: 'synthetic' });
      expect(second.stored).toBe(0);
      expect(second.quarantined_by_rule.bar_alignment).toBe(second.fetched);
      expect(second.fetched).toBeGreaterThan(10);
      expect(await readBars(db, 'AAPL', '1h', span)).toEqual(stored);
      const q = await db.query<{ id: number; reason: string }>(
        "SELECT id::int AS id, reason FROM ops.quarantine WHERE rule = 'bar_alignment' ORDER BY id LIMIT 1",
      );
      expect(q.rows[0]?.reason).toMatch(
        /1h bar at .* starts at :30 but the stored 1h bars of AAPL .* start at :00/,
      );
      // released as it is, the same reason holds; with --force (a human vouches) it is stored
      const id = q.rows[0]?.id ?? 0;
      const kept = await releaseQuarantine(db, [id], gateReleaseLoader(db, { now: NOW }));
      expect(kept.refused.map((r) => r.rule)).toEqual(['bar_alignment']);
      const forced = await releaseQuarantine(db, [id], gateReleaseLoader(db, { now: NOW, force: true }));
      expect(forced.loaded).toEqual([id]);
      expect(await readBars(db, 'AAPL', '1h', span)).toHaveLength(stored.length + 1);
    });
  },
);
