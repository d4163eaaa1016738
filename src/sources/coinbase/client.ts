/**
 * Coinbase Exchange public REST: 1m…1d candles (300 a request — more is rejected; minutes without trades are
 * omitted) and the ticker as the latest price. No key needed for market data.
 */
import {
  type AssetClass,
  type Bar,
  INTERVAL_MS,
  type Instrument,
  type Interval,
  type TimeRange,
} from '../../core/types.ts';
import { HttpSource } from '../http-source.ts';
import { latestOneByOne, type ProviderOptions } from '../support.ts';
import type { FetchOptions, LatestResult } from '../types.ts';
import { COINBASE_GRANULARITY, COINBASE_PRODUCTS, coinbaseBar, coinbasePrice } from './mapping.ts';
import { CoinbaseCandles, CoinbaseTicker } from './schema.ts';

const COINBASE_DEFAULT_BASE_URL = 'https://api.exchange.coinbase.com';
/** Most candles Coinbase returns per request. */
export const COINBASE_PAGE_LIMIT = 300;

export class CoinbaseSource extends HttpSource {
  readonly assetClasses: readonly AssetClass[] = ['crypto', 'stablecoin'];
  readonly intervals = Object.keys(COINBASE_GRANULARITY) as Interval[];
  readonly testSymbol = 'BTC-USD';
  protected readonly testAssetClass = 'crypto';
  readonly configured = true;

  constructor(options: ProviderOptions = {}) {
    super('coinbase', options.baseUrl ?? COINBASE_DEFAULT_BASE_URL, options);
  }

  override providerSymbol(instrument: Instrument): string | undefined {
    return super.providerSymbol(instrument) ?? COINBASE_PRODUCTS[instrument.symbol];
  }

  protected async *pages(
    instrument: Instrument,
    interval: Interval,
    range: TimeRange,
    options: FetchOptions,
  ): AsyncIterable<Bar[]> {
    const product = this.requireSymbol(instrument, 'product');
    const granularity = COINBASE_GRANULARITY[interval];
    if (granularity === undefined) return;
    const step = INTERVAL_MS[interval] * COINBASE_PAGE_LIMIT;
    for (let start = range.from; start < range.to; start += step) {
      // `end` is inclusive on Coinbase: stop one bucket short so 300 buckets never become 301.
      const end = Math.min(range.to, start + step) - INTERVAL_MS[interval];
      const url =
        `${this.base}/products/${encodeURIComponent(product)}/candles?granularity=${granularity}` +
        `&start=${new Date(start).toISOString()}&end=${new Date(Math.max(start, end)).toISOString()}`;
      const rows = await this.http.getJson(url, CoinbaseCandles, {
        signal: options.signal,
        symbol: instrument.symbol,
      });
      yield rows.map(coinbaseBar);
    }
  }

  fetchLatest(instruments: readonly Instrument[], options: FetchOptions = {}): Promise<LatestResult> {
    return latestOneByOne(instruments, async (instrument) => {
      const product = this.requireSymbol(instrument, 'product');
      const url = `${this.base}/products/${encodeURIComponent(product)}/ticker`;
      const ticker = await this.http.getJson(url, CoinbaseTicker, {
        signal: options.signal,
        symbol: instrument.symbol,
      });
      return coinbasePrice(ticker, instrument.symbol, this.now());
    });
  }
}
