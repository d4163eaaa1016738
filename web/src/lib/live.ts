/**
 * A WebSocket that reconnects by itself (1 s, 2 s, 4 s … up to 30 s) and re-sends its subscription after
 * every reconnect. Used for `/ws/prices` (subscribe to symbols) and `/ws/monitor` (everything).
 */

import type { PriceMessage } from '../../../src/api/contract/watchlist.ts';

export type LiveState = 'connecting' | 'open' | 'closed';

export interface LiveOptions {
  path: string;
  onMessage: (msg: Record<string, unknown>) => void;
  onState?: (state: LiveState) => void;
  /** Sent on every (re)connect, e.g. the subscription. */
  hello?: () => unknown[];
}

export interface Live {
  send(msg: unknown): void;
  close(): void;
}

function wsUrl(path: string): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${path}`;
}

export function openLive(opts: LiveOptions): Live {
  let ws: WebSocket | null = null;
  let closed = false;
  let delay = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = (): void => {
    opts.onState?.('connecting');
    const sock = new WebSocket(wsUrl(opts.path));
    ws = sock;
    sock.onopen = () => {
      delay = 1000;
      opts.onState?.('open');
      for (const m of opts.hello?.() ?? []) sock.send(JSON.stringify(m));
    };
    sock.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      try {
        const msg = JSON.parse(ev.data) as unknown;
        if (Array.isArray(msg)) {
          for (const m of msg) if (m && typeof m === 'object') opts.onMessage(m as Record<string, unknown>);
        } else if (msg && typeof msg === 'object') opts.onMessage(msg as Record<string, unknown>);
      } catch {
        // Not JSON (a text heartbeat): nothing to show.
      }
    };
    sock.onclose = () => {
      opts.onState?.('closed');
      if (closed) return;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30_000);
    };
  };
  connect();
  return {
    send(msg) {
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
    },
    close() {
      closed = true;
      clearTimeout(timer);
      ws?.close(1000);
    },
  };
}

/**
 * A `/ws/prices` price message (the contract's `PriceMessage`: `{type: 'price', symbol, price, ts, source}`,
 * `snapshot: true` on the cached prices sent on subscribe), or null for any other message.
 */
export function asPriceTick(msg: Record<string, unknown>): PriceMessage | null {
  if (msg.type !== 'price' || typeof msg.symbol !== 'string' || typeof msg.price !== 'number') return null;
  return {
    type: 'price',
    symbol: msg.symbol,
    price: msg.price,
    ts: typeof msg.ts === 'string' ? msg.ts : '',
    source: typeof msg.source === 'string' ? msg.source : '',
    snapshot: msg.snapshot === true,
  };
}
