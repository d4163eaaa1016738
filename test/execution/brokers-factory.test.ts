/**
 * `createBroker` builds the real-venue brokers from settings: the Binance spot testnet and Alpaca's paper
 * endpoint when no base URL is set, the configured endpoint otherwise (here the loopback fakes), and a
 * one-line ConfigError naming the missing variables when a key or secret is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { createLogger } from '../../src/core/log.ts';
import { ALPACA_PAPER_URL } from '../../src/execution/alpaca.ts';
import { BINANCE_TESTNET_URL } from '../../src/execution/binance.ts';
import { createBroker } from '../../src/execution/brokers.ts';
import { loadSettings } from '../../src/settings.ts';
import { type FakeAlpaca, startFakeAlpaca } from './fake-alpaca.ts';
import { type FakeBinance, startFakeBinance } from './fake-binance.ts';

const log = createLogger('silent');
const env = {
  BINANCE_API_KEY: 'f-bk',
  BINANCE_API_SECRET: 'f-bs',
  ALPACA_API_KEY: 'f-ak',
  ALPACA_API_SECRET: 'f-as',
};

let binance: FakeBinance;
let alpaca: FakeAlpaca;
beforeAll(async () => {
  binance = await startFakeBinance({ apiKey: env.BINANCE_API_KEY, apiSecret: env.BINANCE_API_SECRET });
  alpaca = await startFakeAlpaca({ apiKey: env.ALPACA_API_KEY, apiSecret: env.ALPACA_API_SECRET });
});
afterAll(async () => {
  await binance.close();
  await alpaca.close();
});

describe('createBroker for the real venues', () => {
  it('defaults to the Binance spot testnet and the Alpaca paper endpoint', async () => {
    const settings = loadSettings(env, '/nonexistent');
    const b = await createBroker('binance', { settings, log, symbols: ['BTC'] });
    const a = await createBroker('alpaca', { settings, log, symbols: ['SPY'] });
    expect([b.name, b.external, (b as unknown as { endpoint: string }).endpoint]).toEqual([
      'binance',
      true,
      BINANCE_TESTNET_URL,
    ]);
    expect([a.name, a.external, (a as unknown as { endpoint: string }).endpoint]).toEqual([
      'alpaca',
      true,
      ALPACA_PAPER_URL,
    ]);
    await b.close();
    await a.close();
  });

  it('sends to BINANCE_BASE_URL and ALPACA_BASE_URL when set', async () => {
    const settings = loadSettings(
      { ...env, BINANCE_BASE_URL: binance.baseUrl, ALPACA_BASE_URL: alpaca.baseUrl },
      '/nonexistent',
    );
    const b = await createBroker('binance', { settings, log, symbols: ['BTC'] });
    const a = await createBroker('alpaca', { settings, log, symbols: ['SPY'] });
    expect(
      (
        await b.submit({
          clientOrderId: 'fb-1',
          symbol: 'BTC',
          side: 'buy',
          type: 'limit',
          qty: 0.01,
          price: 100,
        })
      ).status,
    ).toBe('accepted');
    expect(
      (
        await a.submit({
          clientOrderId: 'fa-1',
          symbol: 'SPY',
          side: 'buy',
          type: 'limit',
          qty: 1,
          price: 100,
        })
      ).status,
    ).toBe('accepted');
    expect(binance.orders.map((o) => o.clientOrderId)).toEqual(['fb-1']);
    expect(alpaca.orders.map((o) => o.client_order_id)).toEqual(['fa-1']);
    await b.close();
    await a.close();
  });

  it('a missing key or secret is a ConfigError naming the variables', async () => {
    const settings = loadSettings({ BINANCE_API_KEY: 'only-key' }, '/nonexistent');
    await expect(createBroker('binance', { settings, log, symbols: [] })).rejects.toThrow(
      new ConfigError('--broker binance needs BINANCE_API_KEY and BINANCE_API_SECRET'),
    );
    await expect(createBroker('alpaca', { settings, log, symbols: [] })).rejects.toBeInstanceOf(ConfigError);
  });

  it('a dry run without keys gets a keyless stand-in: a flat, empty account that cannot send', async () => {
    const settings = loadSettings({ BINANCE_BASE_URL: binance.baseUrl }, '/nonexistent');
    const seen = binance.requests.length;
    const b = await createBroker('binance', { settings, log, symbols: ['BTC'], dryRun: true });
    expect([b.name, b.external]).toEqual(['binance', true]);
    expect(await b.account()).toEqual({ currency: 'USDT', cash: 0, equity: 0 });
    expect(await b.positions()).toEqual([]);
    await expect(
      b.submit({ clientOrderId: 'k-1', symbol: 'BTC', side: 'buy', type: 'market', qty: 1 }),
    ).rejects.toBeInstanceOf(ConfigError);
    expect(binance.requests.length).toBe(seen); // nothing reached the venue
    const a = await createBroker('alpaca', { settings, log, symbols: ['SPY'], dryRun: true });
    expect((await a.account()).currency).toBe('USD');
  });
});
