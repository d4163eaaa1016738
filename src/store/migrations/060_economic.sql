-- Economic indicators (schema `economic_data`): FRED series metadata, observations and release dates.
CREATE SCHEMA IF NOT EXISTS economic_data;

CREATE TABLE economic_data.series (
  id                  text PRIMARY KEY,
  title               text NOT NULL,
  frequency           text,
  units               text,
  seasonal_adjustment text,
  last_updated        timestamptz,
  observation_start   date,
  observation_end     date,
  source              text NOT NULL DEFAULT 'fred',
  updated_at          timestamptz NOT NULL DEFAULT now()
);

-- One row per (series, date, vintage). FRED's realtime period says during which days a value was the
-- published one; keeping realtime_start in the key means a revision adds a row instead of overwriting, so the
-- value "as known on" any day can still be read. value is NULL where FRED writes "." (no observation).
CREATE TABLE economic_data.observations (
  series_id      text NOT NULL,
  date           date NOT NULL,
  realtime_start date NOT NULL,
  realtime_end   date NOT NULL,
  value          float8,
  source         text NOT NULL DEFAULT 'fred',
  ingested_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (series_id, date, realtime_start)
);
CREATE INDEX observations_series_date_idx ON economic_data.observations (series_id, date DESC);
COMMENT ON COLUMN economic_data.observations.realtime_end IS
  'Last day this value was current; 9999-12-31 for the value published today.';

-- Release calendar: when a release (and the series in it) is published.
CREATE TABLE economic_data.releases (
  release_id   integer NOT NULL,
  name         text NOT NULL,
  release_date date NOT NULL,
  series_id    text,
  source       text NOT NULL DEFAULT 'fred',
  PRIMARY KEY (release_id, release_date)
);
CREATE INDEX releases_date_idx ON economic_data.releases (release_date);
