/**
 * The one place a broker is built by name. Each venue adds one case (its module loaded on use, so a paper
 * run never loads ccxt).
 */
import type { CostModel } from '../backtest/costs.ts';
import { UsageError } from '../core/errors.ts';
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
}

export async function createBroker(name: string, deps: BrokerDeps): Promise<Broker> {
  switch (name) {
    case 'paper': {
      const { PaperBroker } = await import('./paper.ts');
      return new PaperBroker({ symbols: deps.symbols, initialCash: deps.initialCash, costs: deps.costs });
    }
    case 'binance':
    case 'alpaca':
      throw new UsageError(`broker ${name} is not available in this build`);
    default:
      throw new UsageError(`unknown broker ${name} (have: paper, binance, alpaca)`);
  }
}
