/**
 * Errors of the real-venue brokers. Messages are built from the venue's own error text and our words only:
 * never a URL's query (signatures, timestamps), a header or a credential, so they are safe to log.
 */
import { AppError } from '../core/errors.ts';

/** A venue answered with an error we cannot turn into an order state (bad key, unknown endpoint, …). */
export class VenueError extends AppError {
  override readonly code: string = 'venue_error';
  override readonly status: number = 502;
}

/** The venue could not be reached or did not answer in time; the request may or may not have taken effect. */
export class VenueUnavailableError extends VenueError {
  override readonly code = 'venue_unavailable';
  override readonly status = 503;
  override readonly retryable = true;
}

/** The venue refused our credentials (key, secret, signature, clock): nothing is retried. */
export class VenueAuthError extends VenueError {
  override readonly code = 'venue_auth';
  override readonly status = 502;
}

/** Strips every query string and long hex run (a signature) from a message so it may be logged. */
export function redact(message: string, secrets: readonly (string | undefined)[] = []): string {
  let out = message.replace(/\?[^\s"']*/g, '?…').replace(/[0-9a-f]{40,}/gi, '…');
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}
