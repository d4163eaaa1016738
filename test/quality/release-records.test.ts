/**
 * `quarantine release` for the records of the economic, news and events loaders, on every backend: records
 * are quarantined by the real loaders (FRED and NewsAPI replayed from loopback servers, the events CSV
 * import), released through the CLI command, and the store is compared table by table before and after.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as quarantineCmd from '../../src/cli/commands/quarantine.ts';
import type { Instrument } from '../../src/core/types.ts';
import { ingestEconomic } from '../../src/pipeline/feeds/economic/service.ts';
import { importEventsCsv } from '../../src/pipeline/feeds/events/csv-import.ts';
import { ingestNews } from '../../src/pipeline/feeds/news/service.ts';
import {
  listQuarantine,
  type QuarantinedRecord,
  type QuarantineEntry,
  type ReleaseResult,
} from '../../src/quality/quarantine.ts';
import { loadSettings } from '../../src/settings.ts';
import { FredClient } from '../../src/sources/fred/client.ts';
import { NewsApiClient } from '../../src/sources/newsapi/client.ts';
import {
  type Loopback,
  seededRandom,
  virtualClock,
  withLoopback,
} from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { readVintages } from '../../src/store/repos/economic.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { type TestBackend, testBackends } from '../store/backends.ts';
import { runCommands } from '../support/cli.ts';
import { snapshotStore, storeChanges } from './store-snapshot.ts';

const settings = loadSettings({ MARKETPIPE_HOME: '/tmp/mp-quality-release-test' });
const DAY = 86_400_000;
const FRED_KEY = 'fred-key-0123456789';
const NEWS_KEY = 'news-key-0123456789';
const fredFixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../src/sources/fred/fixtures', name), 'utf8'));

const instrument = (symbol: string, extra: Partial<Instrument> = {}): Instrument => ({
  symbol,
  assetClass: 'equity',
  name: symbol,
  currency: 'USD',
  timezone: 'America/New_York',
  sources: {},
  ...extra,
});

const clientOptions = (server: Loopback, apiKey: string) => ({
  baseUrl: server.baseUrl,
  apiKey,
  clock: virtualClock(),
  random: seededRandom(11),
  limits: { timeoutMs: 2000, retry: { maxRetries: 1, baseDelayMs: 10 } },
});

const backends = await testBackends('quality-release');

describe.each(backends.map((b) => [b.name, b] as [string, TestBackend]))(
  'quarantine release of economic, news and events records on %s',
  (_n, backend) => {
    let db: Db;
    const release = async (...args: string[]): Promise<{ code: number; res: ReleaseResult }> => {
      const r = await runCommands([quarantineCmd], { db }, ['quarantine', 'release', ...args]);
      return { code: r.code, res: r.printed[0] as ReleaseResult };
    };
    const pending = async (interval: string): Promise<QuarantineEntry[]> =>
      (await listQuarantine(db)).filter((e) => e.interval === interval);
    const quarantineRow = async (id: number) =>
      (await listQuarantine(db, { includeReleased: true, limit: 1000 })).find((e) => e.id === id);

    beforeAll(async () => {
      db = await backend.open();
      await upsertInstruments(db, [
        instrument('AAPL'),
        instrument('MSFT'),
        instrument('SPY', { assetClass: 'etf' }),
        instrument('DGS10', { assetClass: 'economic', currency: 'USD', sources: { fred: 'DGS10' } }),
      ]);
    });
    afterAll(async () => backend.dispose(db));

    it('economic: a forced observation is stored once, a second release stores nothing, one the store refuses stays', async () => {
      const observations = [
        { realtime_start: '2024-02-09', realtime_end: '9999-12-31', date: '2023-02-01', value: '3.39' },
        // a realtime period ending before it starts: refused by economic/validate.ts (invalid_period)
        { realtime_start: '2024-02-10', realtime_end: '2024-02-09', date: '2023-02-02', value: '3.40' },
        // no such calendar day: refused (invalid_date), and PostgreSQL cannot hold it either
        { realtime_start: '2024-02-09', realtime_end: '9999-12-31', date: '2023-02-30', value: '3.41' },
      ];
      await withLoopback(
        (req) => {
          if (req.url.pathname === '/fred/series') return { body: fredFixture('series-DGS10.json') };
          if (req.url.pathname === '/fred/series/observations')
            return { body: { count: 3, offset: 0, limit: 100000, observations } };
          return { status: 404, body: { error_code: 404, error_message: 'Not Found' } };
        },
        async (server) => {
          const s = await ingestEconomic(db, settings, {
            series: ['DGS10'],
            client: new FredClient(clientOptions(server, FRED_KEY)),
            releases: false,
          });
          expect(s).toMatchObject({ read: 3, stored: 1, quarantined: 2 });
        },
      );
      const entries = await pending('economic');
      const period = entries.find((e) => e.rule === 'invalid_period');
      const badDate = entries.find((e) => e.rule === 'invalid_date');
      expect(period?.reason).toBe('realtime_end 2024-02-09 is before realtime_start 2024-02-10');
      expect(badDate?.reason).toBe('date "2023-02-30" is not a YYYY-MM-DD date');
      const ids = [Number(period?.id), Number(badDate?.id)];

      // Without --force the loader's rules refuse both again, with their reasons, and nothing changes.
      let before = await snapshotStore(db);
      let r = await release(...ids.map(String));
      expect(r.code).toBe(1);
      expect(r.res).toMatchObject({ loaded: [], missing: [], skipped: [] });
      expect(r.res.refused).toEqual(
        expect.arrayContaining([
          { id: ids[0], rule: 'invalid_period', reason: period?.reason },
          { id: ids[1], rule: 'invalid_date', reason: badDate?.reason },
        ]),
      );
      expect(storeChanges(before, await snapshotStore(db))).toEqual({});

      // --force (the documented override, as for bars): the observation is stored, its entry released.
      before = await snapshotStore(db);
      r = await release('--force', String(ids[0]));
      expect(r).toMatchObject({ code: 0, res: { loaded: [ids[0]], refused: [], missing: [], skipped: [] } });
      expect(await readVintages(db, 'DGS10', '2023-02-02')).toEqual([
        { date: '2023-02-02', value: 3.4, realtime_start: '2024-02-10', realtime_end: '2024-02-09' },
      ]);
      expect((await quarantineRow(Number(ids[0])))?.released_at).not.toBeNull();
      const changed = storeChanges(before, await snapshotStore(db));
      // DGS10 is a daily series: no economic event is derived from it (events/repo.ts deriveEconomicEvents).
      // a release is audited (issue 24: one entry in the hash chain)
      expect(Object.keys(changed).sort()).toEqual([
        'config.audit_chain',
        'economic_data.observations',
        'ops.quarantine',
      ]);
      expect(changed['economic_data.observations']).toMatchObject({ removed: [] });
      expect(changed['economic_data.observations']?.added).toHaveLength(1);
      expect(changed['economic_data.observations']?.added[0]).toMatch(
        /^\(DGS10,2023-02-02,2024-02-10,2024-02-09,3\.4,fred,/,
      );
      expect(changed['ops.quarantine']?.added).toHaveLength(1);

      // Releasing it again: no longer pending, nothing stored twice.
      before = await snapshotStore(db);
      r = await release('--force', String(ids[0]));
      expect(r).toMatchObject({ code: 1, res: { loaded: [], missing: [ids[0]] } });
      expect(storeChanges(before, await snapshotStore(db))).toEqual({});

      // A date PostgreSQL refuses (SQLSTATE 22008) stays quarantined even when forced, with the store's reason.
      before = await snapshotStore(db);
      r = await release('--force', String(ids[1]));
      expect(r.code).toBe(1);
      expect(r.res.loaded).toEqual([]);
      expect(r.res.refused).toEqual([
        {
          id: ids[1],
          rule: 'store_refused',
          reason: expect.stringMatching(/^the store refused the row: .*2023-02-30/),
        },
      ]);
      expect(await quarantineRow(Number(ids[1]))).toMatchObject({ rule: 'store_refused', released_at: null });
      expect(Object.keys(storeChanges(before, await snapshotStore(db)))).toEqual(['ops.quarantine']);
      expect(await readVintages(db, 'DGS10', '2023-02-28')).toEqual([]);
    });

    it('news: an article no longer in the future is released without --force, deduplicated, once; a bad URL stays', async () => {
      // The loader ran two days ago (its `now`); the articles were published a day ago, so it saw them as
      // "in the future". The release judges them against the real clock, when they are a day old.
      const realNow = Date.now();
      const loaderNow = realNow - 2 * DAY;
      const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
      const article = (title: string, url: string, at: number) => ({
        source: { id: null, name: title.split(' - ')[1] ?? 'Example' },
        author: null,
        title,
        description: null,
        url,
        publishedAt: iso(at),
      });
      const articles = [
        article('Apple unveils a faster chip for its laptops', 'https://a.example/chip', realNow - DAY),
        // the same story as the next one (dedup.ts: equal title keys once the " - Publisher" suffix is gone)
        article(
          'Apple shares climb after strong iPhone sales - Reuters',
          'https://b.example/climb',
          realNow - DAY,
        ),
        article(
          'Apple shares climb after strong iPhone sales - Bloomberg',
          'https://c.example/climb',
          loaderNow - 3_600_000,
        ),
        article('Apple event recap', 'ftp://d.example/recap', loaderNow - DAY),
      ];
      await withLoopback(
        () => ({ body: { status: 'ok', totalResults: articles.length, articles } }),
        async (server) => {
          const s = await ingestNews(db, settings, {
            symbols: ['AAPL'],
            newsapi: new NewsApiClient(clientOptions(server, NEWS_KEY)),
            now: loaderNow,
          });
          expect(s).toMatchObject({ read: 4, stored: 1, quarantined: 3 });
        },
      );
      const entries = await pending('news');
      const byUrl = (url: string) => entries.find((e) => (e.raw as QuarantinedRecord).url === url);
      const chip = byUrl('https://a.example/chip');
      const dup = byUrl('https://b.example/climb');
      const ftp = byUrl('ftp://d.example/recap');
      expect([chip?.rule, dup?.rule, ftp?.rule]).toEqual([
        'future_timestamp',
        'future_timestamp',
        'invalid_url',
      ]);
      const articlesByUrl = async (url: string) =>
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM news.articles WHERE url = $1', [url]))
          .rows[0]?.n;

      let before = await snapshotStore(db);
      let r = await release(String(chip?.id));
      expect(r).toMatchObject({
        code: 0,
        res: { loaded: [chip?.id], refused: [], missing: [], skipped: [] },
      });
      expect(await articlesByUrl('https://a.example/chip')).toBe(1);
      let changed = storeChanges(before, await snapshotStore(db));
      expect(Object.keys(changed).sort()).toEqual([
        'config.audit_chain',
        'news.articles',
        'news.sentiment',
        'ops.quarantine',
      ]);
      expect(changed['news.articles']).toMatchObject({ removed: [] });
      expect(changed['news.articles']?.added).toHaveLength(1);
      // the lexicon score the loader gave the article for AAPL (lexicon.ts) came back with it
      expect(changed['news.sentiment']?.added).toHaveLength(1);
      expect(changed['news.sentiment']?.added[0]).toContain(',lexicon,');

      // Twice: not pending any more, no second article.
      before = await snapshotStore(db);
      r = await release(String(chip?.id));
      expect(r).toMatchObject({ code: 1, res: { loaded: [], missing: [chip?.id] } });
      expect(storeChanges(before, await snapshotStore(db))).toEqual({});

      // The Reuters copy of a story stored from Bloomberg: released, but stored once (news dedup rules).
      before = await snapshotStore(db);
      r = await release(String(dup?.id));
      expect(r).toMatchObject({ code: 0, res: { loaded: [dup?.id], refused: [] } });
      expect(await articlesByUrl('https://b.example/climb')).toBe(0);
      expect(await articlesByUrl('https://c.example/climb')).toBe(1);
      changed = storeChanges(before, await snapshotStore(db));
      expect(Object.keys(changed).sort()).toEqual(['config.audit_chain', 'ops.quarantine']);

      // Still not an http(s) URL: refused with the loader's reason, left pending.
      before = await snapshotStore(db);
      r = await release(String(ftp?.id));
      expect(r).toMatchObject({
        code: 1,
        res: {
          loaded: [],
          refused: [
            { id: ftp?.id, rule: 'invalid_url', reason: 'url "ftp://d.example/recap" is not an http(s) URL' },
          ],
        },
      });
      expect(storeChanges(before, await snapshotStore(db))).toEqual({});
      expect((await pending('news')).map((e) => e.id)).toEqual([ftp?.id]);
    });

    it('events: a forced dividend is stored once, a negative one stays (CHECK), an unknown type is skipped', async () => {
      const csv = [
        'type,symbol,date,amount,record_date',
        'dividend,SPY,2024-03-15,1.59,',
        // a record date written with a time: refused (invalid_date); a human judges the row fine
        'dividend,AAPL,2024-02-09,0.24,2024-02-12T00:00:00',
        'dividend,MSFT,2024-02-14,-0.75,',
        'bonus,AAPL,2024-01-01,,',
      ].join('\n');
      const s = await importEventsCsv(db, csv);
      expect(s).toMatchObject({ read: 3, stored: 1, quarantined: 3 });
      const dividends = await pending('events:dividend');
      const aapl = dividends.find((e) => e.symbol === 'AAPL');
      const msft = dividends.find((e) => e.symbol === 'MSFT');
      const [bonus] = await pending('events');
      expect(aapl).toMatchObject({
        rule: 'invalid_date',
        reason: 'record_date "2024-02-12T00:00:00" is not a YYYY-MM-DD date',
      });
      expect(msft).toMatchObject({
        rule: 'invalid_value',
        reason: 'dividend amount -0.75 is not a non-negative number',
      });
      const dividendRows = async (symbol: string) =>
        (
          await db.query<{ ex: string; record: string | null; amount: number }>(
            `SELECT to_char(d.ex_date, 'YYYY-MM-DD') AS ex, to_char(d.record_date, 'YYYY-MM-DD') AS record, d.amount
               FROM events.dividends d JOIN market_data.instruments i ON i.id = d.instrument_id WHERE i.symbol = $1`,
            [symbol],
          )
        ).rows.map((x) => ({ ...x, amount: Number(x.amount) }));

      let before = await snapshotStore(db);
      let r = await release(String(aapl?.id), String(msft?.id), String(bonus?.id));
      expect(r.code).toBe(1);
      expect(r.res).toMatchObject({ loaded: [], missing: [] });
      expect(r.res.refused).toEqual([
        { id: aapl?.id, rule: aapl?.rule, reason: aapl?.reason },
        { id: msft?.id, rule: msft?.rule, reason: msft?.reason },
      ]);
      expect(r.res.skipped).toEqual([
        {
          id: bonus?.id,
          interval: 'events',
          reason:
            'an events row of an unknown type keeps only its CSV cells: fix the file and run marketpipe events import FILE',
        },
      ]);
      expect(storeChanges(before, await snapshotStore(db))).toEqual({});

      before = await snapshotStore(db);
      r = await release('--force', String(aapl?.id));
      expect(r).toMatchObject({ code: 0, res: { loaded: [aapl?.id], refused: [] } });
      expect(await dividendRows('AAPL')).toEqual([{ ex: '2024-02-09', record: '2024-02-12', amount: 0.24 }]);
      const changed = storeChanges(before, await snapshotStore(db));
      expect(Object.keys(changed).sort()).toEqual([
        'config.audit_chain',
        'events.dividends',
        'ops.quarantine',
      ]);
      expect(changed['events.dividends']).toMatchObject({ removed: [] });
      expect(changed['events.dividends']?.added).toHaveLength(1);

      before = await snapshotStore(db);
      r = await release('--force', String(aapl?.id));
      expect(r).toMatchObject({ code: 1, res: { loaded: [], missing: [aapl?.id] } });
      expect(await dividendRows('AAPL')).toHaveLength(1);
      expect(storeChanges(before, await snapshotStore(db))).toEqual({});

      // events.dividends CHECK (amount >= 0), SQLSTATE 23514: the store refuses even a forced row.
      before = await snapshotStore(db);
      r = await release('--force', String(msft?.id));
      expect(r.code).toBe(1);
      expect(r.res.refused).toEqual([
        {
          id: msft?.id,
          rule: 'store_refused',
          reason: expect.stringMatching(/^the store refused the row: .*check constraint/),
        },
      ]);
      expect(await dividendRows('MSFT')).toEqual([]);
      expect(Object.keys(storeChanges(before, await snapshotStore(db)))).toEqual(['ops.quarantine']);
      expect((await pending('events:dividend')).map((e) => e.id)).toEqual([msft?.id]);
      expect((await pending('events')).map((e) => e.id)).toEqual([bonus?.id]);
    });

    it('bad ids: a non-number is one usage line, ids that are not pending are reported', async () => {
      await expect(release('12x')).rejects.toThrow('quarantine release: "12x" is not a quarantine id');
      const r = await release('987654');
      expect(r).toMatchObject({ code: 1, res: { loaded: [], refused: [], missing: [987654], skipped: [] } });
    });
  },
);
