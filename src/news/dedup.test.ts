import { describe, expect, it } from 'vitest';
import { sameStory, titleKey, titleSimilarity } from './dedup.ts';
import { lexiconSentiment } from './lexicon.ts';

describe('titleKey', () => {
  it('drops the publisher suffix, case and punctuation', () => {
    // title as NewsAPI writes it (fixture news_app_everything_2023-05-23.json)
    expect(titleKey('Apple announces multibillion-dollar deal with Broadcom - Apple')).toBe(
      'apple announces multibillion dollar deal with broadcom',
    );
  });
});

describe('sameStory', () => {
  it('matches the same story on two sites', () => {
    expect(
      sameStory(
        titleKey('Apple beats estimates as iPhone sales surge - Reuters'),
        titleKey('Apple Beats Estimates as iPhone Sales Surge | CNBC'),
      ),
    ).toBe(true);
  });
  it('keeps different stories apart', () => {
    const a = titleKey('Apple beats estimates as iPhone sales surge');
    const b = titleKey('Apple misses estimates as iPhone sales slump');
    expect(titleSimilarity(a, b)).toBeLessThan(0.85);
    expect(sameStory(a, b)).toBe(false);
  });
});

describe('lexiconSentiment', () => {
  it('scores (P − N) / (P + N + 2) on the AlphaVantage scale', () => {
    expect(lexiconSentiment('Shares surge after record profit').score).toBeCloseTo(3 / 5, 12);
    expect(lexiconSentiment('Shares plunge on fraud probe').label).toBe('Bearish');
    expect(lexiconSentiment('Company holds annual meeting').score).toBe(0);
  });
  it('flips words after a negator', () => {
    expect(lexiconSentiment('Earnings did not beat expectations').score).toBeCloseTo(-1 / 3, 12);
    expect(lexiconSentiment("Analysts don't expect a recession").score).toBeCloseTo(1 / 3, 12);
  });
});
