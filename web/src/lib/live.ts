/**
 * A WebSocket that reconnects by itself (1 s, 2 s, 4 s … up to 30 s) and re-sends its subscription after
 * every reconnect. Used for `/ws/prices` (subscribe to symbols) and `/ws/monitor` (everything).
 */

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

/** A price update in any of the shapes the server may send: `{symbol, price, ts}` flat or under `data`. */
export interface PriceTick {
  symbol: string;
  price: number;
  ts: string | null;
  change?: number;
}

export function asPriceTick(msg: Record<string, unknown>): PriceTick | null {
  const body = (
    msg.data && typeof msg.data === 'object' ? { ...msg, ...(msg.data as object) } : msg
  ) as Record<string, unknown>;
  const symbol = body.symbol;
  const price = body.price ?? body.close;
  if (typeof symbol !== 'string' || typeof price !== 'number') return null;
  const ts = typeof body.ts === 'string' ? body.ts : null;
  const ch = body.change_24h ?? body.change;
  return { symbol, price, ts, change: typeof ch === 'number' ? ch : undefined };
}
