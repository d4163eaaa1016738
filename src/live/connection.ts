/**
 * One WebSocket connection to a venue: subscribes its symbols on every (re)connect, watches for silence (a
 * socket that answers pings but sends nothing is as dead as a closed one) and reconnects with exponential
 * backoff and full jitter drawn from a seeded random source.
 */
import WebSocket from 'ws';
import type { VenueProtocol } from './protocol.ts';

export interface ConnectionOptions {
  protocol: VenueProtocol;
  /** The venue's WebSocket base URL (setting or default). */
  baseUrl: string;
  /** Uniform [0, 1) source for the backoff jitter (seeded). */
  random: () => number;
  /** First reconnect delay cap (ms). @defaultValue 500 */
  backoffInitialMs?: number;
  /** Largest reconnect delay cap (ms). @defaultValue 30000 */
  backoffMaxMs?: number;
  /** Silence after which the connection is dropped and reopened (ms). @defaultValue protocol.staleMs */
  staleMs?: number;
  /** How often an application-level ping is sent when the protocol has one (ms). @defaultValue 10000 */
  pingEveryMs?: number;
  /** Every text frame, in order. */
  onMessage(text: string): void;
  /** The socket is open and subscriptions were sent; `reconnect` is false only for the first open. */
  onOpen(reconnect: boolean): void;
  /** The socket closed (or was dropped as stale). */
  onDown(why: string): void;
  now?: () => number;
}

export class VenueConnection {
  readonly symbols = new Set<string>();
  connected = false;
  messages = 0;
  /** Epoch ms of the last frame or server ping; 0 before any. */
  lastMessageAt = 0;
  reconnects = 0;
  private socket: WebSocket | undefined;
  private attempt = 0;
  private opened = false;
  private stopped = true;
  private retryTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastAppPingAt = 0;
  private readonly now: () => number;

  constructor(private readonly options: ConnectionOptions) {
    this.now = options.now ?? Date.now;
  }

  get venue() {
    return this.options.protocol.venue;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
    this.watchdog = setInterval(() => this.watch(), 500);
    this.watchdog.unref();
  }

  /** Adds symbols; sent at once when connected, else on the next open. */
  add(symbols: readonly string[]): void {
    const fresh = symbols.filter((s) => !this.symbols.has(s));
    for (const s of fresh) this.symbols.add(s);
    if (fresh.length > 0 && this.connected) this.sendAll(this.options.protocol.subscribe(fresh));
  }

  remove(symbols: readonly string[]): void {
    const gone = symbols.filter((s) => this.symbols.delete(s));
    if (gone.length > 0 && this.connected) this.sendAll(this.options.protocol.unsubscribe(gone));
  }

  /** Drops the socket as if the network failed (tests, stale detection); a reconnect follows. */
  drop(why: string): void {
    this.socket?.terminate();
    this.down(why);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdog);
    const socket = this.socket;
    this.socket = undefined;
    this.connected = false;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.terminate();
      });
    }
  }

  private open(): void {
    const socket = new WebSocket(this.options.protocol.url(this.options.baseUrl), {
      perMessageDeflate: false,
    });
    this.socket = socket;
    socket.on('open', () => {
      if (this.socket !== socket) return;
      this.connected = true;
      this.lastMessageAt = this.now();
      if (this.symbols.size > 0) this.sendAll(this.options.protocol.subscribe([...this.symbols]));
      const reconnect = this.opened;
      this.opened = true;
      if (reconnect) this.reconnects++;
      this.options.onOpen(reconnect);
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.socket !== socket || isBinary) return;
      this.messages++;
      this.lastMessageAt = this.now();
      this.attempt = 0;
      this.options.onMessage(data.toString());
    });
    // `ws` answers server pings itself; a ping still proves the link is alive (not that data flows).
    socket.on('ping', () => {
      if (this.socket === socket) this.lastMessageAt = Math.max(this.lastMessageAt, this.now() - 1);
    });
    socket.on('close', () => {
      if (this.socket === socket) this.down('closed by the venue');
    });
    socket.on('error', (err: Error) => {
      if (this.socket === socket) this.down(err.message);
    });
  }

  private down(why: string): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.removeAllListeners('message');
    socket?.on('error', () => undefined);
    if (socket && socket.readyState === WebSocket.OPEN) socket.terminate();
    const was = this.connected;
    this.connected = false;
    if (was || this.opened) this.options.onDown(why);
    if (this.stopped) return;
    const cap = Math.min(
      this.options.backoffMaxMs ?? 30_000,
      (this.options.backoffInitialMs ?? 500) * 2 ** Math.min(this.attempt, 16),
    );
    this.attempt++;
    // Full jitter: processes that lost the venue together do not come back together.
    const delay = Math.floor(this.options.random() * cap);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.open();
    }, delay);
  }

  private watch(): void {
    if (!this.connected) return;
    const now = this.now();
    const stale = this.options.staleMs ?? this.options.protocol.staleMs;
    // Data silence, not ping silence: a venue that pongs but sends nothing is a silent hole.
    if (now - this.lastMessageAt > stale) {
      this.drop(`no message for ${now - this.lastMessageAt} ms`);
      return;
    }
    const ping = this.options.protocol.ping;
    if (ping !== undefined && now - this.lastAppPingAt >= (this.options.pingEveryMs ?? 10_000)) {
      this.lastAppPingAt = now;
      this.socket?.send(ping);
    }
  }

  private sendAll(messages: readonly string[]): void {
    for (const m of messages) this.socket?.send(m);
  }
}
