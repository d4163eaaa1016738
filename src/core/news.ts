/** News articles and their sentiment as stored in the `news` schema. */

interface Article {
  url: string;
  title: string;
  description: string | null;
  author: string | null;
  /** Publisher name ("Reuters", "Benzinga"). */
  source: string;
  /** Where we got it: 'newsapi', 'alphavantage', 'sample'. */
  provider: string;
  /** UTC ms. */
  publishedAt: number;
  language: string | null;
}

/**
 * Sentiment of an article about one instrument, on AlphaVantage's scale: −1 (bearish) … +1 (bullish).
 * `provider` is the scorer: 'alphavantage' or 'lexicon' (ours, see lexicon.ts).
 */
interface ArticleSentiment {
  symbol: string;
  provider: string;
  score: number;
  label: SentimentLabel;
  /** 0 < x ≤ 1, how much the article is about the instrument; null when unknown. */
  relevance: number | null;
}

export const SENTIMENT_LABELS = [
  'Bearish',
  'Somewhat-Bearish',
  'Neutral',
  'Somewhat-Bullish',
  'Bullish',
] as const;
export type SentimentLabel = (typeof SENTIMENT_LABELS)[number];

/** An article as a connector delivers it, with any provider sentiment. */
export interface NewsItem {
  article: Article;
  sentiments: ArticleSentiment[];
}

/**
 * AlphaVantage's documented buckets: x ≤ −0.35 Bearish; −0.35 < x ≤ −0.15 Somewhat-Bearish;
 * −0.15 < x < 0.15 Neutral; 0.15 ≤ x < 0.35 Somewhat-Bullish; x ≥ 0.35 Bullish.
 */
export function sentimentLabel(score: number): SentimentLabel {
  if (score <= -0.35) return 'Bearish';
  if (score <= -0.15) return 'Somewhat-Bearish';
  if (score < 0.15) return 'Neutral';
  if (score < 0.35) return 'Somewhat-Bullish';
  return 'Bullish';
}
