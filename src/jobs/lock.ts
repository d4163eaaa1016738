import type { Queryable } from '../store/db.ts';

/**
 * One run of a job at a time, across processes and machines sharing the store: a lease row in
 * `ops.job_locks`. The holder renews it while it runs; a lease past `expires_at` belongs to a dead holder
 * and is taken over. With `reclaim`, the same run (`run_key`) may take its own lease back at once: BullMQ
 * hands a stalled job to another worker only after the first one stopped renewing its queue lock, so the
 * old holder is gone.
 *
 * Why not `pg_try_advisory_lock`: on PGlite every caller shares one session, where advisory locks are
 * re-entrant and so exclude nothing (test/jobs/lock.test.ts shows it); a lease behaves the same everywhere.
 */
export interface JobLock {
  job: string;
  runKey: string;
  owner: string;
  /** Stops renewing and deletes the lease (only if still ours). */
  release(): Promise<void>;
}

export interface LockOptions {
  /** Lease length; renewed every third of it. @defaultValue 60000 */
  ttlMs?: number;
  onRenewError?: (err: unknown) => void;
  /**
   * Take the lease back when it is held by the same run key. Only for callers that know the earlier
   * holder is gone: a BullMQ re-delivery of a stalled job. @defaultValue false
   */
  reclaim?: boolean;
}

/** Takes the lease of `job` for `runKey`, or returns null when another run holds it. */
export async function tryLock(
  db: Queryable,
  job: string,
  runKey: string,
  owner: string,
  options: LockOptions = {},
): Promise<JobLock | null> {
  const ttl = options.ttlMs ?? 60_000;
  const res = await db.query<{ job: string }>(
    `INSERT INTO ops.job_locks (job, run_key, owner, expires_at)
     VALUES ($1, $2, $3, now() + ($4::float8 * interval '1 millisecond'))
     ON CONFLICT (job) DO UPDATE SET run_key = EXCLUDED.run_key, owner = EXCLUDED.owner,
            acquired_at = now(), expires_at = EXCLUDED.expires_at
      WHERE ops.job_locks.expires_at < now() OR ($5::boolean AND ops.job_locks.run_key = EXCLUDED.run_key)
     RETURNING job`,
    [job, runKey, owner, ttl, options.reclaim ?? false],
  );
  if (res.rows.length === 0) return null;
  let released = false;
  const timer = setInterval(
    () => {
      db.query(
        `UPDATE ops.job_locks SET expires_at = now() + ($4::float8 * interval '1 millisecond')
          WHERE job = $1 AND run_key = $2 AND owner = $3`,
        [job, runKey, owner, ttl],
      ).catch((err: unknown) => options.onRenewError?.(err));
    },
    Math.max(50, ttl / 3),
  );
  timer.unref();
  return {
    job,
    runKey,
    owner,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await db.query(`DELETE FROM ops.job_locks WHERE job = $1 AND run_key = $2 AND owner = $3`, [
        job,
        runKey,
        owner,
      ]);
    },
  };
}
