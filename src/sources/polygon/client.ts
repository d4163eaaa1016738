/** Polygon.io connector: aggregates with `next_url` pagination, previous close as the latest price. */
import { toIsoDate } from '../../core/time.ts';
import type { AssetClass, Bar, Instrument, Interval, TimeRange } from '../../core/types.ts';
import { INTERVALS } from '../../core/types.ts';
import { ProviderNotFoundError, ProviderRequestError } from '../errors.ts';
import { HttpSource } from '../http-source.ts';
import { dailyTimeZone, latestOneByOne, type ProviderOptions } from '../support.ts';
import type { FetchOptions, LatestResult } from '../types.ts';
import { POLYGON_TIMESPANS, polygonBar, polygonPrice } from './mapping.ts';
import { type PolygonAggsResponse as Aggs, PolygonAggsResponse } from './schema.ts';

export const POLYGON_DEFAULT_BASE_URL = 'https://api.polygon.io';

export class PolygonSource extends HttpSource {
  readonly assetClasses: readonly AssetClass[] = ['equity', 'etf', 'index', 'crypto', 'fx'];
  readonly intervals = INTERVALS;
  readonly testSymbol = 'AAPL';
  protected readonly testAssetClass = 'equity';
  readonly configured: boolean;
  private readonly apiKey: string;

  constructor(options: ProviderOptions = {}) {
    super('polygon', options.baseUrl ?? POLYGON_DEFAULT_BASE_URL, options);
    this.apiKey = options.apiKey ?? '';
    this.configured = this.apiKey !== '';
  }

  protected async *pages(
    instrument: Instrument,
    interval: Interval,
    range: TimeRange,
    options: FetchOptions,
  ): AsyncIterable<Bar[]> {
    if (range.to <= range.from) return;
    const ticker = this.requireSymbol(instrument);
    const [multiplier, timespan] = POLYGON_TIMESPANS[interval];
    // Day aggregates are asked by calendar date; intraday by epoch ms (Polygon accepts both; `to` is inclusive).
    const from = interval === '1d' ? toIsoDate(range.from) : String(range.from);
    const to = interval === '1d' ? toIsoDate(range.to - 1) : String(range.to - 1);
    let url: string | undefined =
      `${this.base}/v2/aggs/ticker/${encodeURIComponent(ticker)}/range/${multiplier}/${timespan}/${from}/${to}` +
      '?adjusted=true&sort=asc&limit=50000';
    const zone = dailyTimeZone(instrument);
    while (url !== undefined) {
      const page: Aggs = await this.get(url, instrument, options);
      yield (page.results ?? []).map((agg) => polygonBar(agg, interval, zone));
      url = page.next_url === undefined ? undefined : this.sameOrigin(page.next_url);
    }
  }

  fetchLatest(instruments: readonly Instrument[], options: FetchOptions = {}): Promise<LatestResult> {
    return latestOneByOne(instruments, async (instrument) => {
      const ticker = this.requireSymbol(instrument);
      const url = `${this.base}/v2/aggs/ticker/${encodeURIComponent(ticker)}/prev?adjusted=true`;
      const page = await this.get(url, instrument, options);
      const agg = page.results?.[0];
      if (agg === undefined) {
        throw new ProviderNotFoundError(this.name, `no previous close for ${ticker}`, {
          symbol: instrument.symbol,
        });
      }
      return polygonPrice(agg, instrument.symbol);
    });
  }

  private async get(url: string, instrument: Instrument, options: FetchOptions): Promise<Aggs> {
    const sep = url.includes('?') ? '&' : '?';
    const page = await this.http.getJson(
      `${url}${sep}apiKey=${encodeURIComponent(this.apiKey)}`,
      PolygonAggsResponse,
      {
        signal: options.signal,
        symbol: instrument.symbol,
      },
    );
    if (page.status === 'ERROR') {
      throw new ProviderRequestError(
        this.name,
        `request failed: ${page.error ?? page.message ?? 'status ERROR'}`,
      );
    }
    return page;
  }

  /** `next_url` points at api.polygon.io; keep our configured origin so a proxy or fake stays in the loop. */
  private sameOrigin(nextUrl: string): string {
    const next = new URL(nextUrl, this.base);
    next.searchParams.delete('apiKey');
    return `${this.base}${next.pathname}${next.search}`;
  }
}
