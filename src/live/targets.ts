/** Which (venue, symbol) pairs to stream: every instrument on every venue whose source mapping lists it. */
import type { Instrument } from '../core/types.ts';
import type { Venue } from './protocol.ts';
import type { StreamTarget } from './runner.ts';

/** Anything that can name an instrument's venue symbol (the venue's REST source does). */
export interface VenueSymbols {
  providerSymbol(instrument: Instrument): string | undefined;
}

/**
 * The primary venue of an instrument writes market_data.bars: USD-quoted venues first for stablecoins (a
 * USDT-quoted bar would measure the peg against another stablecoin), Binance first for crypto (the venue
 * `ingest` already reads it from).
 */
const PRIMARY_ORDER: Readonly<Record<'stablecoin' | 'other', readonly Venue[]>> = {
  stablecoin: ['kraken', 'coinbase', 'binance'],
  other: ['binance', 'coinbase', 'kraken'],
};

export function streamTargets(
  instruments: readonly Instrument[],
  venues: readonly Venue[],
  symbols: Readonly<Partial<Record<Venue, VenueSymbols>>>,
): StreamTarget[] {
  const out: StreamTarget[] = [];
  for (const inst of instruments) {
    const listed = new Map<Venue, string>();
    for (const venue of venues) {
      const vs = symbols[venue]?.providerSymbol(inst);
      if (vs !== undefined) listed.set(venue, vs);
    }
    const order = PRIMARY_ORDER[inst.assetClass === 'stablecoin' ? 'stablecoin' : 'other'];
    const primary = order.find((v) => listed.has(v));
    for (const [venue, venueSymbol] of listed)
      out.push({ symbol: inst.symbol, venue, venueSymbol, primary: venue === primary });
  }
  return out;
}
