/**
 * What a venue's order-update WebSocket does whatever the venue: connect, confirm a handshake in time, keep
 * the socket alive with pings (no pong by the next ping drops it), and come back after a drop with
 * exponential backoff and full jitter (after a refused handshake, after `authRetryMs`). The venue's class
 * says what to send on open and what its frames mean, and calls `live` when the handshake is confirmed.
 */
import WebSocket from 'ws';

export type VenueStreamState = 'off' | 'connecting' | 'live' | 'down' | 'unauthorized';

/** A frame's text, whether the venue sent it as text or binary. */
export function frameText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

export interface VenueStreamOptions {
  url: string;
  /** First reconnect delay cap (ms). @defaultValue 500 */
  backoffInitialMs?: number;
  /** Largest reconnect delay cap (ms). @defaultValue 30000 */
  backoffMaxMs?: number;
  /** Wait after a refused handshake before trying again (ms). @defaultValue 60000 */
  authRetryMs?: number;
  /** The handshake must be confirmed within this time of opening (ms). @defaultValue 10000 */
  handshakeMs?: number;
  /** WebSocket ping interval; no pong by the next ping drops the socket (ms). @defaultValue 20000 */
  pingMs?: number;
  /** Uniform [0, 1) source for the backoff jitter. @defaultValue Math.random */
  random?: () => number;
  /** Every change of state; `why` says what ended a connection (never carries keys). */
  onState(state: VenueStreamState, why?: string): void;
}

export abstract class VenueStream {
  state: VenueStreamState = 'off';
  /** Times the stream became live again after having been live. */
  reconnects = 0;
  private socket: WebSocket | undefined;
  private attempt = 0;
  private wasLive = false;
  private stopped = true;
  private retryTimer: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly base: VenueStreamOptions,
    /** What a handshake that is not confirmed in time is called when the socket is dropped for it. */
    private readonly handshakeName: string,
  ) {}

  /** Sends the venue's handshake on a socket that just opened. */
  protected abstract onOpen(socket: WebSocket): void;
  /** One frame's text from the current socket. */
  protected abstract onText(socket: WebSocket, text: string): void;

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.clearTimers();
    const socket = this.socket;
    this.socket = undefined;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.terminate();
      });
    }
    this.setState('off');
  }

  private open(): void {
    this.setState('connecting');
    const socket = new WebSocket(this.base.url, { perMessageDeflate: false });
    this.socket = socket;
    this.handshakeTimer = setTimeout(
      () => this.down(socket, `no ${this.handshakeName} in time`),
      this.base.handshakeMs ?? 10_000,
    );
    socket.on('open', () => {
      if (this.socket === socket) this.onOpen(socket);
    });
    socket.on('message', (data: WebSocket.RawData) => {
      if (this.socket === socket) this.onText(socket, frameText(data));
    });
    socket.on('close', (code: number) => this.down(socket, `closed by the venue (${code})`));
    socket.on('error', (err: Error) => this.down(socket, err.message));
  }

  /** The handshake on `socket` is confirmed: pings start and the state becomes `live`. */
  protected live(socket: WebSocket): void {
    if (this.state === 'live') return;
    clearTimeout(this.handshakeTimer);
    this.attempt = 0;
    if (this.wasLive) this.reconnects++;
    this.wasLive = true;
    this.startPings(socket);
    this.setState('live');
  }

  private startPings(socket: WebSocket): void {
    let answered = true;
    socket.on('pong', () => {
      answered = true;
    });
    this.pingTimer = setInterval(() => {
      if (!answered) {
        this.down(socket, 'no pong to the last ping');
        return;
      }
      answered = false;
      socket.ping();
    }, this.base.pingMs ?? 20_000);
    this.pingTimer.unref();
  }

  private clearTimers(): void {
    clearTimeout(this.handshakeTimer);
    clearInterval(this.pingTimer);
  }

  /** Ends `socket` (once) and schedules the next connection; `refused` waits `authRetryMs`. */
  protected down(socket: WebSocket, why: string, refused = false): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.clearTimers();
    socket.removeAllListeners('message');
    socket.on('error', () => undefined);
    if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
    if (this.stopped) return;
    this.setState(refused ? 'unauthorized' : 'down', why);
    let delay: number;
    if (refused) delay = this.base.authRetryMs ?? 60_000;
    else {
      const cap = Math.min(
        this.base.backoffMaxMs ?? 30_000,
        (this.base.backoffInitialMs ?? 500) * 2 ** Math.min(this.attempt, 16),
      );
      // Full jitter: processes that lost the venue together do not come back together.
      delay = Math.floor((this.base.random ?? Math.random)() * cap);
    }
    this.attempt++;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.open();
    }, delay);
    this.retryTimer.unref();
  }

  private setState(state: VenueStreamState, why?: string): void {
    if (state === this.state) return;
    this.state = state;
    this.base.onState(state, why);
  }
}
