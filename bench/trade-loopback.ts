/**
 * Submit-to-ack latency of the real-venue brokers (issue 21) against the loopback Binance spot and Alpaca
 * fakes (test/execution/), one order at a time: `broker.submit` → the venue's ack mapped to our order. Floor in
 * the same run: the same order POSTed by hand with bare `fetch` to the same server (for Binance signed with
 * HMAC-SHA256 by hand too), so the ratio is what ccxt / our broker add over one HTTP round trip. ccxt's
 * request throttle (on by default, for Binance's weight limits) is off here: it would measure the sleep.
 *
 * Run alone: node --import tsx bench/trade-loopback.ts (BENCH_TRADE_ORDERS, default 400 per venue)
 */
import { createHmac } from 'node:crypto';
import { AlpacaBroker } from '../src/execution/alpaca.ts';
import { createBinanceBroker } from '../src/execution/binance.ts';
import type { Broker, SubmitOrder } from '../src/execution/broker.ts';
import { startFakeAlpaca } from '../test/execution/fake-alpaca.ts';
import { startFakeBinance } from '../test/execution/fake-binance.ts';

const ORDERS = Number(process.env.BENCH_TRADE_ORDERS ?? 400);
const WARMUP = 30;
const KEY = 'bench-key';
const SECRET = 'bench-secret';

function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

async function time(n: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

async function viaBroker(broker: Broker, prefix: string, symbol: string): Promise<number[]> {
  const order = (i: number): SubmitOrder => ({
    clientOrderId: `${prefix}-${i}`,
    symbol,
    side: 'buy',
    type: 'limit',
    qty: 1,
    price: 10,
  });
  await time(WARMUP, (i) => broker.submit(order(-1 - i)).then(() => undefined));
  return time(ORDERS, async (i) => {
    const ack = await broker.submit(order(i));
    if (ack.status !== 'accepted')
      throw new Error(`bench: ${ack.clientOrderId} ${ack.status} ${ack.reason ?? ''}`);
  });
}

async function bareBinance(baseUrl: string): Promise<number[]> {
  const send = async (id: string) => {
    const body = `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=10&newClientOrderId=${id}&timestamp=${Date.now()}&recvWindow=5000`;
    const signature = createHmac('sha256', SECRET).update(body).digest('hex');
    const res = await fetch(`${baseUrl}/api/v3/order`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': KEY, 'content-type': 'application/x-www-form-urlencoded' },
      body: `${body}&signature=${signature}`,
    });
    const json = (await res.json()) as { status?: string };
    if (json.status !== 'NEW') throw new Error(`bench: bare binance answered ${JSON.stringify(json)}`);
  };
  await time(WARMUP, (i) => send(`bare-w${i}`));
  return time(ORDERS, (i) => send(`bare-${i}`));
}

async function bareAlpaca(baseUrl: string): Promise<number[]> {
  const send = async (id: string) => {
    const res = await fetch(`${baseUrl}/v2/orders`, {
      method: 'POST',
      headers: { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET, 'content-type': 'application/json' },
      body: JSON.stringify({
        symbol: 'SPY',
        qty: '1',
        side: 'buy',
        type: 'limit',
        limit_price: '10',
        time_in_force: 'day',
        client_order_id: id,
      }),
    });
    const json = (await res.json()) as { status?: string };
    if (json.status !== 'accepted') throw new Error(`bench: bare alpaca answered ${JSON.stringify(json)}`);
  };
  await time(WARMUP, (i) => send(`bare-w${i}`));
  return time(ORDERS, (i) => send(`bare-${i}`));
}

const row = (venue: string, path: string, xs: number[], floor?: number[]) => {
  const p50 = pct(xs, 50);
  const p99 = pct(xs, 99);
  const ratio = floor
    ? `${(p50 / pct(floor, 50)).toFixed(2)}× / ${(p99 / pct(floor, 99)).toFixed(2)}×`
    : 'floor';
  return `${venue.padEnd(8)} ${path.padEnd(34)} ${p50.toFixed(3).padStart(9)} ${p99.toFixed(3).padStart(9)}   ${ratio}`;
};

export async function run(): Promise<void> {
  const lines: string[] = [];
  const binance = await startFakeBinance({ apiKey: KEY, apiSecret: SECRET, balances: { USDT: 1e12 } });
  try {
    const broker = createBinanceBroker({
      apiKey: KEY,
      apiSecret: SECRET,
      baseUrl: binance.baseUrl,
      throttle: false,
    });
    const floor = await bareBinance(binance.baseUrl);
    const measured = await viaBroker(broker, 'bn', 'BTC');
    await broker.close();
    lines.push(row('binance', 'bare fetch, signed POST /api/v3/order', floor));
    lines.push(row('binance', 'broker.submit (ccxt)', measured, floor));
  } finally {
    await binance.close();
  }
  const alpaca = await startFakeAlpaca({ apiKey: KEY, apiSecret: SECRET, cash: 1e12 });
  try {
    const broker = new AlpacaBroker({ apiKey: KEY, apiSecret: SECRET, baseUrl: alpaca.baseUrl });
    const floor = await bareAlpaca(alpaca.baseUrl);
    const measured = await viaBroker(broker, 'al', 'SPY');
    await broker.close();
    lines.push(row('alpaca', 'bare fetch, POST /v2/orders', floor));
    lines.push(row('alpaca', 'broker.submit (fetch)', measured, floor));
  } finally {
    await alpaca.close();
  }
  process.stdout.write(
    `submit-to-ack latency, ${ORDERS} sequential limit orders per venue (after ${WARMUP} warm-up), loopback fakes\n` +
      `${'venue'.padEnd(8)} ${'path'.padEnd(34)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)}   vs floor (p50 / p99)\n` +
      `${lines.join('\n')}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
