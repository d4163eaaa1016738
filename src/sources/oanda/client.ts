/** OANDA v20 connector: instrument candles (≤ 5000 a request, paginated by `from`), bearer token. */
import { toIso } from '../../core/time.ts';
import type { AssetClass, Bar, Instrument, Interval, TimeRange } from '../../core/types.ts';
import { INTERVAL_MS, INTERVALS } from '../../core/types.ts';
import { ProviderNotFoundError } from '../errors.ts';
import type { RequestOptions } from '../http.ts';
import { HttpSource } from '../http-source.ts';
import { latestOneByOne, type ProviderOptions, safeJson } from '../support.ts';
import type { FetchOptions, LatestResult } from '../types.ts';
import { OANDA_GRANULARITIES, type OandaPrice, oandaBar, oandaPrice, oandaTime } from './mapping.ts';
import { OandaCandlesResponse, OandaErrorBody } from './schema.ts';

/** Practice (fxTrade Practice) accounts are the free ones; live accounts set OANDA_BASE_URL=https://api-fxtrade.oanda.com. */
const OANDA_DEFAULT_BASE_URL = 'https://api-fxpractice.oanda.com';
/** Most candles v20 returns per request. */
const OANDA_MAX_COUNT = 5000;

export interface OandaOptions extends ProviderOptions {
  /** Side of the book for bars and prices. @defaultValue 'M' (mid) */
  price?: OandaPrice;
  /** Candles per request (≤ 5000). @defaultValue 5000 */
  pageSize?: number;
}

export class OandaSource extends HttpSource {
  readonly assetClasses: readonly AssetClass[] = ['fx'];
  readonly intervals = INTERVALS;
  readonly testSymbol = 'EUR_USD';
  protected readonly testAssetClass = 'fx';
  readonly configured: boolean;
  private readonly headers: Record<string, string>;
  private readonly price: OandaPrice;
  private readonly pageSize: number;

  constructor(options: OandaOptions = {}) {
    super('oanda', options.baseUrl ?? OANDA_DEFAULT_BASE_URL, options);
    this.configured = (options.apiKey ?? '') !== '';
    this.headers = { authorization: `Bearer ${options.apiKey ?? ''}`, 'accept-datetime-format': 'RFC3339' };
    this.price = options.price ?? 'M';
    this.pageSize = Math.min(OANDA_MAX_COUNT, Math.max(1, options.pageSize ?? OANDA_MAX_COUNT));
  }

  protected async *pages(
    instrument: Instrument,
    interval: Interval,
    range: TimeRange,
    options: FetchOptions,
  ): AsyncIterable<Bar[]> {
    const name = this.requireSymbol(instrument, 'instrument');
    const stepMs = INTERVAL_MS[interval];
    let from = range.from;
    while (from < range.to) {
      // Daily (and 4-hour) candles align at 00:00 UTC instead of v20's default 17:00 New York, so a daily bar
      // is a UTC calendar day like every other provider's.
      const url =
        `${this.base}/v3/instruments/${encodeURIComponent(name)}/candles?granularity=${OANDA_GRANULARITIES[interval]}` +
        `&price=${this.price}&from=${encodeURIComponent(toIso(from))}&count=${this.pageSize}` +
        '&dailyAlignment=0&alignmentTimezone=UTC';
      const page = await this.http.getJson(url, OandaCandlesResponse, this.request(instrument, options));
      const bars: Bar[] = [];
      page.candles.forEach((candle, i) => {
        const bar = oandaBar(candle, this.price, i);
        if (bar !== undefined) bars.push(bar);
      });
      yield bars;
      const last = page.candles[page.candles.length - 1];
      if (page.candles.length < this.pageSize || last === undefined) return;
      const lastOpen = oandaTime(last.time, `candles[${page.candles.length - 1}].time`);
      if (lastOpen < from) return;
      from = lastOpen + stepMs;
    }
  }

  fetchLatest(instruments: readonly Instrument[], options: FetchOptions = {}): Promise<LatestResult> {
    return latestOneByOne(instruments, async (instrument) => {
      const name = this.requireSymbol(instrument, 'instrument');
      const url = `${this.base}/v3/instruments/${encodeURIComponent(name)}/candles?granularity=M1&price=${this.price}&count=1`;
      const page = await this.http.getJson(url, OandaCandlesResponse, this.request(instrument, options));
      const last = page.candles[page.candles.length - 1];
      if (last === undefined) {
        throw new ProviderNotFoundError(this.name, `no recent candle for ${name}`, {
          symbol: instrument.symbol,
        });
      }
      return oandaPrice(last, this.price, instrument.symbol, this.now(), INTERVAL_MS['1m']);
    });
  }

  private request(instrument: Instrument, options: FetchOptions): RequestOptions {
    return {
      headers: this.headers,
      signal: options.signal,
      symbol: instrument.symbol,
      classify: (status, body) => {
        // v20 answers an unknown instrument with 400 "Invalid value specified for 'instrument'".
        const parsed = OandaErrorBody.safeParse(safeJson(body));
        if (
          (status === 400 || status === 404) &&
          parsed.success &&
          /'instrument'/.test(parsed.data.errorMessage)
        ) {
          return new ProviderNotFoundError(
            this.name,
            `unknown instrument ${this.providerSymbol(instrument)}`,
            {
              httpStatus: status,
              symbol: instrument.symbol,
            },
          );
        }
        return undefined;
      },
    };
  }
}
