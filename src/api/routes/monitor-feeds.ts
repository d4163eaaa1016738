import type { Queryable } from '../../store/db.ts';
import { feedCounts } from '../../store/repos/feed-counts.ts';
import type { FeedCoverage } from '../contract/monitor.ts';

interface Spans {
  econ_first: string | null;
  econ_last: string | null;
  econ_series: number;
  news_first: string | null;
  news_last: string | null;
  news_sources: number;
  events_first: string | null;
  events_last: string | null;
  events_instruments: number;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS"Z"'`;

/** Records, series/sources/instruments, date range and freshness of economic data, news and events (one card each). */
export async function feedCoverage(db: Queryable, now = Date.now()): Promise<FeedCoverage[]> {
  const counts = await feedCounts(db);
  const res = await db.query<Spans>(
    `SELECT (SELECT to_char(min(date), 'YYYY-MM-DD') FROM economic_data.observations) AS econ_first,
            (SELECT to_char(max(date), 'YYYY-MM-DD') FROM economic_data.observations) AS econ_last,
            (SELECT count(DISTINCT series_id)::int FROM economic_data.observations) AS econ_series,
            (SELECT to_char(min(published_at) AT TIME ZONE 'UTC', ${ISO}) FROM news.articles) AS news_first,
            (SELECT to_char(max(published_at) AT TIME ZONE 'UTC', ${ISO}) FROM news.articles) AS news_last,
            (SELECT count(DISTINCT source)::int FROM news.articles) AS news_sources,
            (SELECT to_char(min(d), 'YYYY-MM-DD') FROM (
               SELECT report_date AS d FROM events.earnings UNION ALL SELECT ex_date FROM events.dividends
               UNION ALL SELECT ex_date FROM events.splits UNION ALL SELECT release_date FROM events.economic) x) AS events_first,
            (SELECT to_char(max(d), 'YYYY-MM-DD') FROM (
               SELECT report_date AS d FROM events.earnings UNION ALL SELECT ex_date FROM events.dividends
               UNION ALL SELECT ex_date FROM events.splits UNION ALL SELECT release_date FROM events.economic) x) AS events_last,
            (SELECT count(DISTINCT instrument_id)::int FROM (
               SELECT instrument_id FROM events.earnings UNION ALL SELECT instrument_id FROM events.dividends
               UNION ALL SELECT instrument_id FROM events.splits) y) AS events_instruments`,
  );
  const s = res.rows[0];
  const age = (last: string | null | undefined): number | null => {
    if (!last) return null;
    const t = Date.parse(last);
    return Number.isNaN(t) ? null : Math.max(0, Math.round((now - t) / 1000));
  };
  const events = {
    earnings: counts.earnings,
    dividends: counts.dividends,
    splits: counts.splits,
    economic: counts.economic_events,
  };
  return [
    {
      schema: 'economic_data',
      records: counts.economic_observations,
      instruments: Number(s?.econ_series ?? 0),
      unit: 'series',
      first: s?.econ_first ?? null,
      last: s?.econ_last ?? null,
      freshness_seconds: age(s?.econ_last),
      tables: {
        series: counts.economic_series,
        observations: counts.economic_observations,
        releases: counts.economic_releases,
      },
    },
    {
      schema: 'news',
      records: counts.news_articles,
      instruments: Number(s?.news_sources ?? 0),
      unit: 'sources',
      first: s?.news_first ?? null,
      last: s?.news_last ?? null,
      freshness_seconds: age(s?.news_last),
      tables: { articles: counts.news_articles, sentiment: counts.news_sentiment },
    },
    {
      schema: 'events',
      records: Object.values(events).reduce((a, b) => a + b, 0),
      instruments: Number(s?.events_instruments ?? 0),
      unit: 'instruments',
      first: s?.events_first ?? null,
      last: s?.events_last ?? null,
      freshness_seconds: age(s?.events_last),
      tables: events,
    },
  ];
}
