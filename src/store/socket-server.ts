import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { SessionGate } from './socket-gate.ts';
import { type NotificationHub, NotificationScanner } from './socket-notify.ts';

/**
 * Serves the owner's PGlite on a loopback Postgres socket (pglite-socket) so other processes and `psql`
 * can use the store. pglite-socket queues protocol messages from all connections onto the one session
 * and, while a client's transaction is open, runs only that client's messages. It knows nothing of the
 * owner's own queries, so the instance it gets is a view of PGlite whose `runExclusive` also takes the
 * session gate (held across a client's whole transaction), and whose raw output stream is scanned for
 * notifications to hand to the hub.
 */

export interface SocketServerOptions {
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @defaultValue 0 */
  port?: number;
  /** Concurrent client connections. @defaultValue 64 */
  maxConnections?: number;
}

export interface EmbeddedSocketServer {
  host: string;
  port: number;
  stop(): Promise<void>;
}

type RawStreamOptions = Parameters<PGlite['execProtocolRawStream']>[1];

function gatedView(pg: PGlite, gate: SessionGate, hub: NotificationHub): PGlite {
  let release: (() => void) | null = null;
  const releaseIfIdle = (): void => {
    if (release && !pg.isInTransaction()) {
      const r = release;
      release = null;
      r();
    }
  };
  const overrides = {
    async runExclusive<T>(fn: () => Promise<T>): Promise<T> {
      if (!release) release = await gate.acquire();
      try {
        return await pg.runExclusive(fn);
      } finally {
        releaseIfIdle();
      }
    },
    // pglite-socket asks this to keep other connections out of a client's transaction; the owner's own
    // transactions are not the socket's business (they hold the gate, so no socket message runs meanwhile).
    isInTransaction(): boolean {
      return release !== null && pg.isInTransaction();
    },
    // Used by pglite-socket only to ROLLBACK the transaction of a client that disconnected.
    async exec(sql: string) {
      if (!release) return gate.run(() => pg.exec(sql));
      try {
        return await pg.exec(sql);
      } finally {
        releaseIfIdle();
      }
    },
    async execProtocolRawStream(message: Uint8Array, options: RawStreamOptions): Promise<void> {
      const scanner = new NotificationScanner((channel, payload) => hub.dispatch(channel, payload));
      return pg.execProtocolRawStream(message, {
        ...options,
        onRawData: (data: Uint8Array) => {
          scanner.push(data);
          options.onRawData(data);
        },
      });
    },
  };
  return new Proxy(pg, {
    get(target, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof typeof overrides];
      const value: unknown = Reflect.get(target, prop, target);
      // PGlite keeps state in #private fields: its methods must run with the real instance as `this`.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export async function startSocketServer(
  pg: PGlite,
  gate: SessionGate,
  hub: NotificationHub,
  opts: SocketServerOptions = {},
): Promise<EmbeddedSocketServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = new PGLiteSocketServer({
    db: gatedView(pg, gate, hub),
    host,
    port: opts.port ?? 0,
    maxConnections: opts.maxConnections ?? 64,
  });
  await server.start();
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  return { host, port, stop: () => server.stop() };
}
