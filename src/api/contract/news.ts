import { z } from 'zod';
import { errorResponses } from './common.ts';

/** Stored news articles with their sentiment per instrument (`GET /api/news`). */

const NewsQuery = z.object({
  symbol: z.string().max(32).optional(),
  since: z.string().max(40).optional().describe('ISO date/time'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const NewsArticle = z.object({
  id: z.number().int(),
  url: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  source: z.string(),
  provider: z.string(),
  published_at: z.string(),
  language: z.string().nullable(),
  /** Provider scores and our lexicon score, per instrument. */
  sentiment: z.array(
    z.object({
      symbol: z.string(),
      provider: z.string(),
      score: z.number(),
      label: z.string(),
      relevance: z.number().nullable(),
    }),
  ),
});

/** Route schemas (OpenAPI document, validation, serialisation). */
export const newsRoutes = {
  list: {
    summary: 'News articles, newest first, with sentiment (provider scores and our lexicon score)',
    tags: ['news'],
    querystring: NewsQuery,
    response: { 200: z.object({ articles: z.array(NewsArticle) }), ...errorResponses },
  },
} as const;
