import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ValidationError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

/** Too many requests from one user or key in the window. */
export class RateLimitedError extends AppError {
  override readonly code = 'rate_limited';
  override readonly status = 429;
  override readonly retryable = true;
}

/** The error body every route answers with: a stable code and a one-line message, never a stack. */
export interface ErrorBody {
  error: string;
  message: string;
}

const STATUS_CODES: Record<number, string> = {
  400: 'invalid_input',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
  504: 'timeout',
};

function isFastifyError(err: unknown): err is FastifyError {
  return err instanceof Error && typeof (err as Partial<FastifyError>).statusCode === 'number';
}

/** Maps anything thrown in a route to a status and body. Unknown errors become 500 with a generic message. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof AppError) return { status: err.status, body: { error: err.code, message: err.message } };
  if (isFastifyError(err)) {
    if (err.validation) {
      const where = err.validationContext ? `${err.validationContext}` : 'request';
      const message = err.message.startsWith(where) ? err.message : `${where} ${err.message}`;
      return { status: 400, body: { error: 'invalid_input', message } };
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return { status, body: { error: STATUS_CODES[status] ?? 'bad_request', message: err.message } };
    }
  }
  return { status: 500, body: { error: 'internal', message: 'internal error' } };
}

/** Query parameters whose values never reach a log line (credentials a client may put in a URL). */
const SECRET_PARAMS = /([?&](?:api_key|token|access_token)=)[^&#]*/gi;

/** `url` with credential values replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

/**
 * Nesting a JSON body may have. Our payloads are a few levels deep; a body thousands of levels deep (a
 * 5,000-deep job payload answered a silent 500) only exhausts recursion further down (serialisers, jsonb).
 */
const MAX_BODY_DEPTH = 64;

/** The nesting depth of a parsed JSON value, stopping as soon as it exceeds `limit` (no recursion). */
function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const top = stack.pop();
    if (!top) break;
    const [v, depth] = top;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Installs the error and not-found handlers: JSON `{error, message}` with the right status. Every 5xx is
 * logged at error level with the request id on `log` (the process logger, which `serve` always passes, even
 * when request logging is off below LOG_LEVEL=debug); a 5xx nobody logs cannot be investigated.
 */
export function installErrorHandlers(app: FastifyInstance, log?: Pick<Logger, 'error' | 'warn'>): void {
  app.addHook('preValidation', async (request) => {
    if (
      request.body !== null &&
      typeof request.body === 'object' &&
      jsonDepthExceeds(request.body, MAX_BODY_DEPTH)
    )
      throw new ValidationError(`body: nested deeper than ${MAX_BODY_DEPTH} levels`);
  });
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorResponse(err);
    const where = { reqId: request.id, method: request.method, url: redactUrl(request.url), status };
    if (status >= 500) {
      const detail = { ...where, code: body.error, err };
      if (log) log.error(detail, `request failed: ${err instanceof Error ? err.message : String(err)}`);
      else request.log.error(detail, 'request failed');
    } else if (err instanceof RateLimitedError)
      (log ?? request.log).warn({ ...where, code: body.error }, body.message);
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    void reply
      .status(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
}
