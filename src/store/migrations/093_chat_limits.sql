-- Limits of NL→SQL chat execution (see src/chat/executor/): read by every API process at each request,
-- so operators can tighten them without a restart.
INSERT INTO config.parameters (category, key, value_type, value, description, validation, seeded) VALUES
  ('chat', 'timeout_ms', 'int', '10000', 'Wall-clock limit of one chat query; past it the query is stopped (ms)', '{"min":100,"max":600000}', true),
  ('chat', 'max_concurrent', 'int', '2', 'Chat queries running at once; more are refused with 503', '{"min":1,"max":64}', true),
  ('chat', 'max_rows', 'int', '1000', 'Rows a chat query returns at most', '{"min":1,"max":100000}', true),
  ('chat', 'snapshot_max_age_ms', 'int', '60000', 'Embedded store: age after which the chat copy of the store is refreshed (ms)', '{"min":0,"max":86400000}', true)
ON CONFLICT (category, key) DO NOTHING;
