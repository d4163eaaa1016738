/**
 * CoinGecko connector: `/coins/{id}/market_chart/range` for history (split into ≤ 89-day requests for hourly
 * bars, since CoinGecko picks the granularity by span) and `/simple/price` for latest prices.
 */
import type { AssetClass, Bar, Instrument, Interval, PricePoint, TimeRange } from '../../core/types.ts';
import { HttpSource } from '../http-source.ts';
import { bucketStart, splitRange } from '../normalize.ts';
import { type ProviderOptions, trimBase } from '../support.ts';
import type { FetchOptions, LatestResult } from '../types.ts';
import { boundarySnapMs, coingeckoBars, coingeckoLatest, coingeckoPoints } from './mapping.ts';
import { CoinGeckoMarketChart, CoinGeckoSimplePrice } from './schema.ts';

const COINGECKO_DEFAULT_BASE_URL = 'https://api.coingecko.com';
const COINGECKO_PRO_BASE_URL = 'https://pro-api.coingecko.com';
/** Longest span CoinGecko still answers with hourly points (it switches to daily above 90 days). */
export const COINGECKO_HOURLY_SPAN_MS = 89 * 86_400_000;
/** Coin ids per `/simple/price` request. */
const IDS_PER_REQUEST = 100;

export type CoinGeckoPlan = 'demo' | 'pro';

export interface CoinGeckoOptions extends ProviderOptions {
  /**
   * Which key header to send: `x-cg-demo-api-key` or `x-cg-pro-api-key`. Pro keys also switch the default base
   * URL to pro-api.coingecko.com. @defaultValue 'pro' when baseUrl is on pro-api, else 'demo'
   */
  plan?: CoinGeckoPlan;
}

export class CoinGeckoSource extends HttpSource {
  readonly assetClasses: readonly AssetClass[] = ['crypto', 'stablecoin'];
  readonly intervals: readonly Interval[] = ['1h', '1d'];
  readonly testSymbol = 'bitcoin';
  protected readonly testAssetClass = 'crypto';
  /** The public API answers without a key (at a lower rate), so CoinGecko is always usable. */
  readonly configured = true;
  readonly plan: CoinGeckoPlan;
  private readonly headers: Record<string, string>;

  constructor(options: CoinGeckoOptions = {}) {
    const plan = planOf(options);
    const defaultBase = plan === 'pro' ? COINGECKO_PRO_BASE_URL : COINGECKO_DEFAULT_BASE_URL;
    super(
      'coingecko',
      `${trimBase(options.baseUrl ?? defaultBase).replace(/\/api\/v3$/, '')}/api/v3`,
      options,
    );
    this.plan = plan;
    this.headers = options.apiKey ? { [`x-cg-${plan}-api-key`]: options.apiKey } : {};
  }

  protected async *pages(
    instrument: Instrument,
    interval: Interval,
    range: TimeRange,
    options: FetchOptions,
  ): AsyncIterable<Bar[]> {
    if (!this.intervals.includes(interval)) {
      throw this.unoffered(interval);
    }
    for (const chunk of this.chunks(interval, range)) {
      // ask past the chunk's end for the point that closes its last bar (see coingeckoBars)
      const ask = { from: chunk.from, to: chunk.to + boundarySnapMs(interval) };
      const chart = await this.chart(instrument, ask, options);
      yield coingeckoBars(chart, interval, chunk.from, chunk.to);
    }
  }

  /**
   * Raw price points (with market cap and 24h volume) for the `prices` table, chunk by chunk. Granularity is
   * CoinGecko's: 5-minute up to 1 day spans, hourly up to 90 days; this asks in ≤ 89-day chunks.
   */
  async *fetchPoints(
    instrument: Instrument,
    range: TimeRange,
    options: FetchOptions = {},
  ): AsyncIterable<PricePoint[]> {
    for (const chunk of splitRange(range, COINGECKO_HOURLY_SPAN_MS)) {
      const chart = await this.chart(instrument, chunk, options);
      yield coingeckoPoints(chart, instrument.symbol, chunk.from, chunk.to);
    }
  }

  fetchLatest(instruments: readonly Instrument[], options: FetchOptions = {}): Promise<LatestResult> {
    return this.latestInBatches(instruments, 'id', IDS_PER_REQUEST, async (ids) => {
      const url =
        `${this.base}/simple/price?ids=${encodeURIComponent(ids.join(','))}&vs_currencies=usd` +
        '&include_market_cap=true&include_24hr_vol=true&include_last_updated_at=true';
      const body = await this.http.getJson(url, CoinGeckoSimplePrice, {
        headers: this.headers,
        signal: options.signal,
      });
      return (id, symbol) => coingeckoLatest(body, id, symbol, this.now());
    });
  }

  /** Hourly bars need ≤ 89-day requests; daily bars come whole (CoinGecko returns daily points past 90 days). */
  private chunks(interval: Interval, range: TimeRange): TimeRange[] {
    const aligned = { from: bucketStart(range.from, interval), to: range.to };
    return interval === '1h'
      ? splitRange(aligned, COINGECKO_HOURLY_SPAN_MS)
      : splitRange(aligned, Number.MAX_SAFE_INTEGER);
  }

  private chart(
    instrument: Instrument,
    chunk: TimeRange,
    options: FetchOptions,
  ): Promise<CoinGeckoMarketChart> {
    const id = this.requireSymbol(instrument, 'id');
    const url =
      `${this.base}/coins/${encodeURIComponent(id)}/market_chart/range?vs_currency=usd` +
      `&from=${Math.floor(chunk.from / 1000)}&to=${Math.ceil(chunk.to / 1000)}`;
    return this.http.getJson(url, CoinGeckoMarketChart, {
      headers: this.headers,
      signal: options.signal,
      symbol: instrument.symbol,
    });
  }
}

function planOf(options: CoinGeckoOptions): CoinGeckoPlan {
  return options.plan ?? (options.baseUrl?.includes('pro-api.') ? 'pro' : 'demo');
}
