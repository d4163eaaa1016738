import { afterEach, describe, expect, it } from 'vitest';
import { ProviderAuthError, ProviderRequestError, RateLimitedError } from '../errors.ts';
import { type Loopback, seededRandom, startLoopback, virtualClock } from '../testing/loopback.ts';
import { classifyNewsApiError, NewsApiClient } from './client.ts';

const err = (code: string) => JSON.stringify({ status: 'error', code, message: `${code} message` });

describe('classifyNewsApiError (documented codes, https://newsapi.org/docs/errors)', () => {
  it('maps codes to typed errors', () => {
    expect(classifyNewsApiError(401, err('apiKeyInvalid'))).toBeInstanceOf(ProviderAuthError);
    expect(classifyNewsApiError(401, err('apiKeyMissing'))).toBeInstanceOf(ProviderAuthError);
    expect(classifyNewsApiError(429, err('apiKeyExhausted'))).toBeInstanceOf(RateLimitedError);
    expect(classifyNewsApiError(429, err('rateLimited'))).toBeUndefined(); // default mapping retries it
    expect(classifyNewsApiError(400, err('parameterInvalid'))).toBeInstanceOf(ProviderRequestError);
  });
});

describe('NewsApiClient.everything paging (loopback)', () => {
  let server: Loopback | undefined;
  afterEach(async () => server?.close());

  const article = (i: number) => ({
    source: { id: null, name: 'S' },
    title: `Story ${i}`,
    url: `https://s.example/${i}`,
    publishedAt: '2024-01-01T00:00:00Z',
  });

  it('reads pages until totalResults, and stops quietly at maximumResultsReached', async () => {
    server = await startLoopback((req) => {
      const page = Number(req.url.searchParams.get('page'));
      if (page === 3)
        return {
          status: 426,
          body: {
            status: 'error',
            code: 'maximumResultsReached',
            message: 'You have requested too many results.',
          },
        };
      return {
        body: { status: 'ok', totalResults: 500, articles: [article(page * 2), article(page * 2 + 1)] },
      };
    });
    const client = new NewsApiClient({
      baseUrl: server.baseUrl,
      apiKey: 'k-0123456789',
      clock: virtualClock(),
      random: seededRandom(1),
    });
    const items = await client.everything({ q: 'x', pageSize: 2, maxPages: 5 });
    expect(items.map((i) => i.article.title)).toEqual(['Story 2', 'Story 3', 'Story 4', 'Story 5']);
    expect(server.requests).toHaveLength(3);
  });

  it('skips "[Removed]" articles', async () => {
    server = await startLoopback(() => ({
      body: { status: 'ok', totalResults: 2, articles: [article(1), { ...article(2), title: '[Removed]' }] },
    }));
    const client = new NewsApiClient({
      baseUrl: server.baseUrl,
      apiKey: 'k-0123456789',
      clock: virtualClock(),
      random: seededRandom(1),
    });
    expect((await client.everything({ q: 'x' })).map((i) => i.article.url)).toEqual(['https://s.example/1']);
  });
});
