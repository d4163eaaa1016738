/** Polygon.io reference data: cash dividends and splits per ticker, for the events calendar and price adjustment. */

import type { z } from 'zod';
import type { Dividend, Split } from '../../core/events.ts';
import { ProviderRequestError } from '../errors.ts';
import type { HttpClient } from '../http.ts';
import { httpFor, type ProviderOptions, trimBase } from '../support.ts';
import { POLYGON_DEFAULT_BASE_URL } from './client.ts';
import { PolygonDividendsResponse, PolygonSplitsResponse } from './reference-schema.ts';

export class PolygonReferenceClient {
  readonly name = 'polygon';
  readonly http: HttpClient;
  readonly configured: boolean;
  private readonly base: string;
  private readonly apiKey: string;

  constructor(options: ProviderOptions = {}) {
    this.base = trimBase(options.baseUrl ?? POLYGON_DEFAULT_BASE_URL);
    this.apiKey = options.apiKey ?? '';
    this.configured = this.apiKey !== '';
    this.http = httpFor(this.name, options);
  }

  /** Dividends of `ticker` (our `symbol` on the rows), every page, ex-date ascending. */
  async dividends(ticker: string, symbol: string, signal?: AbortSignal): Promise<Dividend[]> {
    const out: Dividend[] = [];
    let url: string | undefined =
      `${this.base}/v3/reference/dividends?ticker=${encodeURIComponent(ticker)}&order=asc&sort=ex_dividend_date&limit=1000`;
    while (url !== undefined) {
      const page: z.output<typeof PolygonDividendsResponse> = await this.http.getJson(
        this.signed(url),
        PolygonDividendsResponse,
        {
          signal,
          symbol,
        },
      );
      if (page.status === 'ERROR')
        throw new ProviderRequestError(
          this.name,
          `dividends: ${page.error ?? page.message ?? 'status ERROR'}`,
        );
      for (const d of page.results ?? []) {
        out.push({
          symbol,
          exDate: d.ex_dividend_date,
          recordDate: d.record_date ?? null,
          payDate: d.pay_date ?? null,
          declarationDate: d.declaration_date ?? null,
          amount: d.cash_amount,
          currency: d.currency ?? null,
          frequency: d.frequency ?? null,
          dividendType: d.dividend_type ?? null,
          source: this.name,
        });
      }
      url = page.next_url === undefined ? undefined : this.sameOrigin(page.next_url);
    }
    return out;
  }

  /** Splits of `ticker`, every page. */
  async splits(ticker: string, symbol: string, signal?: AbortSignal): Promise<Split[]> {
    const out: Split[] = [];
    let url: string | undefined =
      `${this.base}/v3/reference/splits?ticker=${encodeURIComponent(ticker)}&order=asc&sort=execution_date&limit=1000`;
    while (url !== undefined) {
      const page: z.output<typeof PolygonSplitsResponse> = await this.http.getJson(
        this.signed(url),
        PolygonSplitsResponse,
        {
          signal,
          symbol,
        },
      );
      if (page.status === 'ERROR')
        throw new ProviderRequestError(this.name, `splits: ${page.error ?? page.message ?? 'status ERROR'}`);
      for (const s of page.results ?? []) {
        out.push({
          symbol,
          exDate: s.execution_date,
          splitFrom: s.split_from,
          splitTo: s.split_to,
          source: this.name,
        });
      }
      url = page.next_url === undefined ? undefined : this.sameOrigin(page.next_url);
    }
    return out;
  }

  private signed(url: string): string {
    return `${url}${url.includes('?') ? '&' : '?'}apiKey=${encodeURIComponent(this.apiKey)}`;
  }

  /** `next_url` points at api.polygon.io; keep our configured origin (a proxy, a loopback fake). */
  private sameOrigin(nextUrl: string): string {
    const next = new URL(nextUrl, this.base);
    next.searchParams.delete('apiKey');
    return `${this.base}${next.pathname}${next.search}`;
  }
}
