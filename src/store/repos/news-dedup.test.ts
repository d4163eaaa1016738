import { describe, expect, it } from 'vitest';
import { lexiconSentiment } from '../../pipeline/feeds/news/lexicon.ts';
import { sameArticle, sameStory, titleKey, titleSimilarity } from './news-dedup.ts';

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

describe('templated articles are not duplicates', () => {
  // Benzinga's options-activity template (titles as in an AlphaVantage NEWS_SENTIMENT feed for NEM, 2024).
  const long = (t: string) =>
    titleKey(
      `Here Is What Options Traders And Market Whales Are Betting On ${t} Ahead Of Earnings This Week`,
    );

  it('a substituted ticker is another story even when the word overlap is above the threshold', () => {
    const a = long('NEM');
    const b = long('GOLD');
    expect(titleSimilarity(a, b)).toBeGreaterThanOrEqual(0.85);
    expect(sameStory(a, b)).toBe(false);
  });

  it('added words only (a site lengthened the headline) are still the same story', () => {
    const a = titleKey('Apple beats estimates as iPhone sales surge in China and India on strong demand');
    const b = titleKey(
      'Apple beats estimates as iPhone sales surge in China and India on strong demand again',
    );
    expect(sameStory(a, b)).toBe(true);
  });

  it('one site, two URLs: one article only when the descriptions agree', () => {
    const title = titleKey(
      'Market Whales and Their Recent Bets on GOLD Options - Barrick Gold ( NYSE:GOLD )',
    );
    const a = {
      url: 'https://www.benzinga.com/insights/options/24/09/40990670/market-whales-and-their-recent-bets-on-gold-options',
      key: title,
      description:
        'Whales with a lot of money to spend have taken a noticeably bearish stance on Barrick Gold.',
      at: Date.UTC(2024, 8, 23, 20, 1, 31),
    };
    const b = {
      url: 'https://www.benzinga.com/insights/options/24/09/41011865/market-whales-and-their-recent-bets-on-gold-options',
      key: title,
      description:
        'Financial giants have made a conspicuous bullish move on Barrick Gold. Our analysis shows 14 trades.',
      at: Date.UTC(2024, 8, 24, 17, 45, 53),
    };
    expect(sameArticle(a, b)).toBe(false);
    expect(sameArticle(a, { ...b, description: a.description })).toBe(true);
    // Syndication: the same press release on two sites is one article whatever the summaries say.
    expect(
      sameArticle(a, { ...b, url: 'https://www.globenewswire.com/news-release/2024/09/23/1/0/en/x.html' }),
    ).toBe(true);
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
