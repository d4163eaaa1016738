/**
 * FRED API wire formats (https://fred.stlouisfed.org/docs/api/fred/): `series/observations`, `series`,
 * `series/release` and `release/dates`, all with `file_type=json`. Values and dates are strings; a missing
 * observation is the value ".".
 */
import { z } from 'zod';

export const FredObservation = z.object({
  realtime_start: z.string(),
  realtime_end: z.string(),
  date: z.string(),
  value: z.string(),
});
export type FredObservation = z.infer<typeof FredObservation>;

export const FredObservationsResponse = z.object({
  realtime_start: z.string().optional(),
  realtime_end: z.string().optional(),
  observation_start: z.string().optional(),
  observation_end: z.string().optional(),
  units: z.string().optional(),
  count: z.number(),
  offset: z.number(),
  limit: z.number(),
  observations: z.array(FredObservation),
});
export type FredObservationsResponse = z.infer<typeof FredObservationsResponse>;

export const FredSeries = z.object({
  id: z.string(),
  realtime_start: z.string().optional(),
  realtime_end: z.string().optional(),
  title: z.string(),
  observation_start: z.string().optional(),
  observation_end: z.string().optional(),
  frequency: z.string().optional(),
  frequency_short: z.string().optional(),
  units: z.string().optional(),
  units_short: z.string().optional(),
  seasonal_adjustment: z.string().optional(),
  seasonal_adjustment_short: z.string().optional(),
  /** "2013-07-31 09:26:16-05" (US Central, with its offset). */
  last_updated: z.string().optional(),
  popularity: z.number().optional(),
  notes: z.string().optional(),
});
export type FredSeries = z.infer<typeof FredSeries>;

/** `/fred/series` answers a list named `seriess` (sic). */
export const FredSeriesResponse = z.object({
  realtime_start: z.string().optional(),
  realtime_end: z.string().optional(),
  seriess: z.array(FredSeries),
});

const FredRelease = z.object({
  id: z.number(),
  realtime_start: z.string().optional(),
  realtime_end: z.string().optional(),
  name: z.string(),
  press_release: z.boolean().optional(),
  link: z.string().optional(),
});

export const FredSeriesReleaseResponse = z.object({ releases: z.array(FredRelease) });

export const FredReleaseDatesResponse = z.object({
  count: z.number().optional(),
  offset: z.number().optional(),
  limit: z.number().optional(),
  release_dates: z.array(
    z.object({ release_id: z.number(), release_name: z.string().optional(), date: z.string() }),
  ),
});

/** The error body FRED sends with 400/404/500: `{"error_code":400,"error_message":"Bad Request. …"}`. */
export const FredError = z.object({ error_code: z.number(), error_message: z.string() });
