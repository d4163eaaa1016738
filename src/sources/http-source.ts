/**
 * What the HTTP price connectors share: the HTTP client, base URL and clock, the symbol lookup, `supports`,
 * the `fetchBars` contract (raw provider pages cleaned by `cleanPages`) and the health check. A connector
 * adds its asset classes, intervals, test symbol, `pages` and `fetchLatest`.
 */
import type { AssetClass, Bar, Instrument, Interval, PricePoint, TimeRange } from '../core/types.ts';
import { ProviderNotFoundError, ProviderRequestError } from './errors.ts';
import type { HttpClient, HttpClientOptions } from './http.ts';
import { cleanPages } from './normalize.ts';
import {
  checkSource,
  httpFor,
  mappedSymbol,
  type ProviderOptions,
  testInstrument,
  trimBase,
} from './support.ts';
import type { FetchOptions, LatestResult, Source, SourceCheck } from './types.ts';

export abstract class HttpSource implements Source {
  readonly name: string;
  abstract readonly assetClasses: readonly AssetClass[];
  abstract readonly intervals: readonly Interval[];
  abstract readonly configured: boolean;
  abstract readonly testSymbol: string;
  /** Asset class of `testSymbol`, for the health check's throwaway instrument. */
  protected abstract readonly testAssetClass: AssetClass;
  readonly http: HttpClient;
  /** Base URL without trailing slashes. */
  protected readonly base: string;
  protected readonly now: () => number;

  /**
   * @param baseUrl - the provider's base URL (`options.baseUrl` or its default); trailing slashes are dropped.
   * @param http - extra HTTP client options (e.g. reading the provider's quota headers).
   */
  protected constructor(
    name: string,
    baseUrl: string,
    options: ProviderOptions,
    http: Partial<HttpClientOptions> = {},
  ) {
    this.name = name;
    this.base = trimBase(baseUrl);
    this.http = httpFor(name, options, http);
    this.now = () => (options.clock ?? { now: Date.now }).now();
  }

  /**
   * The provider's raw bars for `range`, page by page, as the provider sends them: `fetchBars` sorts,
   * de-duplicates, clips to the range and drops bars still forming.
   */
  protected abstract pages(
    instrument: Instrument,
    interval: Interval,
    range: TimeRange,
    options: FetchOptions,
  ): AsyncIterable<Bar[]>;

  abstract fetchLatest(instruments: readonly Instrument[], options?: FetchOptions): Promise<LatestResult>;

  providerSymbol(instrument: Instrument): string | undefined {
    return mappedSymbol(instrument, this.name);
  }

  supports(instrument: Instrument, interval?: Interval): boolean {
    return (
      this.assetClasses.includes(instrument.assetClass) &&
      this.providerSymbol(instrument) !== undefined &&
      (interval === undefined || this.intervals.includes(interval))
    );
  }

  fetchBars(
    instrument: Instrument,
    interval: Interval,
    range: TimeRange,
    options: FetchOptions = {},
  ): AsyncIterable<Bar[]> {
    return cleanPages(this.pages(instrument, interval, range, options), {
      range,
      assetClass: instrument.assetClass,
      interval,
      now: this.now(),
    });
  }

  /** One latest-price request for `testSymbol`; fails at once, naming `<NAME>_API_KEY`, when not configured. */
  check(options: FetchOptions = {}): Promise<SourceCheck> {
    return checkSource({
      name: this.name,
      testSymbol: this.testSymbol,
      http: this.http,
      now: this.now,
      missingKey: this.configured ? undefined : `${this.name.toUpperCase()}_API_KEY`,
      probe: () =>
        this.fetchLatest([testInstrument(this.name, this.testSymbol, this.testAssetClass)], options),
    });
  }

  /** The error for an instrument without a symbol here (`noun`: what the provider calls one). */
  protected unmapped(instrument: Instrument, noun = 'symbol'): ProviderNotFoundError {
    return new ProviderNotFoundError(this.name, `no ${this.name} ${noun} for ${instrument.symbol}`, {
      symbol: instrument.symbol,
    });
  }

  /** The error for an interval this provider does not offer (naming the ones it does). */
  protected unoffered(interval: Interval): ProviderRequestError {
    return new ProviderRequestError(
      this.name,
      `interval ${interval} is not offered (use ${this.intervals.join(', ')})`,
    );
  }

  /**
   * `fetchLatest` for providers that price many coins per request: instruments without a key here fail alone
   * (`noun`), the rest go `perRequest` distinct keys at a time to `request`, whose answer gives each key's
   * point (undefined: the provider had no price for it); a failed request fails only its own batch.
   */
  protected async latestInBatches(
    instruments: readonly Instrument[],
    noun: string,
    perRequest: number,
    request: (keys: string[]) => Promise<(key: string, symbol: string) => PricePoint | undefined>,
  ): Promise<LatestResult> {
    const result: LatestResult = { items: [], errors: [] };
    const mapped: Array<{ instrument: Instrument; key: string }> = [];
    for (const instrument of instruments) {
      const key = this.providerSymbol(instrument);
      if (key === undefined)
        result.errors.push({ symbol: instrument.symbol, error: this.unmapped(instrument, noun) });
      else mapped.push({ instrument, key });
    }
    for (let i = 0; i < mapped.length; i += perRequest) {
      const batch = mapped.slice(i, i + perRequest);
      try {
        const pointOf = await request([...new Set(batch.map((m) => m.key))]);
        for (const { instrument, key } of batch) {
          const symbol = instrument.symbol;
          const point = pointOf(key, symbol);
          if (point !== undefined) result.items.push(point);
          else {
            const error = new ProviderNotFoundError(this.name, `no ${this.name} price for ${key}`, {
              symbol,
            });
            result.errors.push({ symbol, error });
          }
        }
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        for (const { instrument } of batch) result.errors.push({ symbol: instrument.symbol, error });
      }
    }
    return result;
  }

  /** `providerSymbol(instrument)`, or throws ProviderNotFoundError. */
  protected requireSymbol(instrument: Instrument, noun = 'symbol'): string {
    const symbol = this.providerSymbol(instrument);
    if (symbol === undefined) throw this.unmapped(instrument, noun);
    return symbol;
  }
}
