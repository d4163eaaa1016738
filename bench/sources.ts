/**
 * bench/sources: connector throughput over a loopback provider. The same Binance kline pages (1000 hourly rows
 * each) are fetched (a) with bare fetch + JSON.parse, (b) through BinanceSource (rate limit lifted: token bucket,
 * retries, zod schema, mapping, sort/dedupe). The ratio is the connector layer's cost; the synthetic generator
 * is measured alongside as the offline source's rate.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Instrument } from '../src/core/types.ts';
import { BinanceSource } from '../src/sources/binance/client.ts';
import { syntheticBars } from '../src/sources/synthetic/generator.ts';

const HOUR = 3_600_000;
const PAGES = 40;
const ROWS = 1000;
const FROM = Date.UTC(2020, 0, 1);

function page(start: number): string {
  const rows: unknown[] = [];
  for (let i = 0; i < ROWS; i += 1) {
    const t = start + i * HOUR;
    const p = 30_000 + (i % 97);
    rows.push([
      t,
      `${p}.10`,
      `${p + 5}.00`,
      `${p - 5}.00`,
      `${p}.90`,
      '12.345',
      t + HOUR - 1,
      '370350',
      420,
      '6.1',
      '185000',
      '0',
    ]);
  }
  return JSON.stringify(rows);
}

export async function run(): Promise<void> {
  const bodies = new Map<number, string>();
  for (let k = 0; k < PAGES; k += 1) bodies.set(FROM + k * ROWS * HOUR, page(FROM + k * ROWS * HOUR));
  const server = createServer((req, res) => {
    const start = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('startTime'));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(bodies.get(start) ?? '[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const total = PAGES * ROWS;
  const to = FROM + total * HOUR;

  const source = new BinanceSource({
    baseUrl: base,
    limits: { rateLimit: { requests: 1e6, intervalMs: 1000 } },
  });
  const btc: Instrument = {
    symbol: 'BTC',
    assetClass: 'crypto',
    name: 'BTC',
    currency: 'USD',
    timezone: 'UTC',
    sources: { binance: 'BTCUSDT' },
  };
  const bare = async (): Promise<number> => {
    let rows = 0;
    for (const start of bodies.keys()) {
      const res = await fetch(`${base}/api/v3/klines?startTime=${start}`);
      rows += ((await res.json()) as unknown[]).length;
    }
    return rows;
  };
  const viaSource = async (): Promise<number> => {
    let rows = 0;
    for await (const bars of source.fetchBars(btc, '1h', { from: FROM, to })) rows += bars.length;
    return rows;
  };
  // Warm up both paths (JIT, keep-alive sockets), then take the best of three alternating rounds.
  await bare();
  await viaSource();
  let bareMs = Number.POSITIVE_INFINITY;
  let srcMs = Number.POSITIVE_INFINITY;
  let bareRows = 0;
  let srcRows = 0;
  for (let round = 0; round < 3; round += 1) {
    let t = performance.now();
    bareRows = await bare();
    bareMs = Math.min(bareMs, performance.now() - t);
    t = performance.now();
    srcRows = await viaSource();
    srcMs = Math.min(srcMs, performance.now() - t);
  }

  const synStart = performance.now();
  const synRows = syntheticBars(btc, '1h', { from: FROM, to }).length;
  const synMs = performance.now() - synStart;
  server.close();

  const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000));
  const lines = [
    ['case', 'rows', 'ms', 'rows/s', 'ratio vs bare'],
    ['bare fetch + JSON.parse', bareRows, bareMs.toFixed(0), rate(bareRows, bareMs), '1.00'],
    [
      'BinanceSource.fetchBars',
      srcRows,
      srcMs.toFixed(0),
      rate(srcRows, srcMs),
      (rate(srcRows, srcMs) / rate(bareRows, bareMs)).toFixed(2),
    ],
    [
      'syntheticBars (1h, crypto)',
      synRows,
      synMs.toFixed(0),
      rate(synRows, synMs),
      (rate(synRows, synMs) / rate(bareRows, bareMs)).toFixed(2),
    ],
  ];
  for (const line of lines)
    process.stdout.write(`${line.map((c, i) => String(c).padEnd(i === 0 ? 28 : 12)).join('')}\n`);
  if (srcRows !== total)
    process.stdout.write(`WARNING: connector returned ${srcRows} rows, expected ${total}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
