/** NewsAPI wire → news items (pure). */
import type { NewsItem } from '../../core/news.ts';
import type { NewsApiArticle } from './schema.ts';

/** NewsAPI marks removed articles with the title "[Removed]"; those and unreadable dates are skipped. */
export function newsApiItem(a: NewsApiArticle, language: string | null): NewsItem | undefined {
  const publishedAt = Date.parse(a.publishedAt);
  const title = a.title?.trim() ?? '';
  if (title === '' || title === '[Removed]' || !Number.isFinite(publishedAt)) return undefined;
  return {
    article: {
      url: a.url,
      title,
      description: a.description ?? null,
      author: a.author === '' ? null : (a.author ?? null),
      source: a.source.name ?? a.source.id ?? 'unknown',
      provider: 'newsapi',
      publishedAt,
      language,
    },
    sentiments: [],
  };
}
