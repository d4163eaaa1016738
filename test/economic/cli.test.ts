/**
 * `ingest economic|news|events`, `economic show`, `news`, `events list|import` through commander with only
 * these modules registered, against PGlite, with the providers' base URLs and keys taken from settings
 * (the `<PROVIDER>_BASE_URL` / `<PROVIDER>_API_KEY` path) pointing at loopback fakes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as economicCmd from '../../src/cli/commands/economic.ts';
import * as eventsCmd from '../../src/cli/commands/events.ts';
import * as newsCmd from '../../src/cli/commands/news.ts';
import { listRuns } from '../../src/jobs/history.ts';
import { loadSettings, type Settings } from '../../src/settings.ts';
import { type Loopback, startLoopback } from '../../src/sources/testing/loopback.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { runCommands } from '../support/cli.ts';

const SRC = join(import.meta.dirname, '../../src/sources');
const read = (p: string) => readFileSync(join(SRC, p), 'utf8');

describe('economic/news/events CLI commands (PGlite, providers from settings)', () => {
  let db: Db;
  let fake: Loopback;
  let settings: Settings;
  let out: unknown[] = [];
  const run = async (...args: string[]): Promise<number> => {
    out = [];
    const r = await runCommands([economicCmd, newsCmd, eventsCmd], { settings, db }, args, ['ingest']);
    out = r.printed;
    return r.code;
  };

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await upsertInstruments(db, [
      {
        symbol: 'DGS10',
        assetClass: 'economic',
        name: '10Y',
        currency: 'USD',
        timezone: 'UTC',
        sources: { fred: 'DGS10' },
      },
      {
        symbol: 'AAPL',
        assetClass: 'equity',
        name: 'Apple Inc.',
        currency: 'USD',
        timezone: 'America/New_York',
        sources: { polygon: 'AAPL' },
      },
    ]);
    // one fake answering as FRED, NewsAPI, AlphaVantage and Polygon by path
    fake = await startLoopback((req) => {
      const p = req.url.pathname;
      if (p === '/fred/series') return { body: read('fred/fixtures/series-DGS10.json') };
      if (p === '/fred/series/observations')
        return { body: read('fred/fixtures/observations-DGS10-2023-01.json') };
      if (p === '/fred/series/release') return { body: read('fred/fixtures/series-release-DGS10.json') };
      if (p === '/fred/release/dates') return { body: read('fred/fixtures/release-dates-18.json') };
      if (p === '/v2/everything') return { body: read('newsapi/fixtures/everything-2023-05-23.json') };
      if (p === '/query') return { body: read('alphavantage/fixtures/note-rate-limit.json') };
      if (p === '/v3/reference/dividends')
        return { body: read('polygon/fixtures/reference-dividends-AAPL-page2.json') };
      if (p === '/v3/reference/splits') return { body: read('polygon/fixtures/reference-splits-AAPL.json') };
      return { status: 404, body: {} };
    });
    const env: Record<string, string> = { MARKETPIPE_HOME: mkdtempSync(join(tmpdir(), 'mp-eco-cli-')) };
    for (const p of ['FRED', 'NEWSAPI', 'ALPHAVANTAGE', 'POLYGON']) {
      env[`${p}_BASE_URL`] = fake.baseUrl;
      env[`${p}_API_KEY`] = `${p.toLowerCase()}-key-0123456789`;
    }
    settings = loadSettings(env);
  });
  afterAll(async () => {
    await fake.close();
    await db.close();
  });

  it('ingest economic DGS10 prints the load summary and records the run', async () => {
    expect(await run('ingest', 'economic', 'DGS10')).toBe(0);
    expect(out[0]).toMatchObject({
      read: 22,
      stored: 22,
      failed: 0,
      instruments: [{ symbol: 'DGS10', stored: 22 }],
    });
    expect(fake.requests.some((r) => r.url.searchParams.get('api_key') === 'fred-key-0123456789')).toBe(true);
    const [runRow] = await listRuns(db, { job: 'ingest:economic' });
    expect(runRow).toMatchObject({ status: 'completed', records: 22 });
    expect(await run('economic', 'show', 'DGS10', '--from', '2023-01-30')).toBe(0);
    expect(out[0]).toMatchObject({
      series: 'DGS10',
      observations: [
        { date: '2023-01-30', value: 3.55 },
        { date: '2023-01-31', value: 3.52 },
      ],
    });
  });

  it('ingest news: NewsAPI stores, the AlphaVantage Note is reported as rate limiting (not data)', async () => {
    expect(await run('ingest', 'news', 'AAPL', '--since', '2023-05-01')).toBe(0);
    expect(out[0]).toMatchObject({ read: 20, stored: 20, failed: 1 });
    expect((out[0] as { instruments: Array<{ error?: string }> }).instruments[0]?.error).toMatch(
      /rate limited/,
    );
    expect(await run('news', '--symbol', 'AAPL', '--limit', '2')).toBe(0);
    expect((out[0] as { articles: unknown[] }).articles).toHaveLength(2);
  });

  it('ingest events AAPL, events list, events import FILE', async () => {
    expect(await run('ingest', 'events', 'AAPL')).toBe(0);
    // Polygon: 1 dividend + 2 splits; AlphaVantage earnings: rate limited (the whole request)
    expect(out[0]).toMatchObject({ read: 3, stored: 3, failed: 1 });
    const file = join(settings.home, 'events.csv');
    writeFileSync(
      file,
      'type,symbol,date,estimate,actual,time_of_day\nearnings,AAPL,2024-05-02,1.50,1.53,amc\n',
    );
    expect(await run('events', 'import', file)).toBe(0);
    expect(out[0]).toMatchObject({ stored: 1, failed: 0 });
    expect(await run('events', 'list', '--symbol', 'AAPL', '--type', 'earnings')).toBe(0);
    expect(out[0]).toMatchObject({
      events: [{ type: 'earnings', date: '2024-05-02', surprise: expect.closeTo(0.03, 9) }],
    });
  });

  it('bad usage throws UsageError (exit 2 in the real program)', async () => {
    await expect(run('events', 'list', '--type', 'buyback')).rejects.toThrow(/--type: expected one of/);
    await expect(run('economic', 'show', 'DGS10', '--from', '2023-13-01')).rejects.toThrow(
      /--from: expected a YYYY-MM-DD date/,
    );
    await expect(run('events', 'import', '/nonexistent/file.csv')).rejects.toThrow(/cannot read/);
    // as GET /api/economic/:series answers 404: an unknown series is an error, not an empty table
    await expect(run('economic', 'show', 'NOPE')).rejects.toThrow('unknown economic series "NOPE"');
  });
});
