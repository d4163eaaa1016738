/** Quality rules for articles: an http(s) URL, a title, a publication time not in the future. */

import type { NewsItem } from '../../../core/news.ts';
import type { RecordRejection } from '../quarantine-records.ts';

/** Publication times up to this far ahead of our clock are accepted (provider clock skew). */
const FUTURE_SLACK_MS = 5 * 60_000;

export function validateNews(
  items: readonly NewsItem[],
  now: number,
  symbol: string | null,
): { accepted: NewsItem[]; rejected: RecordRejection[] } {
  const accepted: NewsItem[] = [];
  const rejected: RecordRejection[] = [];
  for (const item of items) {
    const a = item.article;
    let problem: { rule: string; reason: string } | undefined;
    if (!/^https?:\/\/\S+$/i.test(a.url))
      problem = { rule: 'invalid_url', reason: `url "${a.url}" is not an http(s) URL` };
    else if (a.title.trim() === '') problem = { rule: 'missing_title', reason: 'the article has no title' };
    else if (!Number.isFinite(a.publishedAt))
      problem = { rule: 'invalid_timestamp', reason: 'published_at is not a time' };
    else if (a.publishedAt > now + FUTURE_SLACK_MS)
      problem = {
        rule: 'future_timestamp',
        reason: `published_at ${new Date(a.publishedAt).toISOString()} is in the future`,
      };
    if (problem === undefined) accepted.push(item);
    else
      rejected.push({
        symbol,
        kind: 'news',
        ts: Number.isFinite(a.publishedAt) ? a.publishedAt : null,
        raw: { ...a, sentiments: item.sentiments },
        ...problem,
      });
  }
  return { accepted, rejected };
}
