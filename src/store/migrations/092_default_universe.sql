-- What a store was seeded with when it was created. The default universe (universe/default.json) is loaded
-- by the hook of this migration (src/store/seed.ts), once: a later open never reloads it, so instruments a
-- user removed stay removed. `instruments load` remains the way to apply edits of the file.
CREATE TABLE IF NOT EXISTS ops.store_seeds (
  name        text PRIMARY KEY,
  loaded_at   timestamptz NOT NULL DEFAULT now(),
  instruments integer NOT NULL,
  note        text
);
