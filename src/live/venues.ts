/** The three venues' WebSocket adapters and default endpoints, keyed by venue. */
import type { Settings } from '../settings.ts';
import { VENUES, type Venue, type VenueProtocol } from './protocol.ts';
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
 * The venues `start` streams inside it (embedded mode): those whose endpoint is set explicitly. None set, none
 * streamed: the offline default (`npm start` on a fresh machine) must not dial public venues.
 */
export function embeddedVenues(settings: Pick<Settings, 'venueWs'>): Venue[] {
  return VENUES.filter((v) => settings.venueWs[v] !== undefined);
}
