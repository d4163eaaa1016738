-- Chat (NL→SQL) history per user, stored SOD/EOD reports, and the read-only role guarded chat queries run as.
CREATE SCHEMA IF NOT EXISTS chat;

CREATE TABLE chat.history (
  id          bigserial PRIMARY KEY,
  user_name   text NOT NULL DEFAULT 'anonymous',
  -- query: question → SQL; execute: SQL → rows
  action      text NOT NULL CHECK (action IN ('query', 'execute')),
  question    text,
  sql         text,
  explanation text,
  -- which model answered: cloud (LLM_BASE_URL) or local (LLM_LOCAL_BASE_URL); NULL for execute
  endpoint    text,
  row_count   integer,
  -- one-line reason when the guard or the router refused; NULL when accepted
  refused     text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX history_user_idx ON chat.history (user_name, created_at DESC);

CREATE SCHEMA IF NOT EXISTS reports;

CREATE TABLE reports.documents (
  kind         text NOT NULL CHECK (kind IN ('sod', 'eod')),
  date         date NOT NULL,
  generated_at timestamptz NOT NULL DEFAULT now(),
  -- the report as data (what `report --json` prints)
  summary      jsonb NOT NULL,
  html         text NOT NULL,
  -- files under $MARKETPIPE_HOME/reports/
  html_path    text,
  pdf_path     text,
  emailed_to   text[] NOT NULL DEFAULT '{}',
  emailed_at   timestamptz,
  PRIMARY KEY (kind, date)
);

-- A role without write rights that chat queries switch to (SET LOCAL ROLE) on top of the READ ONLY
-- transaction. Roles are cluster-wide, so creation is guarded (several databases, concurrent migrations).
DO $$
DECLARE
  s text;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'marketpipe_chat_ro') THEN
    BEGIN
      CREATE ROLE marketpipe_chat_ro NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
  BEGIN
    EXECUTE format('GRANT marketpipe_chat_ro TO %I', current_user);
  EXCEPTION WHEN OTHERS THEN
    NULL; -- a superuser may SET ROLE anyway; an unprivileged owner runs chat without the role
  END;
  FOREACH s IN ARRAY ARRAY['market_data', 'derived', 'economic_data', 'news', 'events', 'risk',
                           'strategies', 'config', 'execution'] LOOP
    IF EXISTS (SELECT FROM pg_namespace WHERE nspname = s) THEN
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO marketpipe_chat_ro', s);
      EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO marketpipe_chat_ro', s);
      EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO marketpipe_chat_ro', s);
    END IF;
  END LOOP;
  GRANT USAGE ON SCHEMA ops TO marketpipe_chat_ro;
  GRANT SELECT ON ops.recent_price_anomalies, ops.data_gaps TO marketpipe_chat_ro;
END
$$;
