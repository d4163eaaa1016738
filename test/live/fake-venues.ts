/**
 * Loopback venues for the stream tests and bench: a WebSocket server speaking one venue's documented protocol
 * (subscribe acks, trade messages, Kraken pongs) and the venue's REST candles computed from the same trades.
 */
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { Venue } from '../../src/live/protocol.ts';
import { type Loopback, startLoopback } from '../../src/sources/testing/loopback.ts';

export interface FakeTrade {
  venueSymbol: string;
  price: number;
  qty: number;
  /** Venue trade time, epoch ms. */
  ts: number;
  /** Sequential per venue symbol. */
  id: number;
}

/** ISO time with microseconds, as Coinbase and Kraken write it. */
const isoMicros = (ts: number) => new Date(ts).toISOString().replace('Z', '123Z');

/** One trade as the venue sends it (Binance's combined-stream envelope). */
export function tradeMessage(venue: Venue, t: FakeTrade): string {
  switch (venue) {
    case 'binance':
      return JSON.stringify({
        stream: `${t.venueSymbol.toLowerCase()}@trade`,
        data: {
          e: 'trade',
          E: t.ts + 1,
          s: t.venueSymbol,
          t: t.id,
          p: String(t.price),
          q: String(t.qty),
          T: t.ts,
          m: true,
          M: true,
        },
      });
    case 'coinbase':
      return JSON.stringify({
        type: 'match',
        trade_id: t.id,
        sequence: 50_000_000_000 + t.id * 7,
        maker_order_id: 'ac928c66-ca53-498f-9c13-a110027a60e8',
        taker_order_id: '132fb6ae-456b-4654-b4e0-d681ac05cea1',
        time: isoMicros(t.ts),
        product_id: t.venueSymbol,
        size: String(t.qty),
        price: String(t.price),
        side: 'sell',
      });
    case 'kraken':
      return JSON.stringify({
        channel: 'trade',
        type: 'update',
        data: [
          {
            symbol: t.venueSymbol,
            side: 'buy',
            price: t.price,
            qty: t.qty,
            ord_type: 'market',
            trade_id: t.id,
            timestamp: isoMicros(t.ts),
          },
        ],
      });
  }
}

export class FakeVenue {
  readonly subscribed = new Set<string>();
  readonly sockets = new Set<WebSocket>();
  /** What each connected client has subscribed (Kraken unsubscribes are honoured). */
  readonly bySocket = new Map<WebSocket, Set<string>>();
  private constructor(
    readonly venue: Venue,
    private readonly server: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(venue: Venue): Promise<FakeVenue> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    const fake = new FakeVenue(venue, server, `ws://127.0.0.1:${port}`);
    server.on('connection', (socket) => fake.accept(socket));
    return fake;
  }

  /** Sends trades to every connected client, in order. */
  send(trades: readonly FakeTrade[]): void {
    for (const t of trades) {
      const text = tradeMessage(this.venue, t);
      for (const s of this.sockets) s.send(text);
    }
  }

  /** Sends pre-built frames (bench). */
  sendRaw(frames: readonly string[]): void {
    for (const f of frames) for (const s of this.sockets) s.send(f);
  }

  /** Cuts every client as a network failure would (no close frame). */
  dropAll(): void {
    for (const s of this.sockets) s.terminate();
    this.sockets.clear();
    this.subscribed.clear();
  }

  async waitSubscribed(symbols: readonly string[], timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!symbols.every((s) => this.subscribed.has(s))) {
      if (Date.now() > until)
        throw new Error(`${this.venue}: ${symbols.join(',')} not subscribed in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    this.sockets.add(socket);
    const mine = new Set<string>();
    this.bySocket.set(socket, mine);
    // Kraken fills silence with a heartbeat about once a second.
    const beat =
      this.venue === 'kraken' ? setInterval(() => socket.send('{"channel":"heartbeat"}'), 1000) : undefined;
    socket.on('close', () => {
      clearInterval(beat);
      this.sockets.delete(socket);
      this.bySocket.delete(socket);
    });
    socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as Record<string, unknown>;
      if (this.venue === 'binance' && m.method === 'SUBSCRIBE') {
        for (const p of m.params as string[]) this.subscribed.add(p.replace('@trade', '').toUpperCase());
        socket.send(JSON.stringify({ result: null, id: m.id }));
      } else if (this.venue === 'coinbase' && m.type === 'subscribe') {
        for (const p of m.product_ids as string[]) this.subscribed.add(p);
        socket.send(
          JSON.stringify({
            type: 'subscriptions',
            channels: [
              { name: 'matches', product_ids: m.product_ids },
              { name: 'heartbeat', product_ids: m.product_ids },
            ],
          }),
        );
      } else if (this.venue === 'kraken' && m.method === 'subscribe') {
        const params = m.params as { symbol: string[] };
        for (const s of params.symbol) {
          this.subscribed.add(s);
          mine.add(s);
          socket.send(
            JSON.stringify({
              method: 'subscribe',
              result: { channel: 'trade', snapshot: false, symbol: s },
              success: true,
              time_in: '2023-09-25T09:04:31.742599Z',
              time_out: '2023-09-25T09:04:31.742648Z',
            }),
          );
        }
      } else if (this.venue === 'kraken' && m.method === 'unsubscribe') {
        for (const s of (m.params as { symbol: string[] }).symbol) mine.delete(s);
      } else if (this.venue === 'kraken' && m.method === 'ping') {
        socket.send(
          JSON.stringify({
            method: 'pong',
            time_in: '2023-09-24T14:10:23.799685Z',
            time_out: '2023-09-24T14:10:23.799703Z',
          }),
        );
      }
    });
  }
}

/** Independent reference: 1m OHLCV of trades (plain reduce, not the stream's code). */
export function minuteBars(
  trades: readonly FakeTrade[],
): Map<number, { ts: number; open: number; high: number; low: number; close: number; volume: number }> {
  const out = new Map<
    number,
    { ts: number; open: number; high: number; low: number; close: number; volume: number }
  >();
  for (const t of trades) {
    const m = Math.floor(t.ts / 60_000) * 60_000;
    const b = out.get(m);
    if (!b) out.set(m, { ts: m, open: t.price, high: t.price, low: t.price, close: t.price, volume: t.qty });
    else {
      b.high = Math.max(b.high, t.price);
      b.low = Math.min(b.low, t.price);
      b.close = t.price;
      b.volume += t.qty;
    }
  }
  return out;
}

/** The venue's REST candles endpoint serving `minuteBars(truth())` in its documented format. */
export function startCandles(venue: Venue, truth: () => readonly FakeTrade[]): Promise<Loopback> {
  return startLoopback((req) => {
    const bars = [...minuteBars(truth()).values()].sort((a, b) => a.ts - b.ts);
    if (venue === 'coinbase') {
      const start = Date.parse(req.url.searchParams.get('start') ?? '');
      const end = Date.parse(req.url.searchParams.get('end') ?? '');
      // Newest first, [time s, low, high, open, close, volume]; minutes without trades are absent.
      const rows = bars
        .filter((b) => b.ts >= start && b.ts <= end)
        .reverse()
        .map((b) => [b.ts / 1000, b.low, b.high, b.open, b.close, b.volume]);
      return { body: rows };
    }
    if (venue === 'kraken') {
      const since = Number(req.url.searchParams.get('since') ?? 0) * 1000;
      const rows = bars
        .filter((b) => b.ts > since)
        .map((b) => [
          b.ts / 1000,
          String(b.open),
          String(b.high),
          String(b.low),
          String(b.close),
          String(b.close),
          String(b.volume),
          3,
        ]);
      return { body: { error: [], result: { XXBTZUSD: rows, last: 0 } } };
    }
    const start = Number(req.url.searchParams.get('startTime') ?? 0);
    const end = Number(req.url.searchParams.get('endTime') ?? 0);
    const rows = bars
      .filter((b) => b.ts >= start && b.ts <= end)
      .map((b) => [
        b.ts,
        String(b.open),
        String(b.high),
        String(b.low),
        String(b.close),
        String(b.volume),
        b.ts + 59_999,
        '0',
        3,
        '0',
        '0',
        '0',
      ]);
    return { body: rows };
  });
}

export { WebSocket };
