import { AppError } from '../core/errors.ts';

/** The SQL guard or the model router said no; the message is the one-line reason shown to the user. */
export class QueryRefusedError extends AppError {
  override readonly code = 'query_refused';
  override readonly status = 400;
}
