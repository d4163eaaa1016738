import { z } from 'zod';
import { NAMED_RANGES } from '../../core/time.ts';
import { INTERVALS } from '../../core/types.ts';

/**
 * Pieces every resource's contract shares. Contract files import zod, each other and the plain value lists
 * of src/core (no I/O, no dependencies), so the dashboard can import their types (`import type`) without
 * pulling server code into web/.
 */

/** The error body every route answers with: a stable code and a one-line message, never a stack. */
const ErrorBody = z.object({ error: z.string(), message: z.string() });

/** Error responses every data route may answer with (documented in OpenAPI). */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  404: ErrorBody,
  429: ErrorBody,
  500: ErrorBody,
} as const;

/** Routes behind the admin JWT: the bearer scheme in the OpenAPI document. */
export const adminSecurity = [{ bearerAuth: [] }];
/** What an admin route may answer besides its result: the data routes' errors and 403 for a role that may not. */
export const adminErrorResponses = { ...errorResponses, 403: ErrorBody } as const;

/** A ticker as the API accepts it (`BTC`, `EURUSD=X`, `^GSPC`, `BINANCE:BTCUSDT`). */
export const Ticker = z
  .string()
  .regex(/^[A-Za-z0-9_.:^-]{1,32}$/, 'a symbol of letters, digits and _.:^- (≤ 32)');

/** Split/dividend adjustment of stored bars, applied when read (src/analytics/adjust.ts `ADJUST_MODES`). */
const ADJUST_MODES = ['raw', 'split', 'adjusted', 'total-return'] as const;
export const AdjustMode = z.enum(ADJUST_MODES, { error: `expected one of ${ADJUST_MODES.join(', ')}` });
export type AdjustMode = z.infer<typeof AdjustMode>;

export { INTERVALS };
/** A bar interval. */
export const Interval = z.enum(INTERVALS);

/** A named chart range. */
export const NamedRange = z.enum(NAMED_RANGES);
export type NamedRange = z.infer<typeof NamedRange>;

/** `{symbol}` path parameter of a per-instrument route. */
export const SymbolParams = z.object({ symbol: Ticker });

/** An ISO date/time (or a date) a route parses itself (core/time.ts parseTime). */
export const TimeText = z.string().max(40);
/**
 * A yes/no query parameter (`?fresh=true`): the query string holds text, so `"false"` must read as false
 * (z.coerce.boolean would read any non-empty text as true).
 */
export const QueryFlag = z.stringbool();

/**
 * A free-form JSON object in a response (its fields are documented by the service that builds it). Typed
 * `object`, so a service's interface is accepted as it is; shown (and serialised) as
 * `{type: 'object', additionalProperties: true}`.
 */
export const AnyObject = z
  .custom<object>((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
  .meta({ type: 'object', additionalProperties: true });

/** A calendar date `YYYY-MM-DD` in a query (api/routes/date-params.ts checks it names a real day). */
export const QueryDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
