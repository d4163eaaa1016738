import { DAY_MS } from '../core/time.ts';
import type { Db } from '../store/db.ts';

export interface CleanupOptions {
  /** UTC ms. */
  now: number;
  /** Rows older than this move to the archive. @defaultValue 730 (2 years) */
  archiveAfterDays?: number;
}

export interface CleanupResult {
  records: number;
  archived_job_runs: number;
  archived_events: number;
  deduplicated_quarantine: number;
  refreshed_views: string[];
  vacuumed: boolean;
}

/**
 * Weekly housekeeping: finished job history older than the cut-off moves to `ops.job_runs_archive`, events
 * (`events.events`, when that schema exists) older than it move to `events.events_archive` when such a table
 * exists, identical unreleased quarantine rows are collapsed to the oldest, materialized views are refreshed
 * and the database is vacuumed and analysed. Safe to re-run.
 */
export async function runCleanup(db: Db, options: CleanupOptions): Promise<CleanupResult> {
  const cutoff = new Date(options.now - (options.archiveAfterDays ?? 730) * DAY_MS).toISOString();
  const archived = await db.transaction(async (tx) => {
    const moved = await tx.query(
      `WITH old AS (DELETE FROM ops.job_runs WHERE started_at < $1 AND status NOT IN ('running', 'pending') RETURNING *)
       INSERT INTO ops.job_runs_archive SELECT * FROM old`,
      [cutoff],
    );
    return moved.rowCount;
  });
  let archivedEvents = 0;
  const events = await db.query<{ live: string | null; archive: string | null }>(
    `SELECT to_regclass('events.events')::text AS live, to_regclass('events.events_archive')::text AS archive`,
  );
  const ev = events.rows[0];
  if (ev?.live && ev.archive) {
    const cols = await db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'events' AND table_name = 'events' AND column_name IN ('ts', 'event_date', 'created_at')
        ORDER BY column_name = 'ts' DESC, column_name = 'event_date' DESC`,
    );
    const col = cols.rows[0]?.column_name;
    if (col) {
      archivedEvents = await db.transaction(async (tx) => {
        const r = await tx.query(
          `WITH old AS (DELETE FROM events.events WHERE "${col}" < $1 RETURNING *)
           INSERT INTO events.events_archive SELECT * FROM old`,
          [cutoff],
        );
        return r.rowCount;
      });
    }
  }
  const dedup = await db.query(
    `DELETE FROM ops.quarantine q USING ops.quarantine k
      WHERE q.released_at IS NULL AND k.released_at IS NULL AND q.id > k.id
        AND q.source = k.source AND q.rule = k.rule AND q.symbol IS NOT DISTINCT FROM k.symbol
        AND q.interval IS NOT DISTINCT FROM k.interval AND q.ts IS NOT DISTINCT FROM k.ts AND q.raw = k.raw`,
  );
  const views = await db.query<{ name: string }>(
    `SELECT format('%I.%I', schemaname, matviewname) AS name FROM pg_matviews
      WHERE schemaname NOT IN ('pg_catalog', 'information_schema', '_timescaledb_internal') ORDER BY 1`,
  );
  const refreshed: string[] = [];
  for (const v of views.rows) {
    await db.exec(`REFRESH MATERIALIZED VIEW ${v.name}`);
    refreshed.push(v.name);
  }
  await db.exec('VACUUM ANALYZE');
  return {
    records: archived + archivedEvents + dedup.rowCount,
    archived_job_runs: archived,
    archived_events: archivedEvents,
    deduplicated_quarantine: dedup.rowCount,
    refreshed_views: refreshed,
    vacuumed: true,
  };
}
