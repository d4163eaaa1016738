-- Financial events (schema `events`): earnings, dividends, splits and economic releases.
-- Raw bars are never rewritten: splits and dividends here adjust price series when they are read.
CREATE SCHEMA IF NOT EXISTS events;

CREATE TABLE events.earnings (
  instrument_id   integer NOT NULL REFERENCES market_data.instruments (id) ON DELETE CASCADE,
  report_date     date NOT NULL,
  fiscal_period   text,
  -- 'bmo' before market open, 'amc' after market close, 'dmh' during market hours, NULL unknown
  time_of_day     text CHECK (time_of_day IN ('bmo', 'amc', 'dmh')),
  estimate        float8,
  actual          float8,
  surprise        float8,
  currency        text,
  source          text NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instrument_id, report_date)
);

-- Cash dividends per share; ex_date is the first day the stock trades without the dividend.
CREATE TABLE events.dividends (
  instrument_id    integer NOT NULL REFERENCES market_data.instruments (id) ON DELETE CASCADE,
  ex_date          date NOT NULL,
  record_date      date,
  pay_date         date,
  declaration_date date,
  amount           float8 NOT NULL CHECK (amount >= 0),
  currency         text,
  frequency        integer,
  dividend_type    text,
  source           text NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instrument_id, ex_date)
);

-- Splits: split_to shares for every split_from held (a 10-for-1 split is to=10, from=1; ratio = to/from).
CREATE TABLE events.splits (
  instrument_id  integer NOT NULL REFERENCES market_data.instruments (id) ON DELETE CASCADE,
  ex_date        date NOT NULL,
  split_from     float8 NOT NULL CHECK (split_from > 0),
  split_to       float8 NOT NULL CHECK (split_to > 0),
  source         text NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instrument_id, ex_date)
);

-- Economic releases as events: the value published for a period, with the consensus forecast and the
-- previous value when known.
CREATE TABLE events.economic (
  series_id    text NOT NULL,
  release_date date NOT NULL,
  period       date NOT NULL,
  release_name text,
  actual       float8,
  forecast     float8,
  previous     float8,
  source       text NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (series_id, release_date, period)
);
CREATE INDEX economic_events_date_idx ON events.economic (release_date);
