/**
 * Alpaca's order-event stream (https://docs.alpaca.markets/docs/websocket-streaming): one WebSocket at
 * `/stream` of the trading endpoint. The client sends `{"action":"auth","key","secret"}`, the venue answers on
 * the `authorization` stream (`status: "authorized"` or `"unauthorized"`), the client sends
 * `{"action":"listen","data":{"streams":["trade_updates"]}}` and the venue confirms on the `listening` stream;
 * from then on every order event is a `{"stream":"trade_updates","data":{event, order, …}}` message. The paper
 * endpoint sends **binary** frames (the market-data stream sends text), so both are decoded.
 *
 * The stream says nothing while no order changes (no heartbeat), so liveness is the WebSocket ping: no pong
 * before the next ping drops the socket. A drop reconnects with exponential backoff and full jitter; a refused
 * authorization waits `authRetryMs` before trying again. What happened while the stream was not `live` is the
 * owner's to catch up on (a poll of the open orders), since Alpaca does not replay events.
 */
import WebSocket from 'ws';
import { z } from 'zod';

/** `live`: authorized and listening to `trade_updates`; `unauthorized`: the venue refused the key pair. */
export type AlpacaStreamState = 'off' | 'connecting' | 'live' | 'down' | 'unauthorized';

/** The stream's URL for a trading endpoint: same host, `ws`/`wss` for `http`/`https`, path `/stream`. */
export function alpacaStreamUrl(baseUrl: string): string {
  const u = new URL(baseUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = '/stream';
  u.search = '';
  u.hash = '';
  return u.toString();
}

/** A frame's text, whether the venue sent it as a text or a binary frame. */
export function frameText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

const envelopeSchema = z.object({ stream: z.string(), data: z.unknown() });
const authorizationSchema = z.object({ status: z.string(), action: z.string().optional() });
const listeningSchema = z.object({ streams: z.array(z.string()) });

export interface AlpacaStreamOptions {
  url: string;
  apiKey: string;
  apiSecret: string;
  /** First reconnect delay cap (ms). @defaultValue 500 */
  backoffInitialMs?: number;
  /** Largest reconnect delay cap (ms). @defaultValue 30000 */
  backoffMaxMs?: number;
  /** Wait after a refused authorization before trying again (ms). @defaultValue 60000 */
  authRetryMs?: number;
  /** Authorization and listen must be confirmed within this time of opening (ms). @defaultValue 10000 */
  handshakeMs?: number;
  /** WebSocket ping interval; no pong by the next ping drops the socket (ms). @defaultValue 20000 */
  pingMs?: number;
  /** Uniform [0, 1) source for the backoff jitter. @defaultValue Math.random */
  random?: () => number;
  /** The `data` of one `trade_updates` message (validated by the owner). */
  onTradeUpdate(data: unknown): void;
  /** Every change of state; `why` says what ended a connection (never carries the key pair). */
  onState(state: AlpacaStreamState, why?: string): void;
}

export class AlpacaTradeStream {
  state: AlpacaStreamState = 'off';
  /** Times the stream became live again after having been live. */
  reconnects = 0;
  private socket: WebSocket | undefined;
  private attempt = 0;
  private wasLive = false;
  private stopped = true;
  private retryTimer: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: AlpacaStreamOptions) {}

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
    const socket = new WebSocket(this.opts.url, { perMessageDeflate: false });
    this.socket = socket;
    this.handshakeTimer = setTimeout(
      () => this.down(socket, 'no authorization and listen confirmation in time'),
      this.opts.handshakeMs ?? 10_000,
    );
    socket.on('open', () => {
      if (this.socket !== socket) return;
      socket.send(JSON.stringify({ action: 'auth', key: this.opts.apiKey, secret: this.opts.apiSecret }));
    });
    socket.on('message', (data: WebSocket.RawData) => {
      if (this.socket === socket) this.onFrame(socket, frameText(data));
    });
    socket.on('close', (code: number) => this.down(socket, `closed by the venue (${code})`));
    socket.on('error', (err: Error) => this.down(socket, err.message));
  }

  private onFrame(socket: WebSocket, text: string): void {
    let msg: z.infer<typeof envelopeSchema>;
    try {
      const parsed = envelopeSchema.safeParse(JSON.parse(text));
      if (!parsed.success) return; // not a stream message (nothing else is documented): ignored
      msg = parsed.data;
    } catch {
      this.down(socket, 'a frame that is not JSON');
      return;
    }
    switch (msg.stream) {
      case 'authorization': {
        const a = authorizationSchema.safeParse(msg.data);
        if (a.success && a.data.status === 'authorized') {
          socket.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
        } else {
          this.down(socket, `authorization refused (${a.success ? a.data.status : 'no status'})`, true);
        }
        return;
      }
      case 'listening': {
        const l = listeningSchema.safeParse(msg.data);
        // streams the account may not listen to are left out of the acknowledgement
        if (!l.success || !l.data.streams.includes('trade_updates')) {
          this.down(socket, 'trade_updates not granted', true);
          return;
        }
        if (this.state === 'live') return;
        clearTimeout(this.handshakeTimer);
        this.attempt = 0;
        if (this.wasLive) this.reconnects++;
        this.wasLive = true;
        this.startPings(socket);
        this.setState('live');
        return;
      }
      case 'trade_updates':
        if (this.state === 'live') this.opts.onTradeUpdate(msg.data);
        return;
      default:
        return;
    }
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
    }, this.opts.pingMs ?? 20_000);
    this.pingTimer.unref();
  }

  private clearTimers(): void {
    clearTimeout(this.handshakeTimer);
    clearInterval(this.pingTimer);
  }

  /** Ends `socket` (once) and schedules the next connection. */
  private down(socket: WebSocket, why: string, refused = false): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.clearTimers();
    socket.removeAllListeners('message');
    socket.on('error', () => undefined);
    if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
    if (this.stopped) return;
    this.setState(refused ? 'unauthorized' : 'down', why);
    let delay: number;
    if (refused) delay = this.opts.authRetryMs ?? 60_000;
    else {
      const cap = Math.min(
        this.opts.backoffMaxMs ?? 30_000,
        (this.opts.backoffInitialMs ?? 500) * 2 ** Math.min(this.attempt, 16),
      );
      // Full jitter: processes that lost the venue together do not come back together.
      delay = Math.floor((this.opts.random ?? Math.random)() * cap);
    }
    this.attempt++;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.open();
    }, delay);
    this.retryTimer.unref();
  }

  private setState(state: AlpacaStreamState, why?: string): void {
    if (state === this.state) return;
    this.state = state;
    this.opts.onState(state, why);
  }
}
