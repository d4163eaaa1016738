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
import type WebSocket from 'ws';
import { z } from 'zod';
import { VenueStream, type VenueStreamOptions } from './venue-stream.ts';

/** The stream's URL for a trading endpoint: same host, `ws`/`wss` for `http`/`https`, path `/stream`. */
export function alpacaStreamUrl(baseUrl: string): string {
  const u = new URL(baseUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = '/stream';
  u.search = '';
  u.hash = '';
  return u.toString();
}

const envelopeSchema = z.object({ stream: z.string(), data: z.unknown() });
const authorizationSchema = z.object({ status: z.string(), action: z.string().optional() });
const listeningSchema = z.object({ streams: z.array(z.string()) });

export interface AlpacaStreamOptions extends VenueStreamOptions {
  apiKey: string;
  apiSecret: string;
  /** The `data` of one `trade_updates` message (validated by the owner). */
  onTradeUpdate(data: unknown): void;
}

export class AlpacaTradeStream extends VenueStream {
  constructor(private readonly opts: AlpacaStreamOptions) {
    super(opts, 'authorization and listen confirmation');
  }

  protected onOpen(socket: WebSocket): void {
    socket.send(JSON.stringify({ action: 'auth', key: this.opts.apiKey, secret: this.opts.apiSecret }));
  }

  protected onText(socket: WebSocket, text: string): void {
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
        this.live(socket);
        return;
      }
      case 'trade_updates':
        if (this.state === 'live') this.opts.onTradeUpdate(msg.data);
        return;
      default:
        return;
    }
  }
}
