-- Halt kind: what a stored halt stops. 'daily_loss' (a run's daily loss reached risk_limits.max_daily_loss) lets
-- orders that reduce a position through; 'manual' (trade halt, the API) refuses everything. Before this the
-- reducing halt was recognised by its actor 'risk', which an API user of that name could also carry.
ALTER TABLE execution.halts ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'manual';
ALTER TABLE execution.halts DROP CONSTRAINT IF EXISTS halts_kind_check;
ALTER TABLE execution.halts ADD CONSTRAINT halts_kind_check CHECK (kind IN ('manual', 'daily_loss'));
-- the halts stored before: only the daily-loss breach wrote actor 'risk' on a strategy scope
UPDATE execution.halts SET kind = 'daily_loss' WHERE actor = 'risk' AND scope LIKE 'strategy:%';

UPDATE config.parameters
   SET description = 'Loss since the start of the UTC day that puts the strategy in a reducing state: orders that reduce a position pass, others are refused (account currency, positive); 0 = no limit'
 WHERE category = 'risk_limits' AND key = 'max_daily_loss';
