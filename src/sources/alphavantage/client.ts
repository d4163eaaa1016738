/**
 * Alpha Vantage connector: NEWS_SENTIMENT (news with per-ticker sentiment) and EARNINGS_CALENDAR (CSV).
 * Key in `ALPHAVANTAGE_API_KEY`, sent as `apikey`. Alpha Vantage signals its rate limit with HTTP 200 and a
 * `{"Note": …}` or `{"Information": …}` body: that is RateLimitedError (retryable later), never data.
 */
import type { Earnings } from '../../core/events.ts';
import type { NewsItem } from '../../core/news.ts';
import { BadPayloadError, ProviderAuthError, ProviderRequestError, RateLimitedError } from '../errors.ts';
import type { HttpClient } from '../http.ts';
import { httpFor, type ProviderOptions, safeJson, trimBase } from '../support.ts';
import { avEarningsCalendar, avNewsItem } from './mapping.ts';
import { AvMessage, AvNewsResponse } from './schema.ts';

const ALPHAVANTAGE_DEFAULT_BASE_URL = 'https://www.alphavantage.co';
/** Free tier: 5 requests/minute (the Note says so); wait this long before the next try. */
const RATE_LIMIT_WAIT_MS = 60_000;

/** The error an HTTP-200 message body stands for, or undefined when the body is data. */
export function alphaVantageMessageError(body: string): Error | undefined {
  const text = body.trimStart();
  if (!text.startsWith('{')) return undefined;
  const parsed = AvMessage.safeParse(safeJson(text));
  if (!parsed.success) return undefined;
  const m = parsed.data;
  if ('Note' in m)
    return new RateLimitedError('alphavantage', `rate limited: ${m.Note}`, {
      httpStatus: 200,
      retryAfterMs: RATE_LIMIT_WAIT_MS,
    });
  if ('Information' in m) {
    if (/api ?key.*(invalid|missing)/i.test(m.Information))
      return new ProviderAuthError('alphavantage', `${m.Information} (check ALPHAVANTAGE_API_KEY)`, {
        httpStatus: 200,
      });
    return new RateLimitedError('alphavantage', `rate limited: ${m.Information}`, {
      httpStatus: 200,
      retryAfterMs: RATE_LIMIT_WAIT_MS,
    });
  }
  const message = m['Error Message'];
  if (/apikey/i.test(message))
    return new ProviderAuthError('alphavantage', `${message} (check ALPHAVANTAGE_API_KEY)`, {
      httpStatus: 200,
    });
  return new ProviderRequestError('alphavantage', message, { httpStatus: 200 });
}

function avStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace(/[-:]/g, '');
}

export class AlphaVantageClient {
  readonly name = 'alphavantage';
  readonly http: HttpClient;
  readonly configured: boolean;
  private readonly base: string;
  private readonly apiKey: string;

  constructor(options: ProviderOptions = {}) {
    this.base = trimBase(options.baseUrl ?? ALPHAVANTAGE_DEFAULT_BASE_URL);
    this.apiKey = options.apiKey ?? '';
    this.configured = this.apiKey !== '';
    this.http = httpFor(this.name, {
      ...options,
      limits: { rateLimit: { requests: 5, intervalMs: 60_000 }, concurrency: 1, ...options.limits },
    });
  }

  private async query(params: Record<string, string>, signal?: AbortSignal): Promise<string> {
    const q = new URLSearchParams({ ...params, apikey: this.apiKey });
    const body = await this.http.getText(`${this.base}/query?${q.toString()}`, { signal });
    const message = alphaVantageMessageError(body);
    if (message !== undefined) throw message;
    return body;
  }

  /**
   * NEWS_SENTIMENT for provider tickers (`AAPL`, `CRYPTO:BTC`, `FOREX:USD`); `symbolOf` maps them back to our
   * symbols. @param since UTC ms, sent as `time_from`.
   */
  async newsSentiment(
    tickers: readonly string[],
    symbolOf: (ticker: string) => string | undefined,
    opts: { since?: number; limit?: number; signal?: AbortSignal } = {},
  ): Promise<NewsItem[]> {
    const params: Record<string, string> = {
      function: 'NEWS_SENTIMENT',
      tickers: tickers.join(','),
      sort: 'LATEST',
      limit: String(opts.limit ?? 200),
    };
    if (opts.since !== undefined) params.time_from = avStamp(opts.since);
    const body = await this.query(params, opts.signal);
    const parsed = AvNewsResponse.safeParse(safeJson(body));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BadPayloadError(
        'alphavantage',
        issue?.path.join('.') || '(root)',
        issue?.message ?? 'not NEWS_SENTIMENT data',
      );
    }
    return parsed.data.feed.flatMap((item) => avNewsItem(item, symbolOf) ?? []);
  }

  /** EARNINGS_CALENDAR over the next `horizon` (3month, 6month, 12month) for one ticker or all. */
  async earningsCalendar(
    symbolOf: (ticker: string) => string | undefined,
    opts: { ticker?: string; horizon?: '3month' | '6month' | '12month'; signal?: AbortSignal } = {},
  ): Promise<Earnings[]> {
    const params: Record<string, string> = {
      function: 'EARNINGS_CALENDAR',
      horizon: opts.horizon ?? '3month',
    };
    if (opts.ticker !== undefined) params.symbol = opts.ticker;
    const csv = await this.query(params, opts.signal);
    if (!/^\s*symbol,/i.test(csv))
      throw new BadPayloadError(
        'alphavantage',
        '(body)',
        'EARNINGS_CALENDAR is not CSV with a symbol column',
      );
    return avEarningsCalendar(csv, symbolOf);
  }
}
