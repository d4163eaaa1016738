/**
 * `news` repository. Articles are stored once: a known URL, or the same story as an article published
 * within three days (dedup.ts `sameArticle`), maps to the stored article. Sentiments of the same URL
 * update that article's; those of a merged copy (another URL) only add what the kept article lacks — the
 * kept article keeps its own scores.
 */

import type { NewsItem } from '../../core/news.ts';
import { DAY_MS } from '../../core/time.ts';
import type { Queryable } from '../db.ts';
import { sameArticle, titleKey } from './news-dedup.ts';

const WINDOW_MS = 3 * DAY_MS;

export interface StoreNewsResult {
  /** New articles stored. */
  stored: number;
  /** Articles already stored (same URL or same story). */
  unchanged: number;
  /** Sentiment rows inserted or changed. */
  sentiments: number;
  /** Symbols with no instrument (their sentiments were not stored). */
  unknown: string[];
}

export async function storeNews(db: Queryable, items: readonly NewsItem[]): Promise<StoreNewsResult> {
  const result: StoreNewsResult = { stored: 0, unchanged: 0, sentiments: 0, unknown: [] };
  if (items.length === 0) return result;
  const times = items.map((i) => i.article.publishedAt);
  const from = new Date(Math.min(...times) - WINDOW_MS).toISOString();
  const to = new Date(Math.max(...times) + WINDOW_MS).toISOString();
  const near = await db.query<{
    id: number;
    url: string;
    title_key: string;
    description: string | null;
    published_at: Date | string;
  }>(
    `SELECT id, url, title_key, description, published_at FROM news.articles WHERE published_at BETWEEN $1 AND $2`,
    [from, to],
  );
  const known = near.rows.map((r) => ({
    id: Number(r.id),
    url: r.url,
    key: r.title_key,
    description: r.description,
    at: new Date(r.published_at).getTime(),
  }));
  const symbols = [...new Set(items.flatMap((i) => i.sentiments.map((s) => s.symbol)))];
  const idRes = await db.query<{ id: number; symbol: string }>(
    'SELECT id, symbol FROM market_data.instruments WHERE symbol = ANY($1::text[])',
    [symbols],
  );
  const instrumentIds = new Map(idRes.rows.map((r) => [r.symbol, Number(r.id)]));
  const unknown = new Set<string>();
  for (const { article, sentiments } of items) {
    const key = titleKey(article.title);
    const view = { url: article.url, key, description: article.description, at: article.publishedAt };
    let id = known.find((k) => k.url === article.url)?.id;
    if (id === undefined) {
      const byUrl = await db.query<{ id: number }>('SELECT id FROM news.articles WHERE url = $1', [
        article.url,
      ]);
      id = byUrl.rows[0] ? Number(byUrl.rows[0].id) : undefined;
    }
    // Found by URL: the same article (its scores may be updated). Otherwise a merged copy or a new one.
    const sameUrl = id !== undefined;
    if (id === undefined)
      id = known.find((k) => Math.abs(k.at - article.publishedAt) <= WINDOW_MS && sameArticle(k, view))?.id;
    const merged = id !== undefined && !sameUrl;
    if (id === undefined) {
      const ins = await db.query<{ id: number }>(
        `INSERT INTO news.articles (source, provider, url, title, title_key, description, author, published_at, language)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          article.source,
          article.provider,
          article.url,
          article.title,
          key,
          article.description,
          article.author,
          new Date(article.publishedAt).toISOString(),
          article.language,
        ],
      );
      id = Number(ins.rows[0]?.id);
      known.push({ id, ...view });
      result.stored += 1;
    } else result.unchanged += 1;
    for (const s of sentiments) {
      const instrument = instrumentIds.get(s.symbol);
      if (instrument === undefined) {
        unknown.add(s.symbol);
        continue;
      }
      // A merged copy's scores were computed on another text: they never replace the kept article's own.
      const onConflict = merged
        ? 'DO NOTHING'
        : `DO UPDATE SET score = EXCLUDED.score, label = EXCLUDED.label, relevance = EXCLUDED.relevance
           WHERE (s.score, s.label, s.relevance) IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.label, EXCLUDED.relevance)`;
      const res = await db.query(
        `INSERT INTO news.sentiment AS s (article_id, instrument_id, provider, score, label, relevance)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (article_id, instrument_id, provider) ${onConflict}`,
        [id, instrument, s.provider, s.score, s.label, s.relevance],
      );
      result.sentiments += res.rowCount;
    }
  }
  result.unknown = [...unknown];
  return result;
}

export interface NewsRow {
  id: number;
  url: string;
  title: string;
  description: string | null;
  source: string;
  provider: string;
  published_at: string;
  language: string | null;
  sentiment: Array<{
    symbol: string;
    provider: string;
    score: number;
    label: string;
    relevance: number | null;
  }>;
}

export interface NewsQuery {
  symbol?: string;
  /** UTC ms. */
  since?: number;
  /** @defaultValue 100 */
  limit?: number;
}

/** Newest first; with `symbol`, only articles with a sentiment row for it. */
export async function readNews(db: Queryable, q: NewsQuery = {}): Promise<NewsRow[]> {
  const res = await db.query<
    Omit<NewsRow, 'sentiment'> & { sentiment: NewsRow['sentiment'] | string | null }
  >(
    `SELECT a.id::int AS id, a.url, a.title, a.description, a.source, a.provider,
            to_char(a.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS published_at, a.language,
            (SELECT COALESCE(jsonb_agg(jsonb_build_object('symbol', i.symbol, 'provider', s.provider, 'score', s.score,
                                                          'label', s.label, 'relevance', s.relevance)
                                       ORDER BY i.symbol, s.provider), '[]'::jsonb)
               FROM news.sentiment s JOIN market_data.instruments i ON i.id = s.instrument_id
              WHERE s.article_id = a.id) AS sentiment
       FROM news.articles a
      WHERE ($1::text IS NULL OR EXISTS (SELECT 1 FROM news.sentiment s JOIN market_data.instruments i ON i.id = s.instrument_id
                                          WHERE s.article_id = a.id AND i.symbol = $1))
        AND ($2::timestamptz IS NULL OR a.published_at >= $2::timestamptz)
      ORDER BY a.published_at DESC, a.id DESC LIMIT $3`,
    [q.symbol ?? null, q.since === undefined ? null : new Date(q.since).toISOString(), q.limit ?? 100],
  );
  return res.rows.map((r) => ({
    ...r,
    id: Number(r.id),
    sentiment: typeof r.sentiment === 'string' ? JSON.parse(r.sentiment) : (r.sentiment ?? []),
  }));
}
