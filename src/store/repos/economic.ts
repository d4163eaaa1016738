/** `economic_data` repository: series metadata, vintaged observations, release dates. Plain SQL. */

import type { EconomicSeries, Observation, ReleaseDate } from '../../core/economic.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { Queryable } from '../db.ts';

const CHUNK = 5_000;

export async function upsertSeries(db: Queryable, series: readonly EconomicSeries[]): Promise<number> {
  let n = 0;
  for (const s of series) {
    const res = await db.query(
      `INSERT INTO economic_data.series (id, title, frequency, units, seasonal_adjustment, last_updated,
                                         observation_start, observation_end, source, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
       ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, frequency = EXCLUDED.frequency,
         units = EXCLUDED.units, seasonal_adjustment = EXCLUDED.seasonal_adjustment,
         last_updated = EXCLUDED.last_updated, observation_start = EXCLUDED.observation_start,
         observation_end = EXCLUDED.observation_end, source = EXCLUDED.source, updated_at = now()`,
      [
        s.id,
        s.title,
        s.frequency,
        s.units,
        s.seasonalAdjustment,
        s.lastUpdated === null ? null : new Date(s.lastUpdated).toISOString(),
        s.observationStart,
        s.observationEnd,
        s.source,
      ],
    );
    n += res.rowCount;
  }
  return n;
}

export interface UpsertCounts {
  stored: number;
  unchanged: number;
}

/**
 * Inserts new vintages and updates changed ones (value, or a realtime end that closed); equal rows are
 * left alone and counted as unchanged. A realtime end never reopens: once a newer vintage is known, the older
 * one stays closed even if a source (a sample, an older extract) still reports it as current. Then closes superseded vintages: when a newer realtime_start exists for a date, the
 * older row's realtime_end becomes the day before it (as FRED reports it), so no revision is lost.
 */
export async function upsertObservations(db: Queryable, rows: readonly Observation[]): Promise<UpsertCounts> {
  const unique = new Map<string, Observation>();
  for (const r of rows) unique.set(`${r.seriesId}|${r.date}|${r.realtimeStart}`, r);
  const all = [...unique.values()];
  let stored = 0;
  for (let i = 0; i < all.length; i += CHUNK) {
    const part = all.slice(i, i + CHUNK);
    const res = await db.query(
      `INSERT INTO economic_data.observations AS o (series_id, date, realtime_start, realtime_end, value, source)
       SELECT * FROM unnest($1::text[], $2::date[], $3::date[], $4::date[], $5::float8[], $6::text[])
       ON CONFLICT (series_id, date, realtime_start) DO UPDATE
         SET value = EXCLUDED.value, realtime_end = LEAST(o.realtime_end, EXCLUDED.realtime_end),
             source = EXCLUDED.source, ingested_at = now()
       WHERE o.value IS DISTINCT FROM EXCLUDED.value OR o.realtime_end > EXCLUDED.realtime_end`,
      [
        part.map((r) => r.seriesId),
        part.map((r) => r.date),
        part.map((r) => r.realtimeStart),
        part.map((r) => r.realtimeEnd),
        part.map((r) => r.value),
        part.map((r) => r.source),
      ],
    );
    stored += res.rowCount;
  }
  const series = [...new Set(all.map((r) => r.seriesId))];
  if (series.length > 0) {
    await db.query(
      `UPDATE economic_data.observations o SET realtime_end = (nx.next_start - 1)
         FROM (SELECT series_id, date, realtime_start,
                      lead(realtime_start) OVER (PARTITION BY series_id, date ORDER BY realtime_start) AS next_start
                 FROM economic_data.observations WHERE series_id = ANY($1::text[])) nx
        WHERE o.series_id = nx.series_id AND o.date = nx.date AND o.realtime_start = nx.realtime_start
          AND nx.next_start IS NOT NULL AND o.realtime_end >= nx.next_start`,
      [series],
    );
  }
  return { stored, unchanged: all.length - stored + (rows.length - all.length) };
}

export interface ObservationPoint {
  date: string;
  value: number | null;
  realtime_start: string;
  realtime_end: string;
}

export interface ObservationQuery {
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
  /** Values as published on this day (YYYY-MM-DD): the vintage whose realtime period contains it. @defaultValue latest */
  asOf?: string;
  /** @defaultValue 10000 */
  limit?: number;
}

const DATE = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;

/** One value per date (the latest vintage, or the one current on `asOf`), ascending by date. */
export async function readObservations(
  db: Queryable,
  seriesId: string,
  q: ObservationQuery = {},
): Promise<ObservationPoint[]> {
  const res = await db.query<ObservationPoint>(
    `SELECT * FROM (
       SELECT DISTINCT ON (o.date) ${DATE('o.date')} AS date, o.value, ${DATE('o.realtime_start')} AS realtime_start,
              ${DATE('o.realtime_end')} AS realtime_end, o.date AS d
         FROM economic_data.observations o
        WHERE o.series_id = $1 AND ($2::date IS NULL OR o.date >= $2::date) AND ($3::date IS NULL OR o.date <= $3::date)
          AND ($4::date IS NULL OR o.realtime_start <= $4::date)
        ORDER BY o.date, o.realtime_start DESC) v
     ORDER BY d DESC LIMIT $5`,
    [seriesId, q.from ?? null, q.to ?? null, q.asOf ?? null, q.limit ?? 10_000],
  );
  return res.rows
    .map((r) => ({
      date: r.date,
      value: r.value === null ? null : Number(r.value),
      realtime_start: r.realtime_start,
      realtime_end: r.realtime_end,
    }))
    .reverse();
}

/** Every stored vintage of one date, oldest first (the revision history). */
export async function readVintages(
  db: Queryable,
  seriesId: string,
  date: string,
): Promise<ObservationPoint[]> {
  const res = await db.query<ObservationPoint>(
    `SELECT ${DATE('date')} AS date, value, ${DATE('realtime_start')} AS realtime_start, ${DATE('realtime_end')} AS realtime_end
       FROM economic_data.observations WHERE series_id = $1 AND date = $2::date ORDER BY realtime_start`,
    [seriesId, date],
  );
  return res.rows.map((r) => ({ ...r, value: r.value === null ? null : Number(r.value) }));
}

export interface SeriesRow {
  id: string;
  title: string;
  frequency: string | null;
  units: string | null;
  seasonal_adjustment: string | null;
  last_updated: string | null;
  observations: number;
  first: string | null;
  last: string | null;
}

export async function readSeries(db: Queryable, seriesId?: string): Promise<SeriesRow[]> {
  const res = await db.query<SeriesRow>(
    `SELECT s.id, s.title, s.frequency, s.units, s.seasonal_adjustment,
            to_char(s.last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_updated,
            (SELECT count(DISTINCT date)::int FROM economic_data.observations o WHERE o.series_id = s.id) AS observations,
            (SELECT ${DATE('min(date)')} FROM economic_data.observations o WHERE o.series_id = s.id) AS first,
            (SELECT ${DATE('max(date)')} FROM economic_data.observations o WHERE o.series_id = s.id) AS last
       FROM economic_data.series s WHERE $1::text IS NULL OR s.id = $1 ORDER BY s.id`,
    [seriesId ?? null],
  );
  return res.rows.map((r) => ({ ...r, observations: Number(r.observations) }));
}

/** The stored series `seriesId`, or NotFoundError naming it (API 404, CLI exit 1). */
export async function requireSeries(db: Queryable, seriesId: string): Promise<SeriesRow> {
  const [series] = await readSeries(db, seriesId);
  if (series === undefined)
    throw new NotFoundError(`unknown economic series "${seriesId}" (see marketpipe economic list)`);
  return series;
}

/** Newest observation date stored for a series (YYYY-MM-DD) or null. */
export async function lastObservationDate(db: Queryable, seriesId: string): Promise<string | null> {
  const res = await db.query<{ d: string | null }>(
    `SELECT ${DATE('max(date)')} AS d FROM economic_data.observations WHERE series_id = $1`,
    [seriesId],
  );
  return res.rows[0]?.d ?? null;
}

export async function upsertReleaseDates(db: Queryable, rows: readonly ReleaseDate[]): Promise<UpsertCounts> {
  const unique = new Map<string, ReleaseDate>();
  for (const r of rows) unique.set(`${r.releaseId}|${r.releaseDate}`, r);
  const all = [...unique.values()];
  if (all.length === 0) return { stored: 0, unchanged: 0 };
  const res = await db.query(
    `INSERT INTO economic_data.releases AS r (release_id, name, release_date, series_id, source)
     SELECT * FROM unnest($1::int[], $2::text[], $3::date[], $4::text[], $5::text[])
     ON CONFLICT (release_id, release_date) DO UPDATE SET name = EXCLUDED.name, series_id = EXCLUDED.series_id
     WHERE r.name IS DISTINCT FROM EXCLUDED.name OR r.series_id IS DISTINCT FROM EXCLUDED.series_id`,
    [
      all.map((r) => r.releaseId),
      all.map((r) => r.name),
      all.map((r) => r.releaseDate),
      all.map((r) => r.seriesId),
      all.map((r) => r.source),
    ],
  );
  return { stored: res.rowCount, unchanged: all.length - res.rowCount };
}

export interface ReleaseRow {
  release_id: number;
  name: string;
  release_date: string;
  series_id: string | null;
}

/** Release calendar between two dates (YYYY-MM-DD, inclusive), ascending. */
export async function readReleases(
  db: Queryable,
  q: { from?: string; to?: string; series?: string } = {},
): Promise<ReleaseRow[]> {
  const res = await db.query<ReleaseRow>(
    `SELECT release_id, name, ${DATE('release_date')} AS release_date, series_id FROM economic_data.releases
      WHERE ($1::date IS NULL OR release_date >= $1::date) AND ($2::date IS NULL OR release_date <= $2::date)
        AND ($3::text IS NULL OR series_id = $3) ORDER BY release_date, release_id`,
    [q.from ?? null, q.to ?? null, q.series ?? null],
  );
  return res.rows.map((r) => ({ ...r, release_id: Number(r.release_id) }));
}
