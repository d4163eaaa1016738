/**
 * A chat executor runs guarded statements where they cannot hold the server: on PostgreSQL a separate
 * small pool under engine-enforced limits, on the embedded store a worker thread with its own copy of the
 * store that is killed at the time limit. At most `maxConcurrent` runs are in flight; more are refused at
 * once with ChatBusyError.
 */

export interface ChatLimits {
  /** Wall-clock limit of the whole run (every statement), ms. */
  timeoutMs: number;
  /** Runs in flight at most; the rest are refused (ChatBusyError). */
  maxConcurrent: number;
}

export interface ChatRun {
  /** Rows of each statement, in order. */
  results: Record<string, unknown>[][];
  /**
   * When the data read was current: null for the live store, the snapshot time (ISO-8601) for the
   * embedded store's copy.
   */
  as_of: string | null;
}

export type RowsCheck = (index: number, rows: Record<string, unknown>[]) => void;

export interface ChatExecutor {
  /** `postgres`: own pool; `pglite-worker`: snapshot in a worker thread; `inline`: the store's session. */
  readonly kind: 'postgres' | 'pglite-worker' | 'inline';
  /**
   * Runs `statements` in order, read-only, under `limits` (one slot and one time limit for all).
   * `check` sees each statement's rows before the next runs and may throw to stop the run (e.g. a cost
   * budget on an EXPLAIN).
   */
  run(statements: readonly string[], limits: ChatLimits, check?: RowsCheck): Promise<ChatRun>;
  /** Stops every run in flight and frees the pool or workers. Idempotent. */
  close(): Promise<void>;
}
