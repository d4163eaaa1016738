/**
 * The one HTTP client every connector uses (Node's global `fetch`, i.e. undici). Per provider it adds a token
 * bucket, a concurrency gate, a per-request timeout, retries with backoff that honour `Retry-After`, schema
 * checking of the body and typed errors. URLs in messages and events are redacted: keys never reach logs.
 */
import type { z } from 'zod';
import {
  BadPayloadError,
  ProviderAuthError,
  type ProviderError,
  ProviderNotFoundError,
  ProviderRequestError,
  ProviderUnavailableError,
  RateLimitedError,
} from './errors.ts';
import {
  type Clock,
  type RateLimit,
  type RateLimiter,
  type RateLimiterFactory,
  Semaphore,
  systemClock,
  TokenBucket,
} from './rate-limit.ts';
import { NETWORK_ERROR_STATUS, parseRetryAfter, type RetryPolicy, retryDecision } from './retry.ts';

export type { Clock, RateLimiter } from './rate-limit.ts';
export { Semaphore } from './rate-limit.ts';

export interface ProviderLimits {
  /** Average request rate and burst (token bucket). */
  rateLimit: RateLimit;
  /**
   * Requests in flight at once.
   * @defaultValue 4
   */
  concurrency: number;
  /**
   * Per-attempt timeout in ms (connect + headers + body).
   * @defaultValue 30000
   */
  timeoutMs: number;
  /** Retry policy overrides; see DEFAULT_RETRY_POLICY. */
  retry?: Partial<RetryPolicy>;
}

const MINUTE = 60_000;
const SECOND = 1_000;

/**
 * Documented free-tier limits, used unless settings override them:
 * - Polygon.io free ("Basic"): 5 requests/minute.
 * - CoinGecko Demo plan: 30 calls/minute (public keyless use is similar or lower).
 * - Binance spot: 6000 request weight/minute per IP (1200 on older docs); klines weigh 2, so 10 req/s keeps
 *   far below either.
 * - OANDA v20 REST: 100 requests/second per connection; we stay at half.
 * - Yahoo chart API: undocumented; about 2 requests/second avoids blocks in practice.
 */
const DEFAULT_PROVIDER_LIMITS: Readonly<Record<string, ProviderLimits>> = Object.freeze({
  polygon: { rateLimit: { requests: 5, intervalMs: MINUTE }, concurrency: 1, timeoutMs: 30_000 },
  coingecko: { rateLimit: { requests: 30, intervalMs: MINUTE, burst: 5 }, concurrency: 2, timeoutMs: 30_000 },
  binance: { rateLimit: { requests: 10, intervalMs: SECOND }, concurrency: 4, timeoutMs: 30_000 },
  oanda: { rateLimit: { requests: 50, intervalMs: SECOND }, concurrency: 4, timeoutMs: 30_000 },
  yahoo: { rateLimit: { requests: 2, intervalMs: SECOND }, concurrency: 2, timeoutMs: 30_000 },
});

const FALLBACK_LIMITS: ProviderLimits = {
  rateLimit: { requests: 5, intervalMs: SECOND },
  concurrency: 4,
  timeoutMs: 30_000,
};

/** Limits for `provider`: its documented defaults overlaid with `overrides`. */
function providerLimits(provider: string, overrides: Partial<ProviderLimits> = {}): ProviderLimits {
  const base = DEFAULT_PROVIDER_LIMITS[provider] ?? FALLBACK_LIMITS;
  return {
    ...base,
    ...overrides,
    retry: { ...base.retry, ...overrides.retry },
  };
}

const SECRET_PARAM =
  /^(api[-_]?key|apikey|access[-_]?token|token|key|secret|signature|x[-_]cg[-_](demo|pro)[-_]api[-_]key)$/i;

/** The URL with secret-looking query parameters (apiKey, api_key, token, …) replaced by `***`. */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return String(url).replace(/([?&](?:api[-_]?key|apikey|access[-_]?token|token|key)=)[^&#]*/gi, '$1***');
  }
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.toString().replaceAll('%2A%2A%2A', '***');
}

/** `text` with every known secret value replaced by `***` (for bodies providers echo back). */
function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.replaceAll(secret, '***');
  return out;
}

/** `prices[3][1]`-style path of a zod issue. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** One finished attempt, for logs and metrics. `url` is redacted. */
export interface HttpEvent {
  provider: string;
  url: string;
  attempt: number;
  status: number;
  durationMs: number;
  retryInMs?: number;
}

export interface HttpClientOptions {
  provider: string;
  limits?: Partial<ProviderLimits>;
  /** @defaultValue systemClock */
  clock?: Clock;
  /**
   * Builds the provider's rate limiter (e.g. one shared through Redis by every process).
   * @defaultValue an in-process TokenBucket
   */
  rateLimiter?: RateLimiterFactory;
  /** Uniform [0, 1) source for backoff jitter; seed it in tests. @defaultValue Math.random */
  random?: () => number;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** Values scrubbed from any text that reaches an error message (the provider's API key). */
  secrets?: readonly string[];
  /** Called after every attempt. */
  onEvent?: (event: HttpEvent) => void;
  /** Reads the provider's remaining quota from response headers (e.g. Binance used weight). */
  readRemaining?: (headers: Headers) => number | undefined;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Our symbol, named in not-found errors. */
  symbol?: string;
  /**
   * Maps a non-2xx answer to a provider-specific error before the default mapping (e.g. Binance code -1121
   * "Invalid symbol" on a 400 means not found). Return undefined to use the default.
   */
  classify?: (status: number, body: string) => ProviderError | undefined;
}

function defaultRemaining(headers: Headers): number | undefined {
  const text = headers.get('x-ratelimit-remaining') ?? headers.get('x-ratelimit-requests-remaining');
  if (text === null) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

export class HttpClient {
  readonly provider: string;
  readonly limits: ProviderLimits;
  /** Quota left according to the provider's last answer, when it says. */
  rateLimitRemaining: number | undefined;
  /** Paces this client's requests: an in-process TokenBucket unless `rateLimiter` built another. */
  readonly bucket: RateLimiter;
  private readonly gate: Semaphore;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly fetchFn: typeof fetch;
  private readonly secrets: readonly string[];
  private readonly onEvent?: (event: HttpEvent) => void;
  private readonly readRemaining: (headers: Headers) => number | undefined;

  constructor(options: HttpClientOptions) {
    this.provider = options.provider;
    this.limits = providerLimits(options.provider, options.limits);
    this.clock = options.clock ?? systemClock;
    this.bucket =
      options.rateLimiter?.(this.provider, this.limits.rateLimit, this.clock) ??
      new TokenBucket(this.limits.rateLimit, this.clock);
    this.gate = new Semaphore(this.limits.concurrency);
    this.random = options.random ?? Math.random;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.secrets = options.secrets ?? [];
    this.onEvent = options.onEvent;
    this.readRemaining = options.readRemaining ?? defaultRemaining;
  }

  /** Tokens left in our bucket (a floor for health checks when the provider sends no quota header). */
  tokensAvailable(): number {
    return this.bucket.available();
  }

  /** GET `url`, retrying as `retryDecision` says, and parse the JSON body with `schema`. */
  async getJson<S extends z.ZodType>(
    url: string,
    schema: S,
    options: RequestOptions = {},
  ): Promise<z.output<S>> {
    const body = await this.getText(url, options);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (err) {
      throw new BadPayloadError(this.provider, '(body)', `not JSON (${this.clip(body, 80)})`, { cause: err });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue === undefined ? '(root)' : issuePath(issue.path);
      throw new BadPayloadError(this.provider, field, issue?.message ?? 'does not match the schema', {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  /** GET `url` and return the body of a 2xx answer as text; errors are typed as described in errors.ts. */
  async getText(url: string, options: RequestOptions = {}): Promise<string> {
    const shown = redactUrl(url);
    for (let attempt = 1; ; attempt += 1) {
      options.signal?.throwIfAborted();
      const outcome = await this.gate.run(async () => {
        await this.bucket.take(options.signal);
        return this.attempt(url, options);
      });
      const decision = retryDecision(outcome.status, attempt, outcome.headers, {
        ...this.limits.retry,
        jitter: this.random(),
        now: this.clock.now(),
      });
      if (outcome.ok) {
        this.emit(shown, attempt, outcome.status, outcome.durationMs);
        return outcome.body;
      }
      this.emit(
        shown,
        attempt,
        outcome.status,
        outcome.durationMs,
        decision.retry ? decision.delayMs : undefined,
      );
      const special =
        outcome.status === NETWORK_ERROR_STATUS
          ? undefined
          : options.classify?.(outcome.status, outcome.body);
      if (special !== undefined) throw special;
      if (!decision.retry) throw this.toError(outcome, shown, options, decision.delayMs);
      await this.clock.sleep(decision.delayMs, options.signal);
    }
  }

  private async attempt(url: string, options: RequestOptions): Promise<Outcome> {
    const started = this.clock.now();
    const timeout = AbortSignal.timeout(this.limits.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      const response = await this.fetchFn(url, {
        headers: { accept: 'application/json', ...options.headers },
        signal,
      });
      const body = await response.text();
      const remaining = this.readRemaining(response.headers);
      if (remaining !== undefined) this.rateLimitRemaining = remaining;
      return {
        ok: response.ok,
        status: response.status,
        headers: response.headers,
        body,
        durationMs: this.clock.now() - started,
      };
    } catch (err) {
      // Our caller gave up: stop at once, no retry, their reason.
      if (options.signal?.aborted) throw options.signal.reason;
      return {
        ok: false,
        status: NETWORK_ERROR_STATUS,
        headers: new Headers(),
        body: '',
        durationMs: this.clock.now() - started,
        error: err,
        timedOut: timeout.aborted,
      };
    }
  }

  private toError(outcome: Outcome, shown: string, options: RequestOptions, hintMs: number): ProviderError {
    const { status } = outcome;
    const where = `GET ${shown}`;
    const said = outcome.body === '' ? '' : `: ${this.clip(outcome.body, 200)}`;
    const common = { httpStatus: status, cause: outcome.error };
    if (status === NETWORK_ERROR_STATUS) {
      const why = outcome.timedOut
        ? `timed out after ${this.limits.timeoutMs} ms`
        : `network error (${networkReason(outcome.error)})`;
      return new ProviderUnavailableError(this.provider, `${where} ${why}`, common);
    }
    if (status === 401 || status === 403) {
      return new ProviderAuthError(
        this.provider,
        `${where} was refused (${status}); check the API key${said}`,
        common,
      );
    }
    if (status === 404) {
      const what = options.symbol === undefined ? where : `symbol ${options.symbol} (${where})`;
      return new ProviderNotFoundError(this.provider, `${what} not found${said}`, {
        ...common,
        symbol: options.symbol,
      });
    }
    if (status === 429 || status === 418) {
      const retryAfterMs = parseRetryAfter(outcome.headers.get('retry-after') ?? undefined, this.clock.now());
      return new RateLimitedError(this.provider, `${where} rate limited (${status})${said}`, {
        ...common,
        retryAfterMs: retryAfterMs ?? (hintMs > 0 ? hintMs : undefined),
      });
    }
    if (status >= 500)
      return new ProviderUnavailableError(this.provider, `${where} failed (${status})${said}`, common);
    return new ProviderRequestError(this.provider, `${where} was rejected (${status})${said}`, common);
  }

  private clip(text: string, max: number): string {
    const oneLine = redactText(text, this.secrets).replace(/\s+/g, ' ').trim();
    return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
  }

  private emit(url: string, attempt: number, status: number, durationMs: number, retryInMs?: number): void {
    this.onEvent?.({ provider: this.provider, url, attempt, status, durationMs, retryInMs });
  }
}

interface Outcome {
  ok: boolean;
  status: number;
  headers: Headers;
  body: string;
  durationMs: number;
  error?: unknown;
  timedOut?: boolean;
}

function networkReason(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause;
    if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') return cause.code;
    return err.message;
  }
  return String(err);
}
