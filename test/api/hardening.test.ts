import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildApp } from '../../src/api/app.ts';
import { createToken, jwtKey, MAX_TOKEN_TTL_SECONDS } from '../../src/api/auth.ts';
import type { AppDeps, RouteModule } from '../../src/api/deps.ts';
import { toErrorResponse } from '../../src/api/errors.ts';
import { ROUTES } from '../../src/api/routes/index.ts';
import { startServer } from '../../src/api/server.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { ConfigStore } from '../../src/config/store.ts';
import { UnavailableError } from '../../src/core/errors.ts';
import type { Logger } from '../../src/core/log.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { createTempDatabase } from '../store/backends.ts';
import { runMain } from '../support/cli.ts';

const SECRET = 'hardening-secret-0123456789abcdef-0123';
const KEY = 'k-hardening-1';

/** A pino logger at `level` whose lines are kept (parsed) in `lines`. */
function memoryLogger(level: string): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { log: pino({ level }, sink), lines };
}

const boom: RouteModule = {
  name: 'boom',
  plugin: async (app) => {
    app.get('/boom', async () => {
      throw new Error('kaput');
    });
  },
};

describe('API hardening (issue 25, item 4)', () => {
  let db: Db;
  let config: ConfigStore;
  const made: Array<{ close(): Promise<unknown> }> = [];
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    config = await ConfigStore.open({ db, live: false });
  }, 60_000);
  afterAll(async () => {
    for (const m of made) await m.close();
    await config?.close();
    await db?.close();
  });

  const app = (over: Partial<AppDeps> = {}) => {
    const a = buildApp({
      cache: new MemoryCache(),
      db,
      config,
      settings: { corsOrigins: [], apiKeys: [KEY], jwtSecret: SECRET },
      routes: [...ROUTES, boom],
      ...over,
    });
    made.push(a);
    return a;
  };
  const bearer = async (role: 'admin' | 'viewer') =>
    `Bearer ${await createToken({ secret: SECRET, user: 'u', role })}`;

  it('logs every 5xx at error level with the request id, with request logging off', async () => {
    const { log, lines } = memoryLogger('warn');
    const res = await app({ logger: false, errorLog: log }).inject({
      url: '/boom',
      headers: { 'x-api-key': KEY },
    });
    expect(res.statusCode).toBe(500);
    const line = lines.find((l) => l.level === 50);
    expect(line, JSON.stringify(lines)).toMatchObject({
      reqId: expect.any(String),
      status: 500,
      url: '/boom',
    });
    expect(String(line?.msg)).toContain('kaput');
  });

  it('answers a 5,000-deep job payload with 400, not a silent 500', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const res = await app().inject({
      method: 'POST',
      url: '/api/jobs/analytics/run',
      headers: { authorization: await bearer('admin'), 'content-type': 'application/json' },
      payload: `{"payload":${deep}}`,
    });
    expect([res.statusCode, res.json().error]).toEqual([400, 'invalid_input']);
    expect(res.json().message).toContain('nested deeper than 64');
  });

  it('accepts API keys only in the header on REST routes and redacts ?api_key= from request logs', async () => {
    const { log, lines } = memoryLogger('debug');
    const a = app({ logger: log });
    const inQuery = await a.inject({ url: `/api/monitor/coverage?api_key=${KEY}` });
    expect([inQuery.statusCode, inQuery.json().message]).toEqual([
      401,
      'send the API key in the x-api-key header (?api_key= is only for WebSockets)',
    ]);
    expect((await a.inject({ url: '/api/monitor/coverage', headers: { 'x-api-key': KEY } })).statusCode).toBe(
      200,
    );
    const text = JSON.stringify(lines);
    expect(text).toContain('api_key=[redacted]');
    expect(text).not.toContain(KEY);
  });

  it('requires a role for schema lists and table stats when auth is configured', async () => {
    const a = app();
    for (const url of [
      '/api/monitor/schemas',
      '/api/monitor/stats/config',
      '/api/monitor/symbols/market_data',
    ]) {
      const anon = await a.inject({ url, headers: { 'x-api-key': KEY } });
      expect(anon.statusCode, url).toBe(401);
      const viewer = await a.inject({
        url,
        headers: { 'x-api-key': KEY, authorization: await bearer('viewer') },
      });
      expect(viewer.statusCode, url).toBe(200);
    }
    // without JWT_SECRET (local use) they stay open like every data route
    const open = app({ settings: { corsOrigins: [], apiKeys: [] }, adminApi: false });
    expect((await open.inject({ url: '/api/monitor/stats/config' })).statusCode).toBe(200);
  });

  it('30 bad tokens from one address slow that address down but never lock out a valid token', async () => {
    const a = app();
    const bad = { authorization: 'Bearer not.a.token' };
    for (let i = 0; i < 30; i++)
      expect((await a.inject({ url: '/admin/config', headers: bad })).statusCode).toBe(401);
    expect((await a.inject({ url: '/admin/config', headers: bad })).statusCode).toBe(429);
    const good = await a.inject({ url: '/admin/config', headers: { authorization: await bearer('viewer') } });
    expect(good.statusCode).toBe(200);
  });

  it('refuses tokens living longer than 30 days or lacking iat, and token create --ttl over 30d', async () => {
    const a = app();
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: { iat?: number; exp: number }) => {
      const jwt = new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('u');
      jwt.setIssuer('marketpipe').setExpirationTime(claims.exp);
      if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
      return jwt.sign(jwtKey(SECRET));
    };
    const call = async (token: string) =>
      (await a.inject({ url: '/admin/config', headers: { authorization: `Bearer ${token}` } })).statusCode;
    expect(await call(await sign({ iat: now, exp: now + MAX_TOKEN_TTL_SECONDS }))).toBe(200);
    expect(await call(await sign({ iat: now, exp: now + 365 * 86_400 }))).toBe(401);
    expect(await call(await sign({ exp: now + 3600 }))).toBe(401);
    await expect(
      createToken({ secret: SECRET, user: 'u', role: 'admin', ttlSeconds: 31 * 86_400 }),
    ).rejects.toThrow('ttl must be at most 30d');
    const cli = await runMain(['token', 'create', '--user', 'u', '--role', 'admin', '--ttl', '90d'], {
      JWT_SECRET: SECRET,
    });
    expect([cli.code, cli.err.trim()]).toEqual([2, 'marketpipe: --ttl: at most 30d, got 90d']);
  });

  it('closes a WebSocket that floods subscribes (1008) after a bounded answer', async () => {
    const a = app({ settings: { corsOrigins: [], apiKeys: [] }, adminApi: false });
    const server = await startServer(a, { port: 0 });
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws/prices`);
    let received = 0;
    ws.on('message', (raw) => {
      received += (raw as Buffer).length;
    });
    await new Promise((r) => ws.once('open', r));
    // ~51 KB of subscribes, each adding one symbol (each answer lists every followed symbol)
    let sent = 0;
    for (let i = 0; sent < 51_000; i++) {
      const msg = JSON.stringify({ op: 'subscribe', symbols: [`S${String(i).padStart(5, '0')}`] });
      ws.send(msg);
      sent += msg.length;
    }
    const code = await new Promise<number>((r) => ws.once('close', (c) => r(c)));
    expect(code).toBe(1008);
    expect(received).toBeLessThan(64 * 1024); // it was 16.9 MB
  });
});

describe('database outages answer 503 and show in /health', () => {
  it('maps an exhausted pool to 503 unavailable', async () => {
    const tmp = await createTempDatabase('pool');
    const db = await openPostgres(tmp.url, { max: 1, connectTimeoutMs: 300 });
    try {
      let release: () => void = () => undefined;
      const held = db.transaction(() => new Promise<void>((r) => (release = r)));
      await new Promise((r) => setTimeout(r, 100));
      const err = await db.query('SELECT 1').then(
        () => null,
        (e: unknown) => e,
      );
      release();
      await held;
      expect(err).toBeInstanceOf(UnavailableError);
      expect(toErrorResponse(err).status).toBe(503);
    } finally {
      await db.close();
      await tmp.drop();
    }
  });

  it('/health reports the store down (config degraded) while PostgreSQL does not answer', async () => {
    const tmp = await createTempDatabase('health');
    const db = await openPostgres(tmp.url, { connectTimeoutMs: 500 });
    await migrate(db);
    const config = await ConfigStore.open({ db, live: false });
    const a = buildApp({
      cache: new MemoryCache(),
      db,
      config,
      settings: { corsOrigins: [] },
      adminApi: false,
    });
    try {
      expect((await a.inject({ url: '/health' })).json()).toMatchObject({
        config: { degraded: false },
        db: { ok: true },
      });
      await tmp.drop(); // the database goes away under the running app (WITH FORCE ends its connections)
      await new Promise((r) => setTimeout(r, 1100)); // past the probe's reuse window
      const t0 = performance.now();
      const down = await a.inject({ url: '/health' });
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(down.statusCode).toBe(200);
      expect(down.json()).toMatchObject({ status: 'ok', config: { degraded: true }, db: { ok: false } });
    } finally {
      await a.close();
      await config.close();
      await db.close().catch(() => undefined);
    }
  });
});
