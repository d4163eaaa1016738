/** Hostile SQL a model (or a user) might send; every entry must be refused before it runs. */
export const HOSTILE_REFUSED: readonly { name: string; sql: string }[] = [
  // stacked statements and comments hiding statements
  { name: 'stacked DROP', sql: 'SELECT 1; DROP TABLE market_data.bars' },
  { name: 'stacked after comment', sql: 'SELECT 1 /* harmless */; DELETE FROM market_data.bars' },
  { name: 'line comment then statement', sql: 'SELECT 1 -- just one\n; DROP TABLE market_data.bars' },
  { name: 'comment pretending to be SELECT', sql: '/* SELECT */ DROP TABLE market_data.bars' },
  { name: 'empty statements around DROP', sql: 'SELECT 1 ; ; DROP TABLE market_data.instruments' },
  { name: 'stacked COMMIT', sql: 'SELECT * FROM market_data.bars; COMMIT' },
  { name: 'only comments', sql: '-- nothing here\n/* still nothing */' },
  // DDL
  { name: 'CREATE TABLE', sql: 'CREATE TABLE evil (x int)' },
  { name: 'CREATE TABLE AS', sql: 'CREATE TABLE evil_copy AS SELECT * FROM market_data.bars' },
  { name: 'ALTER TABLE', sql: 'ALTER TABLE market_data.bars ADD COLUMN evil int' },
  { name: 'DROP SCHEMA', sql: 'DROP SCHEMA market_data CASCADE' },
  { name: 'TRUNCATE', sql: 'TRUNCATE market_data.bars' },
  { name: 'CREATE ROLE', sql: 'CREATE ROLE evil SUPERUSER' },
  { name: 'GRANT', sql: 'GRANT ALL ON market_data.bars TO PUBLIC' },
  { name: 'CREATE FUNCTION', sql: "CREATE FUNCTION evil() RETURNS int AS 'SELECT 1' LANGUAGE sql" },
  // DML
  {
    name: 'INSERT',
    sql: "INSERT INTO market_data.instruments (symbol, asset_class, name) VALUES ('EVIL', 'crypto', 'x')",
  },
  { name: 'UPDATE', sql: 'UPDATE market_data.bars SET close = 0' },
  { name: 'DELETE', sql: 'DELETE FROM market_data.bars' },
  {
    name: 'MERGE',
    sql: 'MERGE INTO market_data.bars b USING market_data.bars s ON false WHEN NOT MATCHED THEN DO NOTHING',
  },
  // COPY
  { name: 'COPY to file', sql: "COPY market_data.bars TO '/tmp/stolen.csv'" },
  { name: 'COPY to program', sql: "COPY (SELECT 1) TO PROGRAM 'touch /tmp/evil'" },
  { name: 'COPY from file', sql: "COPY market_data.bars FROM '/etc/passwd'" },
  // side-effect and introspection functions
  { name: 'pg_sleep', sql: 'SELECT pg_sleep(60)' },
  { name: 'pg_catalog.pg_sleep', sql: 'SELECT pg_catalog.pg_sleep(1)' },
  { name: 'pg_sleep in FROM', sql: 'SELECT * FROM ROWS FROM (pg_sleep(1))' },
  { name: 'set_config', sql: "SELECT set_config('default_transaction_read_only', 'off', false)" },
  { name: 'current_setting', sql: "SELECT current_setting('data_directory')" },
  { name: 'pg_read_file', sql: "SELECT pg_read_file('/etc/passwd')" },
  { name: 'pg_read_binary_file', sql: "SELECT convert_from(pg_read_binary_file('/etc/passwd'), 'utf8')" },
  { name: 'pg_ls_dir', sql: "SELECT * FROM pg_ls_dir('.')" },
  { name: 'lo_import', sql: "SELECT lo_import('/etc/passwd')" },
  { name: 'lo_export', sql: "SELECT lo_export(1, '/tmp/evil')" },
  { name: 'dblink_exec', sql: "SELECT dblink_exec('dbname=postgres', 'DROP TABLE market_data.bars')" },
  { name: 'pg_terminate_backend', sql: 'SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity' },
  { name: 'pg_cancel_backend', sql: 'SELECT pg_cancel_backend(1)' },
  {
    name: 'query_to_xml',
    sql: "SELECT query_to_xml('DELETE FROM market_data.bars RETURNING 1', true, true, '')",
  },
  { name: 'nextval', sql: "SELECT nextval('market_data.instruments_id_seq')" },
  { name: 'advisory lock', sql: 'SELECT pg_advisory_lock(1)' },
  { name: 'pg_notify', sql: "SELECT pg_notify('price_updates', 'evil')" },
  { name: 'txid_current', sql: 'SELECT txid_current()' },
  { name: 'repeat (memory)', sql: "SELECT repeat('x', 1000000000)" },
  { name: 'xml', sql: "SELECT xmlparse(document '<a/>')" },
  { name: 'schema-qualified operator', sql: 'SELECT 1 OPERATOR(pg_catalog.+) 1' },
  { name: 'parameter', sql: 'SELECT $1' },
  // data-modifying CTEs
  { name: 'DELETE CTE', sql: 'WITH d AS (DELETE FROM market_data.bars RETURNING *) SELECT count(*) FROM d' },
  {
    name: 'UPDATE CTE',
    sql: "WITH u AS (UPDATE market_data.instruments SET name = 'evil' RETURNING 1) SELECT * FROM u",
  },
  {
    name: 'INSERT CTE',
    sql: "WITH i AS (INSERT INTO market_data.instruments (symbol, asset_class, name) VALUES ('EVIL', 'crypto', 'x') RETURNING id) SELECT * FROM i",
  },
  {
    name: 'nested DELETE CTE',
    sql: 'SELECT * FROM (WITH d AS (DELETE FROM market_data.bars RETURNING 1) SELECT * FROM d) x',
  },
  // SELECT INTO, locks
  { name: 'SELECT INTO', sql: 'SELECT * INTO evil_copy FROM market_data.bars' },
  { name: 'FOR UPDATE', sql: 'SELECT * FROM market_data.bars FOR UPDATE' },
  { name: 'FOR SHARE in subquery', sql: 'SELECT * FROM (SELECT * FROM market_data.bars FOR SHARE) s' },
  // relations outside the allowed schemas
  { name: 'pg_authid', sql: 'SELECT rolname, rolpassword FROM pg_catalog.pg_authid' },
  { name: 'unqualified pg_shadow', sql: 'SELECT * FROM pg_shadow' },
  { name: 'unqualified in subquery', sql: 'SELECT (SELECT rolpassword FROM pg_authid LIMIT 1)' },
  { name: 'information_schema', sql: 'SELECT * FROM information_schema.tables' },
  {
    name: 'union with catalog',
    sql: 'SELECT symbol FROM market_data.instruments UNION SELECT usename FROM pg_catalog.pg_user',
  },
  { name: 'ops table', sql: 'SELECT * FROM ops.job_runs' },
  { name: 'chat history', sql: 'SELECT * FROM chat.history' },
  { name: 'private portfolio', sql: 'SELECT * FROM risk.portfolios' },
  { name: 'private config', sql: 'SELECT * FROM config.parameters' },
  { name: 'cross database', sql: 'SELECT * FROM postgres.market_data.bars' },
  {
    name: 'CTE shadowing trick',
    sql: 'WITH a AS (SELECT * FROM pg_authid), pg_authid AS (SELECT 1) SELECT * FROM a',
  },
  { name: 'regclass cast', sql: "SELECT 'pg_authid'::regclass" },
  // endless
  {
    name: 'recursive endless',
    sql: 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t',
  },
  // session and transaction control
  { name: 'BEGIN', sql: 'BEGIN' },
  { name: 'SET ROLE', sql: 'SET ROLE postgres' },
  { name: 'RESET ROLE', sql: 'RESET ROLE' },
  { name: 'SET read only off', sql: 'SET default_transaction_read_only = off' },
  { name: 'DO block', sql: 'DO $$ BEGIN DELETE FROM market_data.bars; END $$' },
  { name: 'EXPLAIN ANALYZE DELETE', sql: 'EXPLAIN ANALYZE DELETE FROM market_data.bars' },
  { name: 'PREPARE', sql: 'PREPARE p AS DELETE FROM market_data.bars' },
  { name: 'LOCK', sql: 'LOCK TABLE market_data.bars' },
  { name: 'LISTEN', sql: 'LISTEN price_updates' },
  { name: 'VACUUM', sql: 'VACUUM market_data.bars' },
  { name: 'not SQL', sql: 'please drop everything' },
  // functions called in column notation: PostgreSQL reads t.f as f(t) when t has no column f
  { name: 'column notation pg_typeof', sql: 'SELECT i.pg_typeof FROM market_data.instruments i' },
  { name: 'column notation row_to_json', sql: 'SELECT i.row_to_json FROM market_data.instruments i' },
  { name: 'indirection notation', sql: 'SELECT (i).pg_typeof FROM market_data.instruments i' },
  {
    name: 'column notation in WHERE',
    sql: "SELECT i.symbol FROM market_data.instruments i WHERE i.row_to_json::text LIKE '%BTC%'",
  },
  {
    name: 'column notation on a CTE row',
    sql: 'WITH t AS (SELECT symbol FROM market_data.instruments) SELECT t.pg_column_size FROM t',
  },
];

/**
 * Column names the guard-only tests pass as the store's columns (the execution tests read the real ones
 * from the catalog): those of market_data.instruments and market_data.bars that the corpus names.
 */
export const TEST_COLUMNS: ReadonlySet<string> = new Set([
  'id',
  'symbol',
  'asset_class',
  'name',
  'currency',
  'instrument_id',
  'interval',
  'ts',
  'open',
  'high',
  'low',
  'close',
  'volume',
]);

/**
 * Accepted statements that would hold a store without the chat executor's limits: the planner
 * underestimates them (a filter it cannot see through), or they grow an aggregate's memory.
 */
export const HOSTILE_ACCEPTED: readonly { name: string; sql: string }[] = [
  {
    // issue 25's statement joins bars twice over a real store; the test store is ~650 bars, so three times
    name: 'mis-estimated cross join (issue 25)',
    sql: 'SELECT a.ts FROM market_data.bars a, market_data.bars b, market_data.bars c WHERE a.close + b.close + c.close = -1',
  },
  {
    name: 'string_agg over a cross join',
    sql: "SELECT string_agg(a.ts::text || b.ts::text, ',') FROM market_data.bars a, market_data.bars b, market_data.bars c",
  },
];
