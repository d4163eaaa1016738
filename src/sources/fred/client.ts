/**
 * FRED connector (Federal Reserve Bank of St. Louis): series metadata, observations with their realtime
 * (vintage) period, and release dates. Key in `FRED_API_KEY`, sent as the `api_key` query parameter.
 * FRED answers a bad key or an unknown series with HTTP 400 and `{error_code, error_message}`; the message is
 * the only thing telling them apart, so `classifyFredError` reads it.
 */
import type { EconomicSeries, Observation, ReleaseDate } from '../../core/economic.ts';
import {
  ProviderAuthError,
  type ProviderError,
  ProviderNotFoundError,
  ProviderRequestError,
} from '../errors.ts';
import type { HttpClient } from '../http.ts';
import { httpFor, type ProviderOptions, safeJson, trimBase } from '../support.ts';
import { fredObservation, fredSeries } from './mapping.ts';
import {
  FredError,
  FredObservationsResponse,
  FredReleaseDatesResponse,
  FredSeriesReleaseResponse,
  FredSeriesResponse,
} from './schema.ts';

const FRED_DEFAULT_BASE_URL = 'https://api.stlouisfed.org';
/** FRED's largest page of observations. */
const FRED_PAGE_LIMIT = 100_000;

/** Typed error for a FRED error body (HTTP 400 for both a bad key and an unknown series). */
export function classifyFredError(
  status: number,
  body: string,
  seriesId?: string,
): ProviderError | undefined {
  const parsed = FredError.safeParse(safeJson(body));
  if (!parsed.success) return undefined;
  const message = parsed.data.error_message.replace(/\s+/g, ' ').trim();
  const common = { httpStatus: status };
  if (/api_key/i.test(message))
    return new ProviderAuthError('fred', `${message} (check FRED_API_KEY)`, common);
  if (/does not exist/i.test(message) || status === 404) {
    return new ProviderNotFoundError('fred', `series ${seriesId ?? '?'}: ${message}`, {
      ...common,
      symbol: seriesId,
    });
  }
  if (status >= 500 || status === 429) return undefined; // the default mapping retries these
  return new ProviderRequestError('fred', message, common);
}

export interface ObservationQuery {
  /** First observation date, YYYY-MM-DD. @defaultValue all */
  observationStart?: string;
  /** Last observation date, YYYY-MM-DD. @defaultValue all */
  observationEnd?: string;
  /**
   * Vintage window, YYYY-MM-DD. FRED defaults both to today (only the current values); `1776-07-04` to
   * `9999-12-31` returns every revision.
   */
  realtimeStart?: string;
  realtimeEnd?: string;
  signal?: AbortSignal;
}

export class FredClient {
  readonly name = 'fred';
  readonly http: HttpClient;
  readonly configured: boolean;
  private readonly base: string;
  private readonly apiKey: string;

  constructor(options: ProviderOptions = {}) {
    this.base = trimBase(options.baseUrl ?? FRED_DEFAULT_BASE_URL);
    this.apiKey = options.apiKey ?? '';
    this.configured = this.apiKey !== '';
    this.http = httpFor(this.name, {
      ...options,
      limits: { rateLimit: { requests: 120, intervalMs: 60_000 }, concurrency: 2, ...options.limits },
    });
  }

  private url(path: string, params: Record<string, string | number | undefined>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
    q.set('file_type', 'json');
    q.set('api_key', this.apiKey);
    return `${this.base}/fred/${path}?${q.toString()}`;
  }

  /** Series metadata. */
  async series(seriesId: string, signal?: AbortSignal): Promise<EconomicSeries> {
    const body = await this.http.getJson(this.url('series', { series_id: seriesId }), FredSeriesResponse, {
      signal,
      symbol: seriesId,
      classify: (status, text) => classifyFredError(status, text, seriesId),
    });
    const first = body.seriess[0];
    if (first === undefined) throw new ProviderNotFoundError('fred', `series ${seriesId} not found`);
    return fredSeries(first);
  }

  /** Every observation in the query, page after page (`offset`), ascending by date. */
  async *observations(seriesId: string, query: ObservationQuery = {}): AsyncIterable<Observation[]> {
    let offset = 0;
    for (;;) {
      const url = this.url('series/observations', {
        series_id: seriesId,
        observation_start: query.observationStart,
        observation_end: query.observationEnd,
        realtime_start: query.realtimeStart,
        realtime_end: query.realtimeEnd,
        sort_order: 'asc',
        limit: FRED_PAGE_LIMIT,
        offset,
      });
      const page = await this.http.getJson(url, FredObservationsResponse, {
        signal: query.signal,
        symbol: seriesId,
        classify: (status, text) => classifyFredError(status, text, seriesId),
      });
      yield page.observations.map((o) => fredObservation(seriesId, o));
      offset += page.observations.length;
      if (page.observations.length === 0 || offset >= page.count) return;
    }
  }

  /** Publication dates of the release holding `seriesId`, from `since` (YYYY-MM-DD), future ones included. */
  async releaseDates(seriesId: string, since?: string, signal?: AbortSignal): Promise<ReleaseDate[]> {
    const classify = (status: number, text: string) => classifyFredError(status, text, seriesId);
    const rel = await this.http.getJson(
      this.url('series/release', { series_id: seriesId }),
      FredSeriesReleaseResponse,
      { signal, symbol: seriesId, classify },
    );
    const out: ReleaseDate[] = [];
    for (const release of rel.releases) {
      const dates = await this.http.getJson(
        this.url('release/dates', {
          release_id: release.id,
          realtime_start: since,
          include_release_dates_with_no_data: 'true',
          sort_order: 'asc',
          limit: 10_000,
        }),
        FredReleaseDatesResponse,
        { signal, symbol: seriesId, classify },
      );
      for (const d of dates.release_dates) {
        out.push({
          releaseId: d.release_id,
          name: d.release_name ?? release.name,
          releaseDate: d.date,
          seriesId,
          source: 'fred',
        });
      }
    }
    return out;
  }
}
