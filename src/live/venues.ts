/** The three venues' WebSocket adapters and default endpoints, keyed by venue. */
import type { Settings } from '../settings.ts';
import type { Venue, VenueProtocol } from './protocol.ts';
import { BINANCE_DEFAULT_WS_URL, binanceProtocol } from './venue-binance.ts';
import { COINBASE_DEFAULT_WS_URL, coinbaseProtocol } from './venue-coinbase.ts';
import { KRAKEN_DEFAULT_WS_URL, krakenProtocol } from './venue-kraken.ts';

export const PROTOCOLS: Readonly<Record<Venue, VenueProtocol>> = Object.freeze({
  binance: binanceProtocol,
  coinbase: coinbaseProtocol,
  kraken: krakenProtocol,
});

/** `<VENUE>_WS_URL` when set, else the venue's public endpoint. */
export function wsUrls(settings: Pick<Settings, 'venueWs'>): Record<Venue, string> {
  return {
    binance: settings.venueWs.binance ?? BINANCE_DEFAULT_WS_URL,
    coinbase: settings.venueWs.coinbase ?? COINBASE_DEFAULT_WS_URL,
    kraken: settings.venueWs.kraken ?? KRAKEN_DEFAULT_WS_URL,
  };
}

/**
 * Whether `start` should run the stream inside it: only when at least one venue endpoint is set explicitly.
 * The offline default (`npm start` on a fresh machine) must not dial public venues and log a reconnect a second.
 */
export function streamConfigured(settings: Pick<Settings, 'venueWs'>): boolean {
  return Object.values(settings.venueWs).some((u) => u !== undefined);
}
