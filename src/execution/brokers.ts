/**
 * The one place a broker is built by name. Each venue adds one case (its module loaded on use, so a paper
 * run never loads ccxt).
 */
import type { CostModel } from '../backtest/costs.ts';
import { ConfigError, UsageError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Settings } from '../settings.ts';
import type { Broker } from './broker.ts';

export interface BrokerDeps {
  settings: Settings;
  log: Logger;
  /** Instruments the run trades. */
  symbols: readonly string[];
  /** Paper broker: starting cash and the backtest's costs. */
  initialCash?: number;
  costs?: Partial<CostModel>;
  /**
   * The run will not send orders (no `--live`, or trading.live_enabled off). A real venue without keys is then
   * a keyless stand-in (`keyless-venue.ts`: a flat, empty account, no request to the venue) instead of an
   * error. @defaultValue false
   */
  dryRun?: boolean;
}

/** The stand-in for a dry run on `name` when its keys are missing; without `dryRun`, the missing keys' error. */
async function keyless(name: string, currency: string, missing: string, deps: BrokerDeps): Promise<Broker> {
  if (deps.dryRun !== true) throw new ConfigError(missing);
  const { KeylessVenue } = await import('./keyless-venue.ts');
  deps.log.warn(
    { broker: name },
    `dry run without keys (${missing}): a flat, empty account, positions start at zero; no request goes to the venue`,
  );
  return new KeylessVenue(name, currency, missing);
}

export async function createBroker(name: string, deps: BrokerDeps): Promise<Broker> {
  switch (name) {
    case 'paper': {
      const { PaperBroker } = await import('./paper.ts');
      return new PaperBroker({ symbols: deps.symbols, initialCash: deps.initialCash, costs: deps.costs });
    }
    case 'binance': {
      const { apiKey, apiSecret, baseUrl, wsApiUrl } = deps.settings.brokers.binance;
      if (!apiKey || !apiSecret)
        return keyless(
          'binance',
          'USDT',
          '--broker binance needs BINANCE_API_KEY and BINANCE_API_SECRET',
          deps,
        );
      const { createBinanceBroker } = await import('./binance.ts');
      // BINANCE_BASE_URL unset: the spot testnet, never the live exchange; BINANCE_WS_API_URL unset: the
      // WebSocket API that goes with BINANCE_BASE_URL (the testnet's for the testnet)
      return createBinanceBroker({ apiKey, apiSecret, baseUrl, wsApiUrl, log: deps.log });
    }
    case 'alpaca': {
      const { apiKey, apiSecret, baseUrl } = deps.settings.brokers.alpaca;
      if (!apiKey || !apiSecret)
        return keyless('alpaca', 'USD', '--broker alpaca needs ALPACA_API_KEY and ALPACA_API_SECRET', deps);
      const { AlpacaBroker } = await import('./alpaca.ts');
      // ALPACA_BASE_URL unset: Alpaca's paper endpoint
      return new AlpacaBroker({ apiKey, apiSecret, baseUrl, log: deps.log });
    }
    default:
      throw new UsageError(`unknown broker ${name} (have: paper, binance, alpaca)`);
  }
}
