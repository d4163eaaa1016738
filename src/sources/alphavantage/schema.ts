/**
 * Alpha Vantage wire formats (https://www.alphavantage.co/documentation/#news-sentiment and
 * #earnings-calendar). Scores in `ticker_sentiment` are strings; the overall score is a number.
 * Any endpoint may answer HTTP 200 with `{"Note": …}` or `{"Information": …}` (rate limit / plan message)
 * or `{"Error Message": …}` instead of data.
 */
import { z } from 'zod';

const num = z.union([z.number(), z.string()]).transform((v) => Number(v));

const AvTickerSentiment = z.object({
  ticker: z.string(),
  relevance_score: num,
  ticker_sentiment_score: num,
  ticker_sentiment_label: z.string(),
});

export const AvFeedItem = z.object({
  title: z.string(),
  url: z.string(),
  /** "20240110T153000" (YYYYMMDDTHHMMSS, read as UTC). */
  time_published: z.string(),
  authors: z.array(z.string()).optional(),
  summary: z.string().optional(),
  banner_image: z.string().nullable().optional(),
  source: z.string(),
  category_within_source: z.string().optional(),
  source_domain: z.string().optional(),
  topics: z.array(z.object({ topic: z.string(), relevance_score: num })).optional(),
  overall_sentiment_score: num.optional(),
  overall_sentiment_label: z.string().optional(),
  ticker_sentiment: z.array(AvTickerSentiment).optional(),
});
export type AvFeedItem = z.infer<typeof AvFeedItem>;

export const AvNewsResponse = z.object({
  items: z.union([z.string(), z.number()]).optional(),
  sentiment_score_definition: z.string().optional(),
  relevance_score_definition: z.string().optional(),
  feed: z.array(AvFeedItem),
});

/** The bodies Alpha Vantage sends with HTTP 200 instead of data. */
export const AvMessage = z.union([
  z.object({ Note: z.string() }),
  z.object({ Information: z.string() }),
  z.object({ 'Error Message': z.string() }),
]);
