/**
 * Keys never logged: a real pino logger (trace level) captures everything both brokers log while signed
 * requests fail — a wrong secret (Binance's signature check, Alpaca's key check), a venue that answers too
 * late (timeout, look-up, retry), an unreachable venue — and neither the key, the secret nor a request
 * signature appears in a log line or in any error's message, stack or JSON.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlpacaBroker } from '../../src/execution/alpaca.ts';
import { createBinanceBroker } from '../../src/execution/binance.ts';
import type { Broker, SubmitOrder } from '../../src/execution/broker.ts';
import { type FakeAlpaca, startFakeAlpaca } from './fake-alpaca.ts';
import { type FakeBinance, startFakeBinance } from './fake-binance.ts';

const KEY = 'KEYleak0123456789ABCDEF';
const SECRET = 'SECRETleak0123456789abcdefXYZ';

function captured() {
  const text: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      text.push(String(chunk));
      done();
    },
  });
  return { log: pino({ level: 'trace' }, sink), text };
}

const errorText = (e: unknown): string =>
  e instanceof Error
    ? [e.message, e.stack ?? '', JSON.stringify(e), String(e.cause ?? '')].join('\n')
    : String(e);

let binance: FakeBinance;
let alpaca: FakeAlpaca;
beforeAll(async () => {
  binance = await startFakeBinance({ apiKey: KEY, apiSecret: SECRET });
  alpaca = await startFakeAlpaca({ apiKey: KEY, apiSecret: SECRET });
});
afterAll(async () => {
  await binance.close();
  await alpaca.close();
});

const order = (id: string, symbol: string): SubmitOrder => ({
  clientOrderId: id,
  symbol,
  side: 'buy',
  type: 'limit',
  qty: 0.01,
  price: 100,
});

/**
 * Timeouts: the venue that answers too late is held 3 s against a 1 s limit; every other call gets 10 s, so
 * a loaded machine (the suite shares 2 cores) cannot turn a signature error into a timeout.
 */
const SLOW_TIMEOUT_MS = 1_000;
const SLOW_ANSWER_MS = 3_000;
const TIMEOUT_MS = 10_000;

async function failures(
  make: (secret: string, baseUrl: string, timeoutMs: number) => Broker,
  baseUrl: string,
  symbol: string,
  delay: (ms: number) => void,
): Promise<string[]> {
  const out: string[] = [];
  const wrong = make(`${SECRET}-wrong`, baseUrl, TIMEOUT_MS);
  out.push(errorText(await wrong.submit(order('w-1', symbol)).catch((e: unknown) => e)));
  out.push(errorText(await wrong.account().catch((e: unknown) => e)));
  await wrong.close();
  const right = make(SECRET, baseUrl, SLOW_TIMEOUT_MS);
  // the markets first (ccxt loads them before the first order), so only the order itself is late
  await right.account().catch(() => undefined);
  delay(SLOW_ANSWER_MS);
  out.push(errorText(await right.submit(order('slow-1', symbol)).catch((e: unknown) => e)));
  delay(0);
  await right.close();
  const down = make(SECRET, 'http://127.0.0.1:9', TIMEOUT_MS); // nothing listens on the discard port
  out.push(errorText(await down.submit(order('down-1', symbol)).catch((e: unknown) => e)));
  await down.close();
  return out;
}

describe('keys never logged', () => {
  it('binance: neither key, secret nor signature in logs or errors', async () => {
    const { log, text } = captured();
    const errors = await failures(
      (secret, baseUrl, timeoutMs) =>
        createBinanceBroker({
          apiKey: KEY,
          apiSecret: secret,
          baseUrl,
          timeoutMs,
          retryDelayMs: 5,
          submitAttempts: 2,
          throttle: false,
          log,
        }),
      binance.baseUrl,
      'BTC',
      (ms) => binance.delayOrderAnswers(ms, ms > 0 ? 5 : 0),
    );
    const all = [...errors, ...text].join('\n');
    expect(text.length).toBeGreaterThan(0); // the retries were logged
    expect(all).toMatch(/timed out \(1000 ms\)/); // the late venue's path ran
    expect(all).toContain('Signature for this request is not valid.');
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(SECRET);
    expect(all).not.toMatch(/signature=/i);
  });

  it('alpaca: neither key nor secret in logs or errors', async () => {
    const { log, text } = captured();
    const errors = await failures(
      (secret, baseUrl, timeoutMs) =>
        new AlpacaBroker({
          apiKey: KEY,
          apiSecret: secret,
          baseUrl,
          timeoutMs,
          retryDelayMs: 5,
          submitAttempts: 2,
          log,
        }),
      alpaca.baseUrl,
      'SPY',
      (ms) => alpaca.delayOrderAnswers(ms, ms > 0 ? 5 : 0),
    );
    const all = [...errors, ...text].join('\n');
    expect(text.length).toBeGreaterThan(0);
    expect(all).toContain('request is not authorized');
    expect(all).toContain('submit got no answer'); // the late venue's path ran
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(SECRET);
  });
});
