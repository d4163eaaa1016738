import { AppError, type AppErrorOptions, describeError } from '../core/errors.ts';

/** `provider: message`, unless the message already starts with that prefix (it is never doubled). */
export function withProvider(provider: string, message: string): string {
  return message.startsWith(`${provider}: `) ? message : `${provider}: ${message}`;
}

/**
 * One line for a failure of `provider`, prefixed with its name once: a ProviderError's message already
 * carries the name (`polygon: symbol QQQ … not found`), so callers that label errors by source (the
 * pipeline's per-instrument errors) must not add it again (`polygon: polygon: …`).
 */
export function describeProviderError(provider: string, err: unknown): string {
  return withProvider(provider, describeError(err));
}

/**
 * Errors a market-data provider causes. Each names the provider; the class tells the pipeline what to do:
 * auth → fix the key (no retry), not found → mark the instrument inactive, rate limited / unavailable → try
 * later, bad payload → quarantine nothing, report the provider and field. Messages never hold API keys.
 */
export interface ProviderErrorOptions extends AppErrorOptions {
  /** HTTP status the provider answered with; 0 for network errors and timeouts. */
  httpStatus?: number;
}

export abstract class ProviderError extends AppError {
  readonly provider: string;
  readonly httpStatus?: number;

  constructor(provider: string, message: string, options: ProviderErrorOptions = {}) {
    super(withProvider(provider, message), options);
    this.provider = provider;
    this.httpStatus = options.httpStatus;
  }
}

/** 401/403: the key is missing, wrong, or lacks the plan for this endpoint. */
export class ProviderAuthError extends ProviderError {
  override readonly code = 'provider_auth';
  override readonly status = 502;
}

/** The provider does not know the symbol (unknown, delisted, or not on this plan's venue). */
export class ProviderNotFoundError extends ProviderError {
  override readonly code = 'provider_not_found';
  override readonly status = 404;
  readonly symbol?: string;

  constructor(provider: string, message: string, options: ProviderErrorOptions & { symbol?: string } = {}) {
    super(provider, message, options);
    this.symbol = options.symbol;
  }
}

/** 429 (or Binance 418) after the retries ran out. `retryAfterMs` is the provider's hint when given. */
export class RateLimitedError extends ProviderError {
  override readonly code = 'provider_rate_limited';
  override readonly status = 429;
  override readonly retryable = true;
  readonly retryAfterMs?: number;

  constructor(
    provider: string,
    message: string,
    options: ProviderErrorOptions & { retryAfterMs?: number } = {},
  ) {
    super(provider, message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The answer was not JSON or did not match the documented wire schema. `field` is a dotted path. */
export class BadPayloadError extends ProviderError {
  override readonly code = 'provider_bad_payload';
  override readonly status = 502;
  readonly field: string;

  constructor(provider: string, field: string, message: string, options: ProviderErrorOptions = {}) {
    super(provider, `bad payload at ${field}: ${message}`, options);
    this.field = field;
  }
}

/** 5xx, connection failure or timeout after the retries ran out. */
export class ProviderUnavailableError extends ProviderError {
  override readonly code = 'provider_unavailable';
  override readonly status = 503;
  override readonly retryable = true;
}

/** Any other 4xx: our request was wrong (bad parameter, range too long). Not retried. */
export class ProviderRequestError extends ProviderError {
  override readonly code = 'provider_request';
  override readonly status = 502;
}
