/**
 * NewsAPI connector: `/v2/everything` searched by instrument keywords, key in the `X-Api-Key` header
 * (`NEWSAPI_API_KEY`). Errors arrive as `{status:"error", code, message}`: the `code` (documented list)
 * decides the typed error, e.g. `apiKeyInvalid` → auth, `rateLimited` → rate limited (retried on its 429).
 */

import type { NewsItem } from '../../core/news.ts';
import { toIso } from '../../core/time.ts';
import {
  BadPayloadError,
  ProviderAuthError,
  type ProviderError,
  ProviderRequestError,
  RateLimitedError,
} from '../errors.ts';
import type { HttpClient } from '../http.ts';
import { httpFor, type ProviderOptions, safeJson, trimBase } from '../support.ts';
import { newsApiItem } from './mapping.ts';
import { NewsApiError, NewsApiResponse } from './schema.ts';

const NEWSAPI_DEFAULT_BASE_URL = 'https://newsapi.org';

const AUTH_CODES = new Set(['apiKeyDisabled', 'apiKeyInvalid', 'apiKeyMissing']);

/**
 * A typed error for NewsAPI's error body. `rateLimited` (429) and `unexpectedError` (500) are left to the
 * default mapping so they are retried (honouring Retry-After); `maximumResultsReached` ends paging.
 */
export function classifyNewsApiError(status: number, body: string): ProviderError | undefined {
  const parsed = NewsApiError.safeParse(safeJson(body));
  if (!parsed.success) return undefined;
  const { code, message } = parsed.data;
  const common = { httpStatus: status };
  if (AUTH_CODES.has(code))
    return new ProviderAuthError('newsapi', `${code}: ${message} (check NEWSAPI_API_KEY)`, common);
  if (code === 'apiKeyExhausted') return new RateLimitedError('newsapi', `${code}: ${message}`, common);
  if (code === 'rateLimited' || code === 'unexpectedError') return undefined;
  return new ProviderRequestError('newsapi', `${code}: ${message}`, common);
}

export interface EverythingQuery {
  /** Keywords or phrases; NewsAPI syntax (`"Apple" OR AAPL`). */
  q: string;
  /** UTC ms. */
  from?: number;
  to?: number;
  /** @defaultValue 'en' */
  language?: string;
  /** @defaultValue 100 (NewsAPI's maximum) */
  pageSize?: number;
  /** Pages to read at most (the developer plan stops at 100 results). @defaultValue 1 */
  maxPages?: number;
  signal?: AbortSignal;
}

export class NewsApiClient {
  readonly name = 'newsapi';
  readonly http: HttpClient;
  readonly configured: boolean;
  private readonly base: string;
  private readonly apiKey: string;

  constructor(options: ProviderOptions = {}) {
    this.base = trimBase(options.baseUrl ?? NEWSAPI_DEFAULT_BASE_URL);
    this.apiKey = options.apiKey ?? '';
    this.configured = this.apiKey !== '';
    this.http = httpFor(this.name, {
      ...options,
      limits: {
        rateLimit: { requests: 100, intervalMs: 60_000, burst: 5 },
        concurrency: 2,
        ...options.limits,
      },
    });
  }

  /** Articles matching the query, newest first, as news items without provider sentiment. */
  async everything(query: EverythingQuery): Promise<NewsItem[]> {
    const out: NewsItem[] = [];
    const language = query.language ?? 'en';
    const pageSize = query.pageSize ?? 100;
    for (let page = 1; page <= (query.maxPages ?? 1); page++) {
      const params = new URLSearchParams({
        q: query.q,
        language,
        sortBy: 'publishedAt',
        pageSize: String(pageSize),
        page: String(page),
      });
      if (query.from !== undefined) params.set('from', toIso(query.from));
      if (query.to !== undefined) params.set('to', toIso(query.to));
      let body: string;
      try {
        body = await this.http.getText(`${this.base}/v2/everything?${params.toString()}`, {
          headers: { 'X-Api-Key': this.apiKey },
          signal: query.signal,
          classify: classifyNewsApiError,
        });
      } catch (err) {
        // the plan's result cap: what we have is the answer
        if (err instanceof ProviderRequestError && err.message.includes('maximumResultsReached')) break;
        throw err;
      }
      const parsed = NewsApiResponse.safeParse(safeJson(body));
      if (!parsed.success) {
        const error = NewsApiError.safeParse(safeJson(body));
        if (error.success)
          throw classifyNewsApiError(200, body) ?? new ProviderRequestError('newsapi', error.data.message);
        const issue = parsed.error.issues[0];
        throw new BadPayloadError(
          'newsapi',
          issue?.path.join('.') || '(root)',
          issue?.message ?? 'does not match the schema',
        );
      }
      for (const a of parsed.data.articles) {
        const item = newsApiItem(a, language);
        if (item !== undefined) out.push(item);
      }
      if (page * pageSize >= parsed.data.totalResults || parsed.data.articles.length < pageSize) break;
    }
    return out;
  }
}
