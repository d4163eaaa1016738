/**
 * Test helpers for connectors: a real HTTP server on 127.0.0.1 (port 0) that replays provider payloads, and a
 * virtual clock whose `sleep` advances time instantly so rate limits and backoff cost no wall time.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../rate-limit.ts';

export interface Reply {
  /** @defaultValue 200 */
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Wait this long (real ms) before answering: for timeout tests. */
  delayMs?: number;
}

interface SeenRequest {
  url: URL;
  headers: IncomingHttpHeaders;
}

export type Handler = (request: SeenRequest, index: number) => Reply | Promise<Reply>;

export interface Loopback {
  baseUrl: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function startLoopback(handler: Handler): Promise<Loopback> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const seen: SeenRequest = { url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers };
    requests.push(seen);
    Promise.resolve(handler(seen, requests.length - 1))
      .then(async (reply) => {
        if (reply.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
        if (res.destroyed) return;
        const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? null);
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        res.end(text);
      })
      .catch((err: unknown) => {
        res.writeHead(599, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs `fn` against a loopback server answering with `handler`, closing the server afterwards. */
export async function withLoopback<T>(handler: Handler, fn: (server: Loopback) => Promise<T>): Promise<T> {
  const server = await startLoopback(handler);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

/** A clock starting at `start` whose sleeps advance it at once; `sleeps` records each requested wait. */
export function virtualClock(
  start = Date.UTC(2024, 0, 1),
): Clock & { sleeps: number[]; advance(ms: number): void } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      now += Math.max(0, ms);
    },
  };
}

/** A seeded uniform [0, 1) generator (mulberry32) for deterministic jitter. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
