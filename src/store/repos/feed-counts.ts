/** Row counts of the economic, news and events tables, for the data monitor. */
import type { Queryable } from '../db.ts';

export interface FeedCounts {
  economic_series: number;
  economic_observations: number;
  economic_releases: number;
  news_articles: number;
  news_sentiment: number;
  earnings: number;
  dividends: number;
  splits: number;
  economic_events: number;
  /** Newest observation date / article time / event date, ISO, or null. */
  latest: { economic: string | null; news: string | null; events: string | null };
}

export async function feedCounts(db: Queryable): Promise<FeedCounts> {
  const res = await db.query<Record<string, number | string | null>>(
    `SELECT (SELECT count(*)::int FROM economic_data.series) AS economic_series,
            (SELECT count(*)::int FROM economic_data.observations) AS economic_observations,
            (SELECT count(*)::int FROM economic_data.releases) AS economic_releases,
            (SELECT count(*)::int FROM news.articles) AS news_articles,
            (SELECT count(*)::int FROM news.sentiment) AS news_sentiment,
            (SELECT count(*)::int FROM events.earnings) AS earnings,
            (SELECT count(*)::int FROM events.dividends) AS dividends,
            (SELECT count(*)::int FROM events.splits) AS splits,
            (SELECT count(*)::int FROM events.economic) AS economic_events,
            (SELECT to_char(max(date), 'YYYY-MM-DD') FROM economic_data.observations) AS latest_economic,
            (SELECT to_char(max(published_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM news.articles) AS latest_news,
            (SELECT to_char(max(d), 'YYYY-MM-DD') FROM (SELECT max(report_date) AS d FROM events.earnings
               UNION ALL SELECT max(ex_date) FROM events.dividends UNION ALL SELECT max(ex_date) FROM events.splits) x) AS latest_events`,
  );
  const r = res.rows[0] ?? {};
  const n = (k: string) => Number(r[k] ?? 0);
  const s = (k: string) => (r[k] === null || r[k] === undefined ? null : String(r[k]));
  return {
    economic_series: n('economic_series'),
    economic_observations: n('economic_observations'),
    economic_releases: n('economic_releases'),
    news_articles: n('news_articles'),
    news_sentiment: n('news_sentiment'),
    earnings: n('earnings'),
    dividends: n('dividends'),
    splits: n('splits'),
    economic_events: n('economic_events'),
    latest: { economic: s('latest_economic'), news: s('latest_news'), events: s('latest_events') },
  };
}
