import type { Queryable } from '../store/db.ts';

export type RunStatus = 'pending' | 'running' | 'completed' | 'failed' | 'timed_out' | 'skipped';
export type RunTrigger = 'scheduled' | 'manual' | 'retry';

export interface JobRunRow {
  id: number;
  job: string;
  trigger: RunTrigger;
  status: RunStatus;
  attempt: number;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  records: number | null;
  error: string | null;
  summary: unknown;
  run_key?: string | null;
  tick?: string | null;
  worker?: string | null;
}

/** Where a run comes from (migration 050 columns): its deterministic key, tick and worker. */
export interface RunOrigin {
  runKey?: string;
  /** UTC ms. */
  tick?: number;
  worker?: string;
}

/** Opens a run in `ops.job_runs` and returns its id. */
export async function startRun(
  db: Queryable,
  job: string,
  trigger: RunTrigger = 'manual',
  attempt = 1,
  origin: RunOrigin = {},
): Promise<number> {
  const res = origin.runKey
    ? await db.query<{ id: number }>(
        `INSERT INTO ops.job_runs (job, trigger, status, attempt, run_key, tick, worker)
         VALUES ($1, $2, 'running', $3, $4, $5, $6) RETURNING id`,
        [
          job,
          trigger,
          attempt,
          origin.runKey,
          origin.tick === undefined ? null : new Date(origin.tick).toISOString(),
          origin.worker ?? null,
        ],
      )
    : await db.query<{ id: number }>(
        `INSERT INTO ops.job_runs (job, trigger, status, attempt) VALUES ($1, $2, 'running', $3) RETURNING id`,
        [job, trigger, attempt],
      );
  return Number(res.rows[0]?.id);
}

/** Closes a run with its outcome; the duration is measured by the database clock. */
export async function finishRun(
  db: Queryable,
  id: number,
  outcome: {
    status: Exclude<RunStatus, 'pending' | 'running'>;
    records?: number;
    error?: string;
    summary?: unknown;
  },
): Promise<void> {
  await db.query(
    `UPDATE ops.job_runs SET status = $2, finished_at = now(),
        duration_ms = (extract(epoch FROM now() - started_at) * 1000)::int,
        records = $3, error = $4, summary = $5::jsonb
      WHERE id = $1`,
    [
      id,
      outcome.status,
      outcome.records ?? null,
      outcome.error ?? null,
      JSON.stringify(outcome.summary ?? null),
    ],
  );
}

/** Runs `fn` recorded as one row of `ops.job_runs` (failed with the error's message when it throws). */
export async function recorded<T extends { stored?: number }>(
  db: Queryable,
  job: string,
  fn: () => Promise<T>,
  trigger: RunTrigger = 'manual',
): Promise<T> {
  const id = await startRun(db, job, trigger);
  try {
    const result = await fn();
    await finishRun(db, id, { status: 'completed', records: result.stored ?? undefined, summary: result });
    return result;
  } catch (err) {
    await finishRun(db, id, { status: 'failed', error: (err as Error).message });
    throw err;
  }
}

/**
 * Closes the attempts of `runKey` still marked running: their worker stopped (killed, crashed) and the
 * run is being picked up again. Returns how many were closed.
 */
export async function closeAbandoned(db: Queryable, runKey: string, reason: string): Promise<number> {
  const res = await db.query(
    `UPDATE ops.job_runs SET status = 'failed', finished_at = now(), error = $2,
        duration_ms = (extract(epoch FROM now() - started_at) * 1000)::int
      WHERE run_key = $1 AND status = 'running'`,
    [runKey, reason],
  );
  return res.rowCount;
}

export interface HistoryFilter {
  job?: string;
  /** @defaultValue 20 */
  limit?: number;
}

/** Newest runs first. */
export async function listRuns(db: Queryable, filter: HistoryFilter = {}): Promise<JobRunRow[]> {
  const params: unknown[] = [];
  let where = '';
  if (filter.job) {
    params.push(filter.job);
    where = 'WHERE job = $1';
  }
  params.push(filter.limit ?? 20);
  const res = await db.query<JobRunRow>(
    `SELECT id::int AS id, job, trigger, status, attempt, started_at, finished_at, duration_ms, records, error,
            summary, run_key, tick, worker
       FROM ops.job_runs ${where} ORDER BY started_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return res.rows.map((r) => ({
    ...r,
    started_at: iso(r.started_at) ?? '',
    finished_at: iso(r.finished_at),
    tick: iso(r.tick ?? null),
  }));
}

function iso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();
}

/**
 * Closes runs left `running` by a process that stopped (killed, crashed): attempts of the orchestrator
 * (with a run key) whose job lease is gone or belongs to another run, started over `minAgeMs` ago.
 * Called when a scheduler, a worker or a manual run starts. Returns how many were closed.
 */
export async function sweepStaleRuns(db: Queryable, minAgeMs = 60_000): Promise<number> {
  const res = await db.query(
    `UPDATE ops.job_runs r SET status = 'failed', finished_at = now(),
        duration_ms = (extract(epoch FROM now() - r.started_at) * 1000)::int,
        error = 'abandoned: its process stopped (no live job lock)'
      WHERE r.status = 'running' AND r.run_key IS NOT NULL
        AND r.started_at < now() - ($1::float8 * interval '1 millisecond')
        AND NOT EXISTS (SELECT 1 FROM ops.job_locks l
                         WHERE l.job = r.job AND l.run_key = r.run_key AND l.expires_at > now())`,
    [minAgeMs],
  );
  return res.rowCount;
}
