import { request } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { metricsOf } from '../../src/api/metrics.ts';
import { ROUTES } from '../../src/api/routes/index.ts';
import { StreamHub, streamHubOf, WS_CLOSE, WsClient, wsRoutes } from '../../src/api/ws.ts';
import { cacheKeys } from '../../src/cache/index.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { PgPubSub } from '../../src/cache/pg-pubsub.ts';
import { eventually } from '../config/eventually.ts';
import { type ApiHarness, startApi } from './harness.ts';

const withWs = (opts: Parameters<typeof wsRoutes>[0]) =>
  ROUTES.map((r) => (r.name === 'ws' ? { ...r, plugin: wsRoutes(opts) } : r));

/** A client that records every message (parsed) and its close code. */
class Recorder {
  readonly messages: Array<Record<string, unknown>> = [];
  closeCode: number | undefined;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => this.messages.push(JSON.parse(String(raw))));
    ws.on('close', (code) => {
      this.closeCode = code;
    });
  }
  static async open(url: string): Promise<Recorder> {
    const ws = new WebSocket(url);
    const r = new Recorder(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return r;
  }
  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }
  ofType(type: string) {
    return this.messages.filter((m) => m.type === type);
  }
}

/** A raw upgraded TCP socket that never reads (a stalled consumer) and never answers pings. */
async function stalledClient(base: string, path: string): Promise<Socket> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
        'Sec-WebSocket-Version': '13',
      },
    });
    req.on('upgrade', (_res, socket) => resolve(socket));
    req.on('error', reject);
    req.end();
  });
}

/** A masked client text frame (clients must mask, RFC 6455 §5.3). */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
  const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
  return Buffer.concat([header, mask, masked]);
}

describe('WebSocket streams on PGlite (LISTEN/NOTIFY fan-out)', () => {
  let h: ApiHarness;
  let pubsub: PgPubSub;
  let wsBase: string;
  beforeAll(async () => {
    // pub/sub over the store itself; a small buffer bound so the stalled-reader test is quick
    const routes = withWs({ maxBufferedBytes: 256 * 1024 });
    h = await startApi({ store: 'pglite', routes, seed: false, pubsub: (db) => (pubsub = new PgPubSub(db)) });
    wsBase = h.server.url.replace('http', 'ws');
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await pubsub?.close();
  });

  it('delivers only the subscribed symbols, starting with the cached price, until unsubscribed', async () => {
    await h.deps.cache.set(
      cacheKeys.latestPrice('BTC'),
      { symbol: 'BTC', price: 64_000, ts: '2026-01-01T00:00:00.000Z', source: 'test' },
      60,
    );
    const c = await Recorder.open(`${wsBase}/ws/prices`);
    c.send({ op: 'subscribe', symbols: ['BTC', 'SOL'] });
    await eventually(() => c.ofType('price').length === 1, 10_000, 'the snapshot of BTC');
    expect(c.messages[0]).toEqual({ type: 'subscribed', symbols: ['BTC', 'SOL'] });
    expect(c.ofType('price')[0]).toMatchObject({ symbol: 'BTC', price: 64_000, snapshot: true });

    await pubsub.publish('price_updates', { type: 'price', symbol: 'ETH', price: 3000, source: 't' });
    await pubsub.publish('price_updates', { type: 'price', symbol: 'BTC', price: 65_001, source: 't' });
    await pubsub.publish('price_updates', { type: 'price', symbol: 'SOL', price: 150, source: 't' });
    await eventually(() => c.ofType('price').length === 3, 10_000, 'BTC and SOL updates');
    expect(c.ofType('price').map((m) => m.symbol)).toEqual(['BTC', 'BTC', 'SOL']);
    // another process's update also refreshes this process's in-memory cache (the watchlist reads it)
    const watch = await h.app.inject({ url: '/api/watchlist?symbols=BTC' });
    expect(watch.json().items[0]).toMatchObject({ symbol: 'BTC', price: 65_001, cached: true });

    c.send({ op: 'unsubscribe', symbols: ['BTC'] });
    await eventually(() => c.ofType('unsubscribed').length === 1, 10_000, 'the unsubscribe answer');
    expect(c.ofType('unsubscribed')[0]?.symbols).toEqual(['SOL']);
    await pubsub.publish('price_updates', { type: 'price', symbol: 'BTC', price: 1, source: 't' });
    await pubsub.publish('price_updates', { type: 'price', symbol: 'SOL', price: 151, source: 't' });
    await eventually(() => c.ofType('price').length === 4, 10_000, 'the SOL update');
    expect(c.ofType('price').at(-1)).toMatchObject({ symbol: 'SOL', price: 151 });
    c.ws.close(1000);
  });

  it('answers bad requests with an error message, and closes 1008 on non-JSON', async () => {
    const c = await Recorder.open(`${wsBase}/ws/prices`);
    c.send({ op: 'dance' });
    c.send({ op: 'subscribe', symbols: [] });
    await eventually(() => c.ofType('error').length === 2, 10_000, 'two errors');
    c.send('not json');
    await eventually(() => c.closeCode !== undefined, 10_000, 'the close');
    expect(c.closeCode).toBe(WS_CLOSE.policy);
  });

  it('/ws/monitor sends coverage on connect, then job events and data_ready', async () => {
    const c = await Recorder.open(`${wsBase}/ws/monitor`);
    await eventually(() => c.ofType('coverage').length === 1, 10_000, 'the coverage snapshot');
    await pubsub.publish('job_events', { type: 'job_started', job: 'ingest_latest' });
    await pubsub.publish('data_ready', { type: 'latest', symbols: ['BTC'], rows: 1 });
    await eventually(() => c.ofType('coverage').length === 2, 10_000, 'coverage refreshed after data_ready');
    expect(c.messages.map((m) => m.type)).toEqual(['coverage', 'job_started', 'latest', 'coverage']);
    c.ws.close(1000);
  });

  it('drops a stalled reader with 1013 once its buffer passes the bound, keeping others served', async () => {
    const hub = streamHubOf(h.deps);
    expect(hub).toBeDefined();
    const stalled = await stalledClient(h.server.url, '/ws/prices');
    stalled.write(clientFrame(JSON.stringify({ op: 'subscribe', symbols: ['BIG'] })));
    await eventually(
      () => (hub?.prices.size ?? 0) >= 1 && [...(hub?.prices ?? [])].some((c) => c.symbols.has('BIG')),
      10_000,
      'the stalled subscription',
    );
    stalled.pause();
    const healthy = await Recorder.open(`${wsBase}/ws/prices`);
    healthy.send({ op: 'subscribe', symbols: ['BIG'] });
    await eventually(() => healthy.ofType('subscribed').length === 1, 10_000, 'healthy subscription');
    const pad = 'x'.repeat(60_000);
    // up to 42 MB: far beyond the kernel's socket buffers, so the stalled client's server-side buffer must grow
    const bigSubscribers = () => [...(hub?.prices ?? [])].filter((c) => c.symbols.has('BIG')).length;
    for (let i = 0; i < 700 && bigSubscribers() === 2; i++) {
      hub?.onPrice({ type: 'price', symbol: 'BIG', ts: new Date().toISOString(), price: i, pad });
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(healthy.closeCode).toBeUndefined();
    await eventually(
      () => [...(hub?.prices ?? [])].filter((c) => c.symbols.has('BIG')).length === 1,
      10_000,
      'the stalled client dropped',
    );
    const metrics = await metricsOf(h.deps).text();
    expect(metrics).toMatch(/marketpipe_ws_dropped_total\{stream="prices",reason="slow"\} [1-9]/);
    await eventually(() => healthy.ofType('price').length > 0, 10_000, 'the healthy client still served');
    stalled.destroy();
    healthy.ws.close(1000);
  }, 30_000);

  it('drops a client that stops answering pings', async () => {
    // its own server with a 300 ms heartbeat (the others keep the default, so pings never race the tests)
    const quick = await startApi({ store: 'pglite', seed: false, routes: withWs({ heartbeatMs: 300 }) });
    const h = quick;
    const hub = streamHubOf(h.deps);
    const before = hub?.monitor.size ?? 0;
    const silent = await stalledClient(h.server.url, '/ws/monitor');
    silent.on('data', () => undefined); // reads, but never sends a pong
    await eventually(() => (hub?.monitor.size ?? 0) === before + 1, 10_000, 'the silent client connected');
    await eventually(
      () => (hub?.monitor.size ?? 0) === before,
      10_000,
      'the silent client dropped after missed pings',
    );
    expect(await metricsOf(h.deps).text()).toMatch(
      /marketpipe_ws_dropped_total\{stream="monitor",reason="heartbeat"\} [1-9]/,
    );
    silent.destroy();
    await quick.close();
  });
});

describe('WsClient send queue (unit)', () => {
  it('closes with 1013 when the queue is full and never queues beyond the bound', () => {
    const sent: string[] = [];
    let closed: number | undefined;
    const socket = {
      bufferedAmount: 0,
      send: (text: string) => sent.push(text), // never calls back: nothing is ever flushed
      close: (code: number) => {
        closed = code;
      },
      terminate: () => undefined,
    } as unknown as WebSocket;
    const hubMetrics = { wsMessages: { inc: () => undefined }, wsDropped: { inc: () => undefined } };
    let dropped = 0;
    const c = new WsClient(
      socket,
      'prices',
      { maxQueue: 3, maxBufferedBytes: 1e9 },
      hubMetrics as never,
      () => {
        dropped++;
      },
    );
    expect([c.send('a'), c.send('b'), c.send('c')]).toEqual([true, true, true]);
    expect(c.send('d')).toBe(false);
    expect(c.send('e')).toBe(false);
    expect([sent, closed, dropped]).toEqual([['a', 'b', 'c'], WS_CLOSE.tryAgainLater, 1]);
  });

  it('StreamHub.stop closes every client with 1001 (going away)', async () => {
    const codes: number[] = [];
    const fake = () =>
      ({
        bufferedAmount: 0,
        on: () => undefined,
        send: () => undefined,
        close: (code: number) => codes.push(code),
        terminate: () => undefined,
      }) as unknown as WebSocket;
    const metrics = metricsOf({
      db: {} as never,
      settings: { corsOrigins: [] },
      config: {} as never,
      cache: new MemoryCache(),
    });
    const hub = new StreamHub({} as never, { getMany: async () => [] } as never, metrics, {
      heartbeatMs: 60_000,
      maxQueue: 10,
      maxBufferedBytes: 1e6,
      maxSymbols: 5,
      maxPayload: 1024,
      maxMessagesPerSecond: 10,
    });
    await hub.start(undefined);
    hub.add(fake(), 'prices');
    hub.add(fake(), 'monitor');
    await hub.stop();
    expect(codes).toEqual([WS_CLOSE.goingAway, WS_CLOSE.goingAway]);
    expect(hub.stats()).toEqual({ prices: 0, monitor: 0, alerts: 0, symbols: 0 });
  });
});
