import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import {
  CACHE_TTL_SECONDS,
  type Cache,
  type ChannelMessage,
  cacheKeys,
  type PubSub,
} from '../cache/index.ts';
import type { CachedPrice } from '../pipeline/latest.ts';
import type { Queryable } from '../store/db.ts';
import { coverage } from '../store/repos/coverage.ts';
import { useApiKeys } from './api-keys.ts';
import { dropStaleKeys } from './cache-invalidation.ts';
import type { RouteOptions } from './deps.ts';
import { type ApiMetrics, metricsOf } from './metrics.ts';
import { readerOf } from './read-db.ts';

/** Close codes the streams use (RFC 6455 §7.4.1 and the IANA registry). */
export const WS_CLOSE = Object.freeze({
  normal: 1000,
  /** The server is shutting down. */
  goingAway: 1001,
  /** A message the protocol does not allow (bad JSON, unknown op, too many symbols). */
  policy: 1008,
  /** The client fell too far behind (its send queue is full): "try again later". */
  tryAgainLater: 1013,
});

export interface WsOptions {
  /** Ping interval; a client that has not answered the previous ping by the next one is dropped. @defaultValue 30000 ms */
  heartbeatMs?: number;
  /** Messages queued for one client (sent but not yet flushed to its socket) before it is dropped. @defaultValue 1000 */
  maxQueue?: number;
  /** Bytes buffered for one client before it is dropped. @defaultValue 4 MiB */
  maxBufferedBytes?: number;
  /** Symbols one `/ws/prices` client may follow. @defaultValue 500 */
  maxSymbols?: number;
  /** Largest message accepted from a client. @defaultValue 64 KiB */
  maxPayload?: number;
  /**
   * Messages per second one client may send (a bucket holding twice as many absorbs bursts); past it the
   * connection is closed with 1008. Each subscribe is answered with every followed symbol, so without a
   * rate ~51 KB of subscribes drew 16.9 MB of answers. @defaultValue 10
   */
  maxMessagesPerSecond?: number;
}

type Stream = 'prices' | 'monitor' | 'alerts';

/**
 * One connected client with a bounded send queue: `pending` counts messages handed to the socket and not
 * yet flushed (the send callback has not run). Past `maxQueue` messages or `maxBufferedBytes`, the client
 * is closed with 1013 and forgotten, so a slow reader costs the server a bounded amount of memory.
 */
export class WsClient {
  pending = 0;
  alive = true;
  closed = false;
  readonly symbols = new Set<string>();
  /** Token bucket of incoming messages: `tokens` left, refilled at `maxMessagesPerSecond`. */
  private tokens = Number.NaN;
  private refilledAt = 0;

  constructor(
    readonly socket: WebSocket,
    readonly stream: Stream,
    private readonly limits: { maxQueue: number; maxBufferedBytes: number },
    private readonly metrics: ApiMetrics,
    private readonly onDrop: (c: WsClient) => void,
  ) {}

  send(message: string | object): boolean {
    if (this.closed) return false;
    if (this.pending >= this.limits.maxQueue || this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.drop(WS_CLOSE.tryAgainLater, 'slow consumer: send queue full', 'slow');
      return false;
    }
    this.pending++;
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message), () => {
      this.pending--;
    });
    this.metrics.wsMessages.inc({ stream: this.stream });
    return true;
  }

  /** Takes one incoming message from the budget; false (and the connection closed with 1008) when spent. */
  admit(perSecond: number, now = performance.now()): boolean {
    const burst = 2 * perSecond;
    if (Number.isNaN(this.tokens)) this.tokens = burst;
    this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) / 1000) * perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) {
      this.drop(WS_CLOSE.policy, `over ${perSecond} messages per second`, 'rate');
      return false;
    }
    this.tokens -= 1;
    return true;
  }

  /** Closes with `code`; a peer that does not finish the closing handshake in 2 s is cut off. */
  drop(code: number, reason: string, metric?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (metric) this.metrics.wsDropped.inc({ stream: this.stream, reason: metric });
    this.onDrop(this);
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
    }
    setTimeout(() => this.socket.terminate(), 2000).unref();
  }
}

/** The clients of one process and the pub/sub subscriptions feeding them. */
export class StreamHub {
  readonly prices = new Set<WsClient>();
  readonly monitor = new Set<WsClient>();
  /** `/ws/alerts`: every `depeg_alerts` and `risk_updates` message. */
  readonly alerts = new Set<WsClient>();
  private readonly bySymbol = new Map<string, Set<WsClient>>();
  private readonly unsubs: Array<() => Promise<void>> = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private coverageTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: Queryable,
    private readonly cache: Cache,
    private readonly metrics: ApiMetrics,
    readonly options: Required<WsOptions>,
  ) {}

  /**
   * Subscribes to `price_updates`, `job_events`, `data_ready`, `depeg_alerts`, `risk_updates` (one
   * subscription each per process). `data_ready`
   * also drops the route-cache keys the new data makes stale (cache-invalidation.ts).
   */
  async start(pubsub: PubSub | undefined): Promise<void> {
    if (pubsub) {
      this.unsubs.push(
        await pubsub.subscribe('price_updates', (m) => {
          this.onPrice(m);
          void this.remember(m);
        }),
      );
      this.unsubs.push(await pubsub.subscribe('job_events', (m) => this.toMonitor(m)));
      this.unsubs.push(
        await pubsub.subscribe('data_ready', (m) => {
          void dropStaleKeys(this.cache, m);
          this.toMonitor(m);
          this.coverageSoon();
        }),
      );
      this.unsubs.push(await pubsub.subscribe('depeg_alerts', (m) => this.toAlerts(m)));
      this.unsubs.push(await pubsub.subscribe('risk_updates', (m) => this.toAlerts(m)));
    }
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  add(socket: WebSocket, stream: Stream): WsClient {
    const client = new WsClient(socket, stream, this.options, this.metrics, (c) => this.remove(c));
    this.setOf(stream).add(client);
    this.metrics.wsClients.inc({ stream });
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('close', () => this.remove(client));
    socket.on('error', () => this.remove(client));
    return client;
  }

  remove(client: WsClient): void {
    if (!this.setOf(client.stream).delete(client)) return;
    client.closed = true;
    this.metrics.wsClients.dec({ stream: client.stream });
    for (const s of client.symbols) this.unfollow(client, s);
  }

  private setOf(stream: Stream): Set<WsClient> {
    return stream === 'prices' ? this.prices : stream === 'monitor' ? this.monitor : this.alerts;
  }

  follow(client: WsClient, symbol: string): void {
    client.symbols.add(symbol);
    let set = this.bySymbol.get(symbol);
    if (!set) {
      set = new Set();
      this.bySymbol.set(symbol, set);
    }
    set.add(client);
  }

  unfollow(client: WsClient, symbol: string): void {
    client.symbols.delete(symbol);
    const set = this.bySymbol.get(symbol);
    set?.delete(client);
    if (set && set.size === 0) this.bySymbol.delete(symbol);
  }

  /** Fan-out: serialised once, sent only to the clients following the symbol. */
  onPrice(message: ChannelMessage): void {
    const symbol = typeof message.symbol === 'string' ? message.symbol : undefined;
    if (!symbol) return;
    const set = this.bySymbol.get(symbol);
    if (!set || set.size === 0) return;
    const text = JSON.stringify(message);
    for (const c of [...set]) c.send(text);
  }

  /**
   * An in-process cache does not see what another process (`ingest latest`) wrote to its own, so the
   * update is stored here too; a shared Redis already holds it.
   */
  private async remember(message: ChannelMessage): Promise<void> {
    if (this.cache.stats().backend !== 'memory') return;
    const { symbol, price, ts, source } = message;
    if (typeof symbol !== 'string' || typeof price !== 'number' || typeof source !== 'string') return;
    const cached: CachedPrice = { symbol, price, ts, source };
    await this.cache.set(cacheKeys.latestPrice(symbol), cached, CACHE_TTL_SECONDS.latestPrice);
  }

  toMonitor(message: ChannelMessage): void {
    if (this.monitor.size === 0) return;
    const text = JSON.stringify(message);
    for (const c of [...this.monitor]) c.send(text);
  }

  toAlerts(message: ChannelMessage): void {
    if (this.alerts.size === 0) return;
    const text = JSON.stringify(message);
    for (const c of [...this.alerts]) c.send(text);
  }

  /** Coverage after new data, at most once a second however many `data_ready` messages arrive. */
  private coverageSoon(): void {
    if (this.coverageTimer || this.monitor.size === 0) return;
    this.coverageTimer = setTimeout(() => {
      this.coverageTimer = undefined;
      void this.coverageMessage().then(
        (m) => this.toMonitor(m),
        () => undefined,
      );
    }, 1000);
    this.coverageTimer.unref();
  }

  async coverageMessage(): Promise<ChannelMessage> {
    return { type: 'coverage', ts: new Date().toISOString(), instruments: await coverage(this.db) };
  }

  /** The cached latest prices of `symbols` (sent on subscribe, so a client does not wait for the next tick). */
  async snapshot(symbols: readonly string[]): Promise<CachedPrice[]> {
    const hits = await this.cache.getMany<CachedPrice>(symbols.map(cacheKeys.latestPrice));
    return hits.filter((h): h is CachedPrice => h !== undefined);
  }

  private beat(): void {
    for (const c of [...this.prices, ...this.monitor, ...this.alerts]) {
      if (!c.alive) {
        c.drop(WS_CLOSE.goingAway, 'heartbeat missed', 'heartbeat');
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      try {
        c.socket.ping();
      } catch {
        c.drop(WS_CLOSE.goingAway, 'ping failed', 'heartbeat');
      }
    }
  }

  stats(): { prices: number; monitor: number; alerts: number; symbols: number } {
    return {
      prices: this.prices.size,
      monitor: this.monitor.size,
      alerts: this.alerts.size,
      symbols: this.bySymbol.size,
    };
  }

  /** Closes every client with 1001 and drops the subscriptions. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.coverageTimer);
    for (const c of [...this.prices, ...this.monitor, ...this.alerts])
      c.drop(WS_CLOSE.goingAway, 'server shutting down');
    // One after another: they share the store's LISTEN connection, which takes one query at a time.
    for (const off of this.unsubs) await off().catch(() => undefined);
  }
}

interface ClientMessage {
  op?: unknown;
  symbols?: unknown;
}

function parse(raw: unknown): ClientMessage | null {
  try {
    const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as ClientMessage) : null;
  } catch {
    return null;
  }
}

const hubs = new WeakMap<object, StreamHub>();

/** The app's stream hub (tests read its counts). */
export function streamHubOf(deps: object): StreamHub | undefined {
  return hubs.get(deps);
}

/**
 * `/ws/prices`, `/ws/monitor` and `/ws/alerts`. Prices: `{"op":"subscribe","symbols":["BTC"]}` / `unsubscribe`; the
 * server answers `{type:"subscribed", symbols}` (all followed symbols), then the cached latest price of each
 * new symbol, then every `price_updates` message for followed symbols. Monitor: a coverage snapshot on
 * connect, then `job_events` and `data_ready` messages and a fresh coverage after new data. Alerts: `{type:"ready"}`
 * on connect, then every `depeg_alerts` (`depeg_alert`, `depeg_recovery`) and `risk_updates` (`risk_update`)
 * message. Bad input gets
 * `{type:"error", message}`; a non-JSON message or too many symbols closes with 1008.
 */
export function wsRoutes(options: WsOptions = {}): FastifyPluginAsync<RouteOptions> {
  const opts: Required<WsOptions> = {
    heartbeatMs: options.heartbeatMs ?? 30_000,
    maxQueue: options.maxQueue ?? 1000,
    maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024,
    maxSymbols: options.maxSymbols ?? 500,
    maxPayload: options.maxPayload ?? 64 * 1024,
    maxMessagesPerSecond: options.maxMessagesPerSecond ?? 10,
  };
  return async (app, { deps }) => {
    const hub = new StreamHub(readerOf(deps), deps.cache, metricsOf(deps), opts);
    hubs.set(deps, hub);
    await app.register(websocket, {
      options: { maxPayload: opts.maxPayload },
      // On shutdown every client gets 1001 (going away) and a moment to answer the close, before the
      // HTTP server waits for its connections (the plugin's default would close them without a code).
      preClose: async function (this: FastifyInstance) {
        await hub.stop();
        const deadline = Date.now() + 1000;
        while (this.websocketServer.clients.size > 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
        }
        for (const socket of this.websocketServer.clients) socket.terminate();
        await new Promise<void>((resolve) => this.websocketServer.close(() => resolve()));
      },
    });
    // @fastify/websocket hides its routes from OpenAPI; list them (as GET upgrades) so /docs shows every route.
    app.addHook('onRoute', (route) => {
      if (route.websocket && route.schema) route.schema.hide = false;
    });
    useApiKeys(app, deps, { queryParam: true });
    await hub.start(deps.pubsub);
    app.addHook('onClose', async () => hub.stop());

    app.get(
      '/ws/prices',
      {
        websocket: true,
        schema: { summary: 'Live prices of subscribed symbols (WebSocket)', tags: ['streams'] },
      },
      (socket) => {
        const client = hub.add(socket, 'prices');
        socket.on('message', (raw) => {
          if (!client.admit(opts.maxMessagesPerSecond)) return;
          const msg = parse(raw);
          if (!msg) return client.drop(WS_CLOSE.policy, 'messages must be JSON objects');
          if (msg.op !== 'subscribe' && msg.op !== 'unsubscribe') {
            client.send({ type: 'error', message: 'op must be "subscribe" or "unsubscribe"' });
            return;
          }
          const symbols = Array.isArray(msg.symbols)
            ? msg.symbols.filter((s): s is string => typeof s === 'string' && s.length > 0 && s.length <= 32)
            : [];
          if (symbols.length === 0) {
            client.send({ type: 'error', message: 'symbols must be a non-empty array of strings' });
            return;
          }
          if (msg.op === 'unsubscribe') {
            for (const s of symbols) hub.unfollow(client, s);
            client.send({ type: 'unsubscribed', symbols: [...client.symbols] });
            return;
          }
          const added = symbols.filter((s) => !client.symbols.has(s));
          if (client.symbols.size + added.length > opts.maxSymbols) {
            return client.drop(WS_CLOSE.policy, `at most ${opts.maxSymbols} symbols per connection`);
          }
          for (const s of added) hub.follow(client, s);
          client.send({ type: 'subscribed', symbols: [...client.symbols] });
          void hub.snapshot(added).then(
            (prices) => {
              for (const p of prices) client.send({ type: 'price', snapshot: true, ...p });
            },
            () => undefined,
          );
        });
      },
    );

    app.get(
      '/ws/monitor',
      {
        websocket: true,
        schema: { summary: 'Coverage, job events and data-ready notices (WebSocket)', tags: ['streams'] },
      },
      (socket) => {
        const client = hub.add(socket, 'monitor');
        socket.on('message', () => {
          if (client.admit(opts.maxMessagesPerSecond))
            client.send({ type: 'error', message: 'this stream takes no messages' });
        });
        void hub.coverageMessage().then(
          (m) => client.send(m),
          () => undefined,
        );
      },
    );

    app.get(
      '/ws/alerts',
      {
        websocket: true,
        schema: {
          summary:
            'Live depeg alerts and recoveries (`depeg_alerts`) and live VaR (`risk_updates`) (WebSocket)',
          tags: ['streams'],
        },
      },
      (socket) => {
        const client = hub.add(socket, 'alerts');
        socket.on('message', () => {
          if (client.admit(opts.maxMessagesPerSecond))
            client.send({ type: 'error', message: 'this stream takes no messages' });
        });
        client.send({ type: 'ready', ts: new Date().toISOString() });
      },
    );
  };
}
