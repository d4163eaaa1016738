/** Economic indicators as stored in `economic_data` (FRED's vocabulary). */

/** Series metadata (`/fred/series`). */
export interface EconomicSeries {
  id: string;
  title: string;
  frequency: string | null;
  units: string | null;
  seasonalAdjustment: string | null;
  /** UTC ms, when FRED last changed the series. */
  lastUpdated: number | null;
  /** YYYY-MM-DD. */
  observationStart: string | null;
  observationEnd: string | null;
  source: string;
}

/**
 * One observation of one vintage: `value` was the published number for `date` from `realtimeStart` to
 * `realtimeEnd` (YYYY-MM-DD; `9999-12-31` = still current). `value` is null where FRED writes ".".
 */
export interface Observation {
  seriesId: string;
  date: string;
  realtimeStart: string;
  realtimeEnd: string;
  value: number | null;
  source: string;
}

/** A publication date of a release (the release calendar). */
export interface ReleaseDate {
  releaseId: number;
  name: string;
  releaseDate: string;
  seriesId: string | null;
  source: string;
}
