/** Yahoo Finance chart connector (backup for stocks/ETFs/indices): `/v8/finance/chart/{symbol}`, no key. */
import type { AssetClass, Bar, Instrument, Interval, TimeRange } from '../../core/types.ts';
import { ProviderNotFoundError } from '../errors.ts';
import { HttpSource } from '../http-source.ts';
import { splitRange } from '../normalize.ts';
import { dailyTimeZone, latestOneByOne, type ProviderOptions } from '../support.ts';
import type { FetchOptions, LatestResult } from '../types.ts';
import { YAHOO_INTERVALS, YAHOO_MAX_SPAN_MS, yahooBars, yahooPrice } from './mapping.ts';
import { YahooChartResponse, type YahooChartResult } from './schema.ts';

const YAHOO_DEFAULT_BASE_URL = 'https://query2.finance.yahoo.com';

/** Yahoo rejects requests without a browser-like user agent. */
const USER_AGENT = 'Mozilla/5.0 (compatible; marketpipe/0.1; +https://github.com/marketpipe)';

export class YahooSource extends HttpSource {
  readonly assetClasses: readonly AssetClass[] = ['equity', 'etf', 'index', 'crypto', 'fx'];
  readonly intervals = Object.keys(YAHOO_INTERVALS) as Interval[];
  readonly testSymbol = 'AAPL';
  protected readonly testAssetClass = 'equity';
  readonly configured = true;

  constructor(options: ProviderOptions = {}) {
    super('yahoo', options.baseUrl ?? YAHOO_DEFAULT_BASE_URL, options);
  }

  protected async *pages(
    instrument: Instrument,
    interval: Interval,
    range: TimeRange,
    options: FetchOptions,
  ): AsyncIterable<Bar[]> {
    const yahooInterval = YAHOO_INTERVALS[interval];
    const span = YAHOO_MAX_SPAN_MS[interval];
    if (yahooInterval === undefined || span === undefined) {
      throw this.unoffered(interval);
    }
    for (const chunk of splitRange(range, span)) {
      const query =
        `period1=${Math.floor(chunk.from / 1000)}&period2=${Math.ceil(chunk.to / 1000)}` +
        `&interval=${yahooInterval}&includePrePost=false&events=div%7Csplit`;
      const result = await this.chart(instrument, query, options);
      yield yahooBars(result, interval, dailyTimeZone(instrument));
    }
  }

  fetchLatest(instruments: readonly Instrument[], options: FetchOptions = {}): Promise<LatestResult> {
    return latestOneByOne(instruments, async (instrument) => {
      const result = await this.chart(instrument, 'range=1d&interval=1d', options);
      const point = yahooPrice(result, instrument.symbol);
      if (point === undefined) {
        throw new ProviderNotFoundError(this.name, `no market price for ${instrument.symbol}`, {
          symbol: instrument.symbol,
        });
      }
      return point;
    });
  }

  private async chart(
    instrument: Instrument,
    query: string,
    options: FetchOptions,
  ): Promise<YahooChartResult> {
    const symbol = this.requireSymbol(instrument);
    const url = `${this.base}/v8/finance/chart/${encodeURIComponent(symbol)}?${query}`;
    const body = await this.http.getJson(url, YahooChartResponse, {
      headers: { 'user-agent': USER_AGENT },
      signal: options.signal,
      symbol: instrument.symbol,
    });
    const result = body.chart.result?.[0];
    if (result === undefined) {
      const why = body.chart.error
        ? `${body.chart.error.code}: ${body.chart.error.description}`
        : 'empty result';
      throw new ProviderNotFoundError(this.name, `${symbol} (${why})`, { symbol: instrument.symbol });
    }
    return result;
  }
}
