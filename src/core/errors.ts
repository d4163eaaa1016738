/**
 * Every error marketpipe raises on purpose. Each has a stable `code`, an HTTP status for the API and a
 * `retryable` flag the job runner and HTTP layer act on. Callers branch on the class or the code, never on
 * the message text.
 */
export interface AppErrorOptions {
  cause?: unknown;
  /** Extra structured detail safe to show to users (never secrets). */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: string = 'internal';
  readonly status: number = 500;
  readonly retryable: boolean = false;
  readonly details?: Record<string, unknown>;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
  }
}

/** Bad input from a user: a flag, a file, a request body. */
export class ValidationError extends AppError {
  override readonly code = 'invalid_input';
  override readonly status = 400;
}

/** The CLI was called wrongly (exit code 2). */
export class UsageError extends AppError {
  override readonly code = 'usage';
  override readonly status = 400;
}

/** A setting from the environment is missing or malformed. */
export class ConfigError extends AppError {
  override readonly code = 'bad_setting';
  override readonly status = 500;
}

export class NotFoundError extends AppError {
  override readonly code = 'not_found';
  override readonly status = 404;
}

export class ConflictError extends AppError {
  override readonly code = 'conflict';
  override readonly status = 409;
}

export class UnauthorizedError extends AppError {
  override readonly code = 'unauthorized';
  override readonly status = 401;
}

export class ForbiddenError extends AppError {
  override readonly code = 'forbidden';
  override readonly status = 403;
}

/** The database (or another backing service) does not answer. Retrying later may help. */
export class UnavailableError extends AppError {
  override readonly code = 'unavailable';
  override readonly status = 503;
  override readonly retryable = true;
}

/** A job or request ran past its time limit. */
export class TimeoutError extends AppError {
  override readonly code = 'timeout';
  override readonly status = 504;
  override readonly retryable = true;
}

/** Marks a failure that must not be retried (a job runner stops at once). */
export class UnrecoverableError extends AppError {
  override readonly code = 'unrecoverable';
}

/** Turns anything thrown into one line fit for a terminal or a log. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
