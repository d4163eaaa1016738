/**
 * DefiLlama connector (no key): stablecoin circulating supply from stablecoins.llama.fi (the list with
 * today's supply per chain, and daily history per coin in total or per chain) and coin prices from
 * coins.llama.fi (a further stablecoin price source). `DEFILLAMA_BASE_URL` replaces both hosts (a proxy,
 * a loopback fake): the paths do not overlap.
 */
import type { HttpClient } from '../http.ts';
import { httpFor, type ProviderOptions, trimBase } from '../support.ts';
import { type LlamaPrice, llamaPrices, type SupplyPoint, supplyHistory } from './mapping.ts';
import {
  LlamaPricesResponse,
  type LlamaStablecoin,
  LlamaStablecoinsResponse,
  LlamaSupplyChart,
} from './schema.ts';

const DEFILLAMA_STABLECOINS_URL = 'https://stablecoins.llama.fi';
const DEFILLAMA_COINS_URL = 'https://coins.llama.fi';

export class DefiLlamaClient {
  readonly name = 'defillama';
  readonly http: HttpClient;
  /** Keyless: always configured. */
  readonly configured = true;
  private readonly stablecoinsBase: string;
  private readonly coinsBase: string;

  constructor(options: ProviderOptions = {}) {
    this.stablecoinsBase = trimBase(options.baseUrl ?? DEFILLAMA_STABLECOINS_URL);
    this.coinsBase = trimBase(options.baseUrl ?? DEFILLAMA_COINS_URL);
    this.http = httpFor(this.name, {
      ...options,
      limits: { rateLimit: { requests: 60, intervalMs: 60_000 }, concurrency: 2, ...options.limits },
    });
  }

  /** Every stablecoin DefiLlama tracks, with today's supply in total and per chain. */
  async stablecoins(signal?: AbortSignal): Promise<LlamaStablecoin[]> {
    const body = await this.http.getJson(
      `${this.stablecoinsBase}/stablecoins?includePrices=true`,
      LlamaStablecoinsResponse,
      { signal },
    );
    return body.peggedAssets;
  }

  /** Daily supply of one coin (DefiLlama id), in total or on `chain`, oldest first. */
  async supplyHistory(
    coin: Pick<LlamaStablecoin, 'id' | 'symbol' | 'pegType'>,
    chain = 'all',
    signal?: AbortSignal,
  ): Promise<SupplyPoint[]> {
    const url = `${this.stablecoinsBase}/stablecoincharts/${encodeURIComponent(chain)}?stablecoin=${encodeURIComponent(coin.id)}`;
    const chart = await this.http.getJson(url, LlamaSupplyChart, { signal, symbol: coin.symbol });
    return supplyHistory(coin.symbol, chain, coin.pegType, chart);
  }

  /** Current prices of coins by DefiLlama key (`coingecko:usd-coin`). */
  async prices(keys: readonly string[], signal?: AbortSignal): Promise<LlamaPrice[]> {
    if (keys.length === 0) return [];
    // the documented form keeps `chain:address` colons literal (`/prices/current/coingecko:usd-coin,…`)
    const path = keys.map((k) => encodeURIComponent(k).replace(/%3A/gi, ':')).join(',');
    const url = `${this.coinsBase}/prices/current/${path}`;
    return llamaPrices(await this.http.getJson(url, LlamaPricesResponse, { signal }));
  }
}
