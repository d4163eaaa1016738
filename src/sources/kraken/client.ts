/**
 * Kraken public REST: OHLC (only the 720 most recent entries per interval — 12 h of 1m bars; older minutes
 * cannot be fetched, so a longer outage is reported, not looped on) and the ticker's last trade price.
 */
import type { AssetClass, Bar, Instrument, Interval, TimeRange } from '../../core/types.ts';
import { ProviderRequestError } from '../errors.ts';
import { HttpSource } from '../http-source.ts';
import { latestOneByOne, type ProviderOptions } from '../support.ts';
import type { FetchOptions, LatestResult } from '../types.ts';
import { KRAKEN_INTERVALS, KRAKEN_PAIRS, krakenBar } from './mapping.ts';
import { KrakenOhlcBody, KrakenTickerBody } from './schema.ts';

const KRAKEN_DEFAULT_BASE_URL = 'https://api.kraken.com';

export class KrakenSource extends HttpSource {
  readonly assetClasses: readonly AssetClass[] = ['crypto', 'stablecoin'];
  readonly intervals = Object.keys(KRAKEN_INTERVALS) as Interval[];
  readonly testSymbol = 'BTC/USD';
  protected readonly testAssetClass = 'crypto';
  readonly configured = true;

  constructor(options: ProviderOptions = {}) {
    super('kraken', options.baseUrl ?? KRAKEN_DEFAULT_BASE_URL, options);
  }

  override providerSymbol(instrument: Instrument): string | undefined {
    return super.providerSymbol(instrument) ?? KRAKEN_PAIRS[instrument.symbol];
  }

  protected async *pages(
    instrument: Instrument,
    interval: Interval,
    range: TimeRange,
    options: FetchOptions,
  ): AsyncIterable<Bar[]> {
    const pair = this.requireSymbol(instrument, 'pair');
    const minutes = KRAKEN_INTERVALS[interval];
    if (minutes === undefined) return;
    // `since` is exclusive (entries after it); one request returns everything Kraken still has.
    const since = Math.floor(range.from / 1000) - 1;
    const url = `${this.base}/0/public/OHLC?pair=${encodeURIComponent(pair)}&interval=${minutes}&since=${since}`;
    const body = await this.http.getJson(url, KrakenOhlcBody, {
      signal: options.signal,
      symbol: instrument.symbol,
    });
    if (body.error.length > 0) throw new ProviderRequestError('kraken', body.error.join('; '));
    for (const [key, rows] of Object.entries(body.result ?? {})) {
      if (key === 'last' || typeof rows === 'number') continue;
      // The last row is the minute still forming: fetchBars drops bars that have not closed at `now`.
      yield rows.map(krakenBar);
    }
  }

  fetchLatest(instruments: readonly Instrument[], options: FetchOptions = {}): Promise<LatestResult> {
    return latestOneByOne(instruments, async (instrument) => {
      const pair = this.requireSymbol(instrument, 'pair');
      const url = `${this.base}/0/public/Ticker?pair=${encodeURIComponent(pair)}`;
      const body = await this.http.getJson(url, KrakenTickerBody, {
        signal: options.signal,
        symbol: instrument.symbol,
      });
      const first = Object.values(body.result ?? {})[0];
      if (body.error.length > 0 || first === undefined)
        throw new ProviderRequestError('kraken', body.error.join('; ') || `no ticker for ${pair}`);
      return { symbol: instrument.symbol, ts: this.now(), price: Number(first.c[0]), source: 'kraken' };
    });
  }
}
