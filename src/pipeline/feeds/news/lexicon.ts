/**
 * Our own sentiment score for articles no provider scored: a small finance lexicon (words chosen by us, in
 * the spirit of the Loughran–McDonald lists: words that move a market reader, not general-purpose mood).
 *
 * score = (P − N) / (P + N + 2), over the title and description, where P and N count positive and negative
 * words; a word within three words after a negator (not, no, never, without, n't) counts for the other side.
 * The +2 damps one-word evidence (one positive word alone scores 0.33, "Somewhat-Bullish"); the result lies
 * in (−1, 1) and is labelled with AlphaVantage's buckets so both scorers read the same.
 */
import { type NewsItem, type SentimentLabel, sentimentLabel } from '../../../core/news.ts';

const POSITIVE = new Set(
  `beat beats beating surge surges surged soar soars soared rally rallies rallied gain gains gained jump jumps jumped
   record upgrade upgrades upgraded outperform outperforms strong stronger strength growth grow grows grew profit
   profits profitable rise rises rose rising boost boosts boosted bullish optimism optimistic win wins won
   exceed exceeds exceeded improve improves improved recovery recover recovers rebound rebounds rebounded
   positive upbeat expand expands expansion success successful breakthrough approval approved dividend raise raises raised`
    .split(/\s+/)
    .filter(Boolean),
);

const NEGATIVE = new Set(
  `miss misses missed plunge plunges plunged fall falls fell drop drops dropped slump slumps slumped crash crashes
   crashed downgrade downgrades downgraded underperform weak weaker weakness loss losses lose loses lost decline
   declines declined bearish fear fears concern concerns worried worry risk risks lawsuit sue sued probe investigation
   fraud recall recalls layoff layoffs cut cuts cutting bankrupt bankruptcy default defaults warning warns warned
   slowdown recession inflation tumble tumbles tumbled sink sinks sank negative fine fined penalty delay delays
   delayed halt halted depeg depegs volatile volatility selloff sell-off`
    .split(/\s+/)
    .filter(Boolean),
);

const NEGATORS = new Set(['not', 'no', 'never', 'without', "n't", 'nor']);

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/n't\b/g, " n't")
    .split(/[^a-z'-]+/)
    .map((t) => t.replace(/^'+|'+$/g, ''))
    .filter((t) => t !== '');
}

export interface LexiconScore {
  score: number;
  label: SentimentLabel;
  positive: number;
  negative: number;
}

export function lexiconSentiment(text: string): LexiconScore {
  let positive = 0;
  let negative = 0;
  let negateFor = 0;
  for (const t of tokens(text)) {
    const pos = POSITIVE.has(t);
    const neg = NEGATIVE.has(t);
    if (pos || neg) {
      const flip = negateFor > 0;
      if (pos !== flip) positive += 1;
      else negative += 1;
    }
    negateFor = NEGATORS.has(t) ? 3 : Math.max(0, negateFor - 1);
  }
  const score = (positive - negative) / (positive + negative + 2);
  return { score, label: sentimentLabel(score), positive, negative };
}

/** Adds our lexicon score for `symbol` to items no provider scored for it. */
export function withLexicon(items: readonly NewsItem[], symbol: string): NewsItem[] {
  return items.map((item) => {
    if (item.sentiments.some((s) => s.symbol === symbol)) return item;
    const { score, label } = lexiconSentiment(`${item.article.title}. ${item.article.description ?? ''}`);
    return {
      ...item,
      sentiments: [...item.sentiments, { symbol, provider: 'lexicon', score, label, relevance: null }],
    };
  });
}
