-- Issue 24: numbered config versions (rollback, diff, history), per-environment values, canaries, and a
-- tamper-evident audit chain.
--
-- Environments: `config.parameters` is the base namespace (the `production` environment writes there).
-- Another environment (`staging`, `dev`, ...) overrides single values in `config.env_values`; a value it
-- does not override falls back to the base one.
CREATE TABLE config.env_values (
  env        text NOT NULL CHECK (env ~ '^[a-z][a-z0-9_-]*$'),
  category   text NOT NULL,
  key        text NOT NULL,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL DEFAULT 'system',
  PRIMARY KEY (env, category, key)
);

-- A version is one change set, applied atomically with one reason. Its changes keep the whole state of
-- each touched parameter before and after ({value_type, value, description, validation} in the base
-- namespace, {value} in an environment; null = absent), so any version can be restored exactly.
CREATE TABLE config.versions (
  id             bigint PRIMARY KEY,
  at             timestamptz NOT NULL DEFAULT now(),
  who            text NOT NULL,
  reason         text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('change', 'rollback', 'promote', 'canary')),
  env            text NOT NULL,
  rolled_back_to bigint,
  client_ip      text
);

CREATE TABLE config.version_changes (
  version_id bigint NOT NULL REFERENCES config.versions (id),
  env        text NOT NULL,
  category   text NOT NULL,
  key        text NOT NULL,
  old_state  jsonb,
  new_state  jsonb,
  PRIMARY KEY (version_id, env, category, key)
);
CREATE INDEX version_changes_param_idx ON config.version_changes (category, key, version_id);

-- A canary: a change set served to one named process, or to a share of requests (by a hash of the
-- request), until it is promoted (becomes a version for everyone) or rolled back.
CREATE TABLE config.canaries (
  id             bigserial PRIMARY KEY,
  created_at     timestamptz NOT NULL DEFAULT now(),
  who            text NOT NULL,
  reason         text NOT NULL,
  env            text NOT NULL,
  target_process text,
  target_percent double precision CHECK (target_percent > 0 AND target_percent <= 100),
  -- [{category, key, value}]
  changes        jsonb NOT NULL,
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'promoted', 'rolled_back')),
  closed_at      timestamptz,
  closed_by      text,
  version_id     bigint REFERENCES config.versions (id),
  CHECK ((target_process IS NULL) <> (target_percent IS NULL))
);

-- Every process reloads on these too (as on config.parameters): env values and canaries change what it serves.
CREATE FUNCTION config.notify_config_table_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('config_changed',
    json_build_object('op', lower(TG_OP), 'table', TG_TABLE_NAME, 'ts', now())::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER env_values_notify
AFTER INSERT OR UPDATE OR DELETE ON config.env_values
FOR EACH STATEMENT EXECUTE FUNCTION config.notify_config_table_change();

CREATE TRIGGER canaries_notify
AFTER INSERT OR UPDATE OR DELETE ON config.canaries
FOR EACH STATEMENT EXECUTE FUNCTION config.notify_config_table_change();

-- The audit chain: every entry (config changes, admin actions, quarantine releases, order and risk
-- decisions) carries the SHA-256 of the previous entry's canonical form, so an edited, deleted or
-- reordered entry breaks the chain (`marketpipe audit verify`). `seq` is contiguous from 1: appends
-- take an advisory lock, so concurrent writers keep one chain.
CREATE TABLE config.audit_chain (
  seq       bigint PRIMARY KEY CHECK (seq > 0),
  at        timestamptz NOT NULL,
  kind      text NOT NULL,
  actor     text NOT NULL,
  action    text NOT NULL,
  subject   text NOT NULL,
  detail    jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash      text NOT NULL
);
CREATE INDEX audit_chain_at_idx ON config.audit_chain (at);

-- Audit rows are append-only: the role the API and CLI use cannot change or remove them.
CREATE FUNCTION config.refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_chain_append_only
BEFORE UPDATE OR DELETE OR TRUNCATE ON config.audit_chain
FOR EACH STATEMENT EXECUTE FUNCTION config.refuse_audit_change();
CREATE TRIGGER audit_log_append_only
BEFORE UPDATE OR DELETE OR TRUNCATE ON config.audit_log
FOR EACH STATEMENT EXECUTE FUNCTION config.refuse_audit_change();
CREATE TRIGGER versions_append_only
BEFORE UPDATE OR DELETE OR TRUNCATE ON config.versions
FOR EACH STATEMENT EXECUTE FUNCTION config.refuse_audit_change();
CREATE TRIGGER version_changes_append_only
BEFORE UPDATE OR DELETE OR TRUNCATE ON config.version_changes
FOR EACH STATEMENT EXECUTE FUNCTION config.refuse_audit_change();
