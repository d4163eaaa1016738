/**
 * A loopback stand-in for Binance `/api/v3/klines` used by bench/pipeline: deterministic hourly klines from a
 * cheap formula, 1000 per page, in a process of its own (as a remote provider would be). Prints its port.
 */
import { createServer } from 'node:http';

const HOUR = 3_600_000;

/** The bar every process agrees on for (instrument index, hour index). */
export function benchBar(inst: number, hour: number): [number, number, number, number, number] {
  const base = 100 + inst + 10 * Math.sin(hour / 50 + inst);
  const open = base;
  const close = base + Math.sin(hour / 7) * 0.5;
  const high = Math.max(open, close) + 0.25;
  const low = Math.min(open, close) - 0.25;
  return [open, high, low, close, 1000 + (hour % 97)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/api/v3/ping') {
      res.end('{}');
      return;
    }
    const symbol = url.searchParams.get('symbol') ?? '';
    const inst = Number(symbol.replace(/^B(\d+)USDT$/, '$1'));
    const start = Number(url.searchParams.get('startTime') ?? 0);
    const end = Number(url.searchParams.get('endTime') ?? start);
    const limit = Number(url.searchParams.get('limit') ?? 500);
    const first = Math.ceil(start / HOUR);
    const rows: unknown[] = [];
    for (let h = first; rows.length < limit && h * HOUR <= end; h++) {
      const [o, hi, lo, c, v] = benchBar(inst, h);
      const t = h * HOUR;
      rows.push([
        t,
        String(o),
        String(hi),
        String(lo),
        String(c),
        String(v),
        t + HOUR - 1,
        '0',
        1,
        '0',
        '0',
        '0',
      ]);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(rows));
  });
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
  });
}
