-- Orchestrator: the tick a run belongs to, a lease lock per job, an archive for old history, and the
-- per-job status view the CLI and API read.

-- run_key is the deterministic run id `name:tickISO` (one per scheduled tick or manual request); every
-- attempt of one run shares it, so "each tick recorded once" is checkable in SQL.
ALTER TABLE ops.job_runs ADD COLUMN IF NOT EXISTS run_key text;
ALTER TABLE ops.job_runs ADD COLUMN IF NOT EXISTS tick timestamptz;
ALTER TABLE ops.job_runs ADD COLUMN IF NOT EXISTS worker text;
CREATE INDEX IF NOT EXISTS job_runs_run_key_idx ON ops.job_runs (run_key);

-- A lease: the holder renews expires_at while it runs; an expired lease (dead holder) is taken over.
-- Works on PGlite (one shared session, where advisory locks are re-entrant and so exclude nothing) and on
-- PostgreSQL across machines.
CREATE TABLE IF NOT EXISTS ops.job_locks (
  job         text PRIMARY KEY,
  run_key     text NOT NULL,
  owner       text NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS ops.job_runs_archive (LIKE ops.job_runs INCLUDING DEFAULTS);

CREATE OR REPLACE VIEW ops.etl_job_status AS
SELECT j.job,
       l.status AS last_status,
       l.trigger AS last_trigger,
       l.started_at AS last_run,
       l.finished_at AS last_finished,
       l.duration_ms AS last_duration_ms,
       l.error AS last_error,
       j.run_count,
       j.failure_count,
       j.last_success
  FROM (SELECT job,
               count(*) FILTER (WHERE status IN ('completed', 'failed', 'timed_out'))::int AS run_count,
               count(*) FILTER (WHERE status IN ('failed', 'timed_out'))::int AS failure_count,
               max(finished_at) FILTER (WHERE status = 'completed') AS last_success
          FROM ops.job_runs GROUP BY job) j
  JOIN LATERAL (SELECT r.status, r.trigger, r.started_at, r.finished_at, r.duration_ms, r.error
                  FROM ops.job_runs r WHERE r.job = j.job
                 ORDER BY r.started_at DESC, r.id DESC LIMIT 1) l ON true;
