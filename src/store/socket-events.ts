import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { UnavailableError } from '../core/errors.ts';
import type { NotificationHub } from './socket-notify.ts';

/**
 * The event relay: a loopback TCP side channel of the embedded owner that forwards notifications to
 * client processes (their Postgres connections through the socket never receive them asynchronously).
 * Newline-delimited JSON. Client → owner: `{op: 'listen' | 'unlisten', id, channel}`; owner → client:
 * `{op: 'ack', id}`, `{op: 'error', id, message}`, `{op: 'notify', channel, payload}`. Sending NOTIFY stays
 * plain SQL (`pg_notify`) through the Postgres socket.
 */

type RelayRequest = { op: 'listen' | 'unlisten'; id: number; channel: string };
type RelayMessage =
  | { op: 'ack'; id: number }
  | { op: 'error'; id: number; message: string }
  | { op: 'notify'; channel: string; payload: string };

function onLines(socket: Socket, onLine: (line: string) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (data: string) => {
    buffered += data;
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.length > 0) onLine(line);
      nl = buffered.indexOf('\n');
    }
  });
}

function send(socket: Socket, msg: RelayMessage | RelayRequest): void {
  if (socket.writable) socket.write(`${JSON.stringify(msg)}\n`);
}

export interface EventRelayServer {
  port: number;
  stop(): Promise<void>;
}

export async function startEventRelay(hub: NotificationHub, host = '127.0.0.1'): Promise<EventRelayServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const unsubs = new Map<string, () => Promise<void>>();
    const forward = (channel: string) => (payload: string) =>
      send(socket, { op: 'notify', channel, payload });
    onLines(socket, (line) => {
      let req: RelayRequest;
      try {
        req = JSON.parse(line) as RelayRequest;
      } catch {
        socket.destroy();
        return;
      }
      const done = (err?: unknown): void =>
        send(
          socket,
          err === undefined
            ? { op: 'ack', id: req.id }
            : { op: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) },
        );
      if (req.op === 'listen' && !unsubs.has(req.channel)) {
        hub.subscribe(req.channel, forward(req.channel)).then((unsub) => {
          unsubs.set(req.channel, unsub);
          done();
        }, done);
      } else if (req.op === 'unlisten') {
        const unsub = unsubs.get(req.channel);
        unsubs.delete(req.channel);
        (unsub ? unsub() : Promise.resolve()).then(() => done(), done);
      } else done();
    });
    const cleanup = (): void => {
      sockets.delete(socket);
      for (const unsub of unsubs.values()) unsub().catch(() => undefined);
      unsubs.clear();
    };
    socket.on('close', cleanup);
    // A client that vanishes resets the connection; 'close' follows and cleans up.
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface EventRelayClient {
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Connects lazily on the first `listen`. When the owner goes away, later calls fail with UnavailableError. */
export function eventRelayClient(host: string, port: number): EventRelayClient {
  let socket: Socket | null = null;
  let connecting: Promise<Socket> | null = null;
  let gone: Error | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  const channels = new Map<string, Set<(payload: string) => void>>();
  const unavailable = (cause?: unknown): UnavailableError =>
    new UnavailableError(`embedded store owner at ${host}:${port} is not reachable`, { cause });

  const connect = (): Promise<Socket> => {
    if (socket) return Promise.resolve(socket);
    if (gone) return Promise.reject(gone);
    connecting ??= new Promise<Socket>((resolve, reject) => {
      const s = createConnection({ host, port });
      s.once('connect', () => {
        socket = s;
        resolve(s);
      });
      s.on('error', (err) => {
        if (!socket) reject(unavailable(err));
      });
      s.on('close', () => {
        gone = unavailable();
        socket = null;
        for (const p of pending.values()) p.reject(gone);
        pending.clear();
      });
      onLines(s, (line) => {
        const msg = JSON.parse(line) as RelayMessage;
        if (msg.op === 'notify') {
          for (const fn of channels.get(msg.channel) ?? []) fn(msg.payload);
          return;
        }
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.op === 'ack') p?.resolve();
        else p?.reject(new Error(msg.message));
      });
    }).finally(() => {
      connecting = null;
    });
    return connecting;
  };

  const request = async (op: RelayRequest['op'], channel: string): Promise<void> => {
    const s = await connect();
    const id = nextId++;
    await new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      send(s, { op, id, channel });
    });
  };

  return {
    async listen(channel, onPayload) {
      let set = channels.get(channel);
      if (!set) {
        set = new Set();
        channels.set(channel, set);
      }
      set.add(onPayload);
      if (set.size === 1) await request('listen', channel);
      return async () => {
        const current = channels.get(channel);
        if (!current?.delete(onPayload) || current.size > 0) return;
        channels.delete(channel);
        if (socket) await request('unlisten', channel);
      };
    },
    async close() {
      const s = socket;
      gone = unavailable();
      socket = null;
      if (s) await new Promise<void>((resolve) => s.end(() => resolve()));
    },
  };
}
