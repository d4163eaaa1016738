import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.ts';

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

/** JSON schema of ErrorBody, for route response declarations. */
export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
  required: ['error', 'message'],
} as const;

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

/** Installs the error and not-found handlers: JSON `{error, message}` with the right status. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorResponse(err);
    if (status >= 500 && !(err instanceof AppError)) request.log.error({ err }, 'request failed');
    else if (status >= 500 || err instanceof RateLimitedError)
      request.log.warn({ code: body.error }, body.message);
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    void reply
      .status(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
}
