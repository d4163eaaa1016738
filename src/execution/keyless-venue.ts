/**
 * A real venue without keys, for a dry run only. A dry run never sends an order, so it needs no credentials:
 * without them it runs on the stored bars against a flat, empty account (no positions, no cash at the venue)
 * and reports what it would have sent. Nothing here opens a connection, so no endpoint of the venue (signed
 * or not) is ever called. Sending needs the keys: `submit` and `cancel` refuse, and the runner refuses a
 * non-dry run on this broker before the first order.
 */
import { ConfigError } from '../core/errors.ts';
import type {
  Broker,
  BrokerAccount,
  BrokerName,
  BrokerOrder,
  BrokerPosition,
  OrderUpdate,
  SubmitOrder,
} from './broker.ts';

export class KeylessVenue implements Broker {
  readonly external = true;

  /**
   * @param name the venue (`binance`, `alpaca`)
   * @param currency what the venue's account quotes in (USDT on Binance spot, USD on Alpaca), for the risk check
   * @param missingKeys the one-line reason a real order cannot be sent, e.g. which variables are missing
   */
  constructor(
    readonly name: BrokerName,
    private readonly currency: string,
    readonly missingKeys: string,
  ) {}

  async submit(order: SubmitOrder): Promise<BrokerOrder> {
    throw new ConfigError(`${this.missingKeys} (order ${order.clientOrderId} not sent)`);
  }

  async cancel(clientOrderId: string): Promise<BrokerOrder> {
    throw new ConfigError(`${this.missingKeys} (order ${clientOrderId} not cancelled)`);
  }

  /** No keys, no orders at the venue as far as this run knows. */
  async orders(): Promise<BrokerOrder[]> {
    return [];
  }

  /** Flat: positions start at zero. */
  async positions(): Promise<BrokerPosition[]> {
    return [];
  }

  async account(): Promise<BrokerAccount> {
    return { currency: this.currency, cash: 0, equity: 0 };
  }

  onUpdate(_listener: (update: OrderUpdate) => void): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {}
}
