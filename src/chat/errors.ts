import { AppError } from '../core/errors.ts';

/** The SQL guard or the model router said no; the message is the one-line reason shown to the user. */
export class QueryRefusedError extends AppError {
  override readonly code = 'query_refused';
  override readonly status = 400;
}

/**
 * An accepted statement ran past the chat time limit and was stopped. A 4xx: the statement asked for
 * more work than the limit allows (narrow it); 408 because the limit is a time limit.
 */
export class QueryTimeoutError extends AppError {
  override readonly code = 'query_timeout';
  override readonly status = 408;
}

/** Every chat execution slot is taken (`chat.max_concurrent`); retry in a moment. */
export class ChatBusyError extends AppError {
  override readonly code = 'chat_busy';
  override readonly status = 503;
  override readonly retryable = true;
}
