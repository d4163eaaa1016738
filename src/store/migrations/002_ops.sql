-- Operational tables: job history, watermarks, quarantine, validation reports.
CREATE TABLE ops.job_runs (
  id           bigserial PRIMARY KEY,
  job          text NOT NULL,
  trigger      text NOT NULL DEFAULT 'manual' CHECK (trigger IN ('scheduled', 'manual', 'retry')),
  status       text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'timed_out')),
  attempt      integer NOT NULL DEFAULT 1,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  duration_ms  integer,
  records      integer,
  error        text,
  summary      jsonb
);
CREATE INDEX job_runs_job_started_idx ON ops.job_runs (job, started_at DESC);

-- Watermark: the newest timestamp fully loaded for an instrument, interval and source.
CREATE TABLE ops.watermarks (
  instrument_id integer NOT NULL REFERENCES market_data.instruments (id) ON DELETE CASCADE,
  interval      text NOT NULL,
  source        text NOT NULL,
  watermark     timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instrument_id, interval, source)
);

-- Rows refused by the quality gate: kept with the reasons, never dropped.
CREATE TABLE ops.quarantine (
  id          bigserial PRIMARY KEY,
  symbol      text,
  interval    text,
  source      text NOT NULL,
  rule        text NOT NULL,
  reason      text NOT NULL,
  raw         jsonb NOT NULL,
  ts          timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz
);
CREATE INDEX quarantine_rule_idx ON ops.quarantine (rule, created_at DESC);

CREATE TABLE ops.validation_reports (
  id            bigserial PRIMARY KEY,
  created_at    timestamptz NOT NULL DEFAULT now(),
  total_checks  integer NOT NULL,
  passed        integer NOT NULL,
  failed        integer NOT NULL,
  overall_valid boolean NOT NULL,
  report        jsonb NOT NULL
);
