/** Binance spot connector: klines paginated by `startTime` (1000 a page), ticker price as the latest. */
import type { AssetClass, Bar, Instrument, Interval, TimeRange } from '../../core/types.ts';
import { INTERVAL_MS, INTERVALS } from '../../core/types.ts';
import { ProviderNotFoundError } from '../errors.ts';
import { HttpSource } from '../http-source.ts';
import { latestOneByOne, type ProviderOptions, safeJson } from '../support.ts';
import type { FetchOptions, LatestResult } from '../types.ts';
import { BINANCE_INTERVALS, BINANCE_INVALID_SYMBOL, binanceBar, binancePrice } from './mapping.ts';
import { BinanceErrorBody, BinanceKlines, BinanceTickerPrice } from './schema.ts';

const BINANCE_DEFAULT_BASE_URL = 'https://api.binance.com';
/** Most klines Binance returns per request. */
export const BINANCE_PAGE_LIMIT = 1000;
/** Request weight allowed per minute per IP (spot API, 2024); the remaining headroom is this minus used. */
const BINANCE_WEIGHT_PER_MINUTE = 6000;

export class BinanceSource extends HttpSource {
  readonly assetClasses: readonly AssetClass[] = ['crypto', 'stablecoin'];
  readonly intervals = INTERVALS;
  readonly testSymbol = 'BTCUSDT';
  protected readonly testAssetClass = 'crypto';
  /** Market data needs no key. */
  readonly configured = true;
  private readonly headers: Record<string, string>;

  constructor(options: ProviderOptions = {}) {
    super('binance', options.baseUrl ?? BINANCE_DEFAULT_BASE_URL, options, {
      readRemaining: (headers) => {
        const used = Number(headers.get('x-mbx-used-weight-1m') ?? Number.NaN);
        return Number.isFinite(used) ? Math.max(0, BINANCE_WEIGHT_PER_MINUTE - used) : undefined;
      },
    });
    this.headers = options.apiKey ? { 'X-MBX-APIKEY': options.apiKey } : {};
  }

  protected async *pages(
    instrument: Instrument,
    interval: Interval,
    range: TimeRange,
    options: FetchOptions,
  ): AsyncIterable<Bar[]> {
    const pair = this.requireSymbol(instrument);
    const intervalMs = INTERVAL_MS[interval];
    let start = range.from;
    while (start < range.to) {
      const url =
        `${this.base}/api/v3/klines?symbol=${encodeURIComponent(pair)}&interval=${BINANCE_INTERVALS[interval]}` +
        `&startTime=${start}&endTime=${range.to - 1}&limit=${BINANCE_PAGE_LIMIT}`;
      const rows = await this.http.getJson(url, BinanceKlines, this.request(instrument, options));
      yield rows.map(binanceBar);
      if (rows.length < BINANCE_PAGE_LIMIT) return;
      const lastOpen = Math.max(...rows.map((row) => row[0]));
      // A page that does not move forward would loop for ever; Binance never sends one, a broken proxy might.
      if (lastOpen < start) return;
      start = lastOpen + intervalMs;
    }
  }

  fetchLatest(instruments: readonly Instrument[], options: FetchOptions = {}): Promise<LatestResult> {
    return latestOneByOne(instruments, async (instrument) => {
      const pair = this.requireSymbol(instrument);
      const url = `${this.base}/api/v3/ticker/price?symbol=${encodeURIComponent(pair)}`;
      const ticker = await this.http.getJson(url, BinanceTickerPrice, this.request(instrument, options));
      return binancePrice(ticker, instrument.symbol, this.now());
    });
  }

  private request(instrument: Instrument, options: FetchOptions) {
    return {
      headers: this.headers,
      signal: options.signal,
      symbol: instrument.symbol,
      classify: (status: number, body: string) => {
        if (status !== 400) return undefined;
        const parsed = BinanceErrorBody.safeParse(safeJson(body));
        if (parsed.success && parsed.data.code === BINANCE_INVALID_SYMBOL) {
          return new ProviderNotFoundError(
            this.name,
            `unknown pair ${this.providerSymbol(instrument)} for ${instrument.symbol}`,
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
