/**
 * Binance spot through ccxt. The spot TESTNET (https://testnet.binance.vision) unless a base URL is given
 * (`BINANCE_BASE_URL`); every ccxt endpoint group is pointed at that one host, and only spot markets are
 * loaded, so nothing is ever sent to the live exchange or to futures, margin or `sapi` endpoints by default.
 *
 * Venue errors are read by Binance's documented codes (`{code, msg}` bodies), not by ccxt's mapping of them:
 *   -2010 NEW_ORDER_REJECTED (insufficient balance, duplicate order) → the order is `rejected` with `msg`
 *   -1013 / -1100…-1130 bad parameters or filters                       → `rejected` with `msg`
 *   -2011 CANCEL_REJECTED, -2013 NO_SUCH_ORDER                          → not found
 *   -1021 timestamp outside recvWindow, -1022 bad signature, -2014/-2015 bad key → credentials (no retry)
 */
import { binance as CcxtBinance, NetworkError, type Order } from 'ccxt';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import {
  BINANCE_WIRE_STATUS,
  BinanceUserStream,
  binanceWsApiUrl,
  executionReportToUpdate,
} from './binance-stream.ts';
import type { OrderStatus, OrderUpdate } from './broker.ts';
import {
  CcxtBroker,
  type CcxtVenue,
  classifyCcxtError,
  type VenueFailure,
  type VenueStreamHandlers,
} from './ccxt-broker.ts';
import { redact } from './venue-errors.ts';

export const BINANCE_TESTNET_URL = 'https://testnet.binance.vision';

/** A Binance error answer: the body's `code` and `msg` and the HTTP status. */
class BinanceApiError extends Error {
  constructor(
    readonly venueCode: number,
    readonly venueMessage: string,
    readonly httpStatus: number,
  ) {
    super(`binance ${httpStatus} ${venueCode}: ${venueMessage}`);
  }
}

/** ccxt's binance whose error hook raises the venue's own code and message. */
class SpotBinance extends CcxtBinance {
  override handleErrors(
    code: number,
    reason: string,
    url: string,
    method: string,
    headers: Record<string, unknown>,
    body: string,
    response: unknown,
    requestHeaders: unknown,
    requestBody: unknown,
  ): undefined {
    const r = response as { code?: unknown; msg?: unknown } | undefined;
    if (r && typeof r.code === 'number' && r.code < 0 && typeof r.msg === 'string') {
      throw new BinanceApiError(r.code, r.msg, code);
    }
    return super.handleErrors(
      code,
      reason,
      url,
      method,
      headers,
      body,
      response,
      requestHeaders,
      requestBody,
    );
  }
}

/** What a Binance failure means for an order. */
function classifyBinanceError(err: unknown): VenueFailure {
  if (err instanceof BinanceApiError) {
    const c = err.venueCode;
    if (c === -2013 || c === -2011) return { kind: 'not_found' };
    if (c === -1021 || c === -1022 || c === -2014 || c === -2015 || c === -2008) {
      return { kind: 'auth', message: `binance ${c}: ${err.venueMessage}` };
    }
    if (c === -2010 || c === -1013 || (c <= -1100 && c >= -1199))
      return { kind: 'rejected', reason: err.venueMessage };
    if (c === -1003 || c === -1007 || c === -1001)
      return { kind: 'network', message: `binance ${c}: ${err.venueMessage}` };
    return { kind: 'other', message: `binance ${c}: ${err.venueMessage}` };
  }
  if (err instanceof NetworkError) return { kind: 'network', message: describeError(err) };
  return classifyCcxtError(err);
}

/** Our status from Binance's raw order status (ccxt folds PARTIALLY_FILLED into `open`). */
function binanceStatus(o: Order): OrderStatus | undefined {
  const raw = (o.info as { status?: unknown } | undefined)?.status;
  if (typeof raw !== 'string') return undefined;
  const s = BINANCE_WIRE_STATUS[raw];
  if (s === 'accepted' && (o.filled ?? 0) > 0) return 'partially_filled';
  return s;
}

export interface BinanceBrokerOptions {
  apiKey: string;
  apiSecret: string;
  /** Scheme and host (no path). @defaultValue BINANCE_TESTNET_URL */
  baseUrl?: string;
  /** Quote currency our coin symbols trade against. @defaultValue 'USDT' */
  quote?: string;
  /** Per-request timeout (ms). @defaultValue 10000 */
  timeoutMs?: number;
  /** ccxt's request throttle, spacing requests to Binance's weight limits. @defaultValue true */
  throttle?: boolean;
  /** @defaultValue 3 */
  submitAttempts?: number;
  /** @defaultValue 500 */
  retryDelayMs?: number;
  /** REST poll interval while the user data stream is not live (ms). @defaultValue 1000 */
  pollMs?: number;
  /** Order updates from the WebSocket API user data stream (polling only when false). @defaultValue true */
  stream?: boolean;
  /** The WebSocket API (`BINANCE_WS_API_URL`). @defaultValue derived from `baseUrl` (`binanceWsApiUrl`) */
  wsApiUrl?: string;
  /**
   * Stream reconnects: backoff caps (ms), wait after a refused subscription (ms), WebSocket ping (ms).
   * @defaultValue 500, 30000, 60000, 20000
   */
  streamReconnect?: { initialMs?: number; maxMs?: number; authRetryMs?: number; pingMs?: number };
  log?: Pick<Logger, 'info' | 'warn'>;
}

/** The ccxt instance: spot only, every endpoint group on `baseUrl`. */
function spotExchange(o: BinanceBrokerOptions): SpotBinance {
  const base = new URL(o.baseUrl ?? BINANCE_TESTNET_URL).origin;
  const ex = new SpotBinance({
    apiKey: o.apiKey,
    secret: o.apiSecret,
    timeout: o.timeoutMs ?? 10_000,
    enableRateLimit: o.throttle ?? true,
    options: {
      defaultType: 'spot',
      fetchMarkets: { types: ['spot'] },
      fetchCurrencies: false,
      fetchMargins: false,
      warnOnFetchOpenOrdersWithoutSymbol: false,
      adjustForTimeDifference: false,
      recvWindow: 5000,
    },
  });
  const api = ex.urls.api as Record<string, string>;
  for (const [group, url] of Object.entries(api)) {
    if (typeof url === 'string') api[group] = base + new URL(url).pathname;
  }
  return ex;
}

const venue: CcxtVenue = { name: 'binance', classify: classifyBinanceError, status: binanceStatus };

/** The user data stream for `options`, its `executionReport`s mapped to order updates. */
function userStream(options: BinanceBrokerOptions, h: VenueStreamHandlers): BinanceUserStream {
  const r = options.streamReconnect ?? {};
  const secrets = [options.apiKey, options.apiSecret];
  return new BinanceUserStream({
    url: options.wsApiUrl ?? binanceWsApiUrl(options.baseUrl ?? BINANCE_TESTNET_URL),
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    backoffInitialMs: r.initialMs,
    backoffMaxMs: r.maxMs,
    authRetryMs: r.authRetryMs,
    pingMs: r.pingMs,
    onExecutionReport: (event) => {
      let u: OrderUpdate;
      try {
        u = executionReportToUpdate(event);
      } catch (err) {
        options.log?.warn(
          { broker: 'binance', err: redact(describeError(err), secrets) },
          'execution report not understood',
        );
        return;
      }
      h.update(u);
    },
    onState: (state, why) => h.state(state, why),
  });
}

export function createBinanceBroker(options: BinanceBrokerOptions): CcxtBroker {
  return new CcxtBroker({
    stream: options.stream === false ? undefined : (h) => userStream(options, h),
    exchange: spotExchange(options),
    endpoint: new URL(options.baseUrl ?? BINANCE_TESTNET_URL).origin,
    venue,
    quote: options.quote,
    submitAttempts: options.submitAttempts,
    retryDelayMs: options.retryDelayMs,
    pollMs: options.pollMs,
    log: options.log,
    secrets: [options.apiKey, options.apiSecret],
  });
}
