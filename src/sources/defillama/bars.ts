/**
 * DefiLlama's coin prices (coins.llama.fi, keyless) as a price source of bars: `/chart/{coin}` for history
 * (hourly points, ≤ 480 per request under DefiLlama's 500-point cap) and `/prices/current/{coins}` for the
 * latest prices. A coin is named by its DefiLlama key: the instrument's `defillama` provider symbol, else
 * `coingecko:<its coingecko id>` (DefiLlama's documented form). `DEFILLAMA_BASE_URL` replaces the host.
 * Selectable with `--source defillama`; not in the default fallback order.
 */
import type { AssetClass, Bar, Instrument, Interval, TimeRange } from '../../core/types.ts';
import { HttpSource } from '../http-source.ts';
import { bucketStart, splitRange } from '../normalize.ts';
import { type ProviderOptions, trimBase } from '../support.ts';
import type { FetchOptions, LatestResult } from '../types.ts';
import { LLAMA_CHART_PERIOD_MS, llamaChartBars, llamaKey, llamaPrices } from './mapping.ts';
import { LlamaChartResponse, LlamaPricesResponse } from './schema.ts';

const DEFILLAMA_COINS_URL = 'https://coins.llama.fi';
/** Hour marks per `/chart` request: DefiLlama refuses more than 500 points (coins × marks) in one. */
const MARKS_PER_REQUEST = 480;
/** Coin keys per `/prices/current` request. */
const KEYS_PER_REQUEST = 50;

/** The DefiLlama key of `coin` in the documented path form (`chain:address` colons kept literal). */
function pathKey(key: string): string {
  return encodeURIComponent(key).replace(/%3A/gi, ':');
}

export class DefiLlamaSource extends HttpSource {
  readonly assetClasses: readonly AssetClass[] = ['stablecoin', 'crypto'];
  readonly intervals: readonly Interval[] = ['1h', '1d'];
  readonly testSymbol = 'coingecko:usd-coin';
  protected readonly testAssetClass = 'stablecoin';
  /** Keyless: always usable. */
  readonly configured = true;

  constructor(options: ProviderOptions = {}) {
    super('defillama', trimBase(options.baseUrl ?? DEFILLAMA_COINS_URL), {
      ...options,
      limits: { rateLimit: { requests: 60, intervalMs: 60_000 }, concurrency: 2, ...options.limits },
    });
  }

  /** `sources.defillama`, else `coingecko:<sources.coingecko>`. */
  override providerSymbol(instrument: Instrument): string | undefined {
    return llamaKey(instrument.sources);
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
    const key = this.requireSymbol(instrument, 'coin key');
    // daily bars: from the day's first hour mark, whole days per request, so no day is split across two
    const first =
      interval === '1d'
        ? bucketStart(range.from, '1d')
        : Math.ceil(range.from / LLAMA_CHART_PERIOD_MS) * LLAMA_CHART_PERIOD_MS;
    const perRequest = interval === '1d' ? Math.floor(MARKS_PER_REQUEST / 24) * 24 : MARKS_PER_REQUEST;
    for (const chunk of splitRange({ from: first, to: range.to }, perRequest * LLAMA_CHART_PERIOD_MS)) {
      const span = Math.ceil((chunk.to - chunk.from) / LLAMA_CHART_PERIOD_MS);
      if (span <= 0) continue;
      const url =
        `${this.base}/chart/${pathKey(key)}?start=${Math.floor(chunk.from / 1000)}` +
        `&span=${span}&period=1h`;
      const body = await this.http.getJson(url, LlamaChartResponse, {
        signal: options.signal,
        symbol: instrument.symbol,
      });
      yield llamaChartBars(body, key, interval);
    }
  }

  fetchLatest(instruments: readonly Instrument[], options: FetchOptions = {}): Promise<LatestResult> {
    return this.latestInBatches(instruments, 'coin key', KEYS_PER_REQUEST, async (keys) => {
      const body = await this.http.getJson(
        `${this.base}/prices/current/${keys.map(pathKey).join(',')}`,
        LlamaPricesResponse,
        { signal: options.signal },
      );
      const byKey = new Map(llamaPrices(body).map((p) => [p.key, p]));
      return (key, symbol) => {
        const p = byKey.get(key);
        return p && { symbol, ts: p.ts, price: p.price, source: this.name };
      };
    });
  }
}
