/** NewsAPI wire format (https://newsapi.org/docs/endpoints/everything, /docs/errors). */
import { z } from 'zod';

export const NewsApiArticle = z.object({
  source: z.object({ id: z.string().nullable().optional(), name: z.string().nullable().optional() }),
  author: z.string().nullable().optional(),
  title: z.string().nullable(),
  description: z.string().nullable().optional(),
  url: z.string(),
  urlToImage: z.string().nullable().optional(),
  /** ISO-8601 UTC, e.g. "2023-05-23T13:58:57Z". */
  publishedAt: z.string(),
  content: z.string().nullable().optional(),
});
export type NewsApiArticle = z.infer<typeof NewsApiArticle>;

export const NewsApiResponse = z.object({
  status: z.literal('ok'),
  totalResults: z.number(),
  articles: z.array(NewsApiArticle),
});

/** `{status: "error", code, message}` with a 4xx/5xx status. */
export const NewsApiError = z.object({ status: z.literal('error'), code: z.string(), message: z.string() });
