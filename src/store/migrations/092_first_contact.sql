-- First contact (issue 16): a new store holds the default universe; a job that could do nothing is `skipped`.

-- What a store was seeded with when it was created. The default universe (universe/default.json) is loaded
-- by the hook of this migration (src/store/seed.ts), once: a later open never reloads it, so instruments a
-- user removed stay removed. `instruments load` remains the way to apply edits of the file.
CREATE TABLE IF NOT EXISTS ops.store_seeds (
  name        text PRIMARY KEY,
  loaded_at   timestamptz NOT NULL DEFAULT now(),
  instruments integer NOT NULL,
  note        text
);

-- A run that found nothing it could do (no API key, provider unreachable) is recorded `skipped` with the
-- reason in `error`: it is neither a failure to alert on nor one to retry.
ALTER TABLE ops.job_runs DROP CONSTRAINT IF EXISTS job_runs_status_check;
ALTER TABLE ops.job_runs ADD CONSTRAINT job_runs_status_check
  CHECK (status IN ('pending', 'running', 'completed', 'failed', 'timed_out', 'skipped'));
