import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createToken } from '../../src/api/auth.ts';
import { type RunningServer, startServer } from '../../src/api/server.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { paramGetter } from '../../src/config/domain.ts';
import { ConfigStore } from '../../src/config/store.ts';
import { quotePremium } from '../../src/risk/pricing.ts';
import { resolvePricingParams } from '../../src/risk/pricing-params.ts';
import type { Db } from '../../src/store/db.ts';
import { eventually } from '../config/eventually.ts';
import { MIGRATED_BACKENDS as BACKENDS, type TestStore } from '../store/backends.ts';

const SECRET = 'test-secret-0123456789abcdef-0123456789';
const settings = { jwtSecret: SECRET, corsOrigins: [] };

async function token(user: string, role: string, ttlSeconds = 600): Promise<string> {
  return createToken({ secret: SECRET, user, role, ttlSeconds });
}

function b64(o: object): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

/** The premium `marketpipe quote USDC 100000` computes from the parameters a store serves. */
function quoteUsdc(store: ConfigStore): number {
  return quotePremium({ asset: 'USDC', amount: 100_000, days: 30 }, resolvePricingParams(paramGetter(store)))
    .premium;
}

for (const backend of BACKENDS) {
  describe(`admin config API on ${backend.name}`, () => {
    let ts: TestStore;
    let otherDb: Db;
    let store: ConfigStore;
    let remote: ConfigStore;
    let app: FastifyInstance;
    let admin: string;
    let viewer: string;

    beforeAll(async () => {
      ts = await backend.open();
      otherDb = await ts.other();
      store = await ConfigStore.open({ db: ts.db });
      // a store on another connection stands in for another marketpipe process
      remote = await ConfigStore.open({ db: otherDb });
      app = buildApp({ cache: new MemoryCache(), db: ts.db, settings, config: store });
      await app.ready();
      admin = await token('alice', 'admin');
      viewer = await token('victor', 'viewer');
    });

    afterAll(async () => {
      await app?.close();
      await store?.close();
      await remote?.close();
      await otherDb?.close();
      await ts?.drop();
    });

    const auth = (t: string) => ({ authorization: `Bearer ${t}` });

    describe('serving', () => {
      it('answers /health, /docs and JSON 404s', async () => {
        const health = await app.inject({ url: '/health' });
        expect(health.statusCode).toBe(200);
        expect(health.json()).toMatchObject({
          status: 'ok',
          config: { source: 'database', degraded: false },
        });
        const docs = await app.inject({ url: '/docs/json' });
        expect(docs.statusCode).toBe(200);
        expect(Object.keys(docs.json().paths)).toEqual(
          expect.arrayContaining(['/admin/config', '/admin/config/{category}/{key}', '/admin/config/audit']),
        );
        const missing = await app.inject({ url: '/nope' });
        expect([missing.statusCode, missing.json()]).toEqual([
          404,
          { error: 'not_found', message: 'no route GET /nope' },
        ]);
      });
    });

    describe('authentication', () => {
      it('refuses missing, malformed, forged, alg:none and expired tokens with 401', async () => {
        const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'mallory', role: 'admin', iss: 'marketpipe', exp: 9e9 })}.`;
        const forged = await new SignJWT({ role: 'admin' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('mallory')
          .setIssuer('marketpipe')
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
        const hs512 = await new SignJWT({ role: 'admin' })
          .setProtectedHeader({ alg: 'HS512' })
          .setSubject('mallory')
          .setIssuer('marketpipe')
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(SECRET));
        const expired = await createToken({
          secret: SECRET,
          user: 'alice',
          role: 'admin',
          ttlSeconds: 60,
          now: Math.floor(Date.now() / 1000) - 3600,
        });
        const cases: Array<[Record<string, string>, string]> = [
          [{}, 'missing bearer token'],
          [{ authorization: 'Basic abc' }, 'Authorization header must be "Bearer <token>"'],
          [auth('not.a.jwt'), 'invalid token'],
          [auth(none), 'token algorithm not accepted (HS256 only)'],
          [auth(forged), 'invalid token'],
          [auth(hs512), 'token algorithm not accepted (HS256 only)'],
          [auth(expired), 'token expired'],
        ];
        for (const [headers, message] of cases) {
          const res = await app.inject({ url: '/admin/config', headers });
          expect([res.statusCode, res.json()], JSON.stringify(headers)).toEqual([
            401,
            { error: 'unauthorized', message: expect.stringContaining(message) },
          ]);
        }
      });

      it('lets a viewer read and refuses its writes with 403', async () => {
        const list = await app.inject({ url: '/admin/config?category=tranches', headers: auth(viewer) });
        expect(list.statusCode).toBe(200);
        expect(list.json().parameters).toHaveLength(30);
        const one = await app.inject({ url: '/admin/config/pricing/base_rate_DAI', headers: auth(viewer) });
        expect(one.json()).toMatchObject({
          category: 'pricing',
          key: 'base_rate_DAI',
          value_type: 'float',
          value: 0.05,
        });
        const put = await app.inject({
          method: 'PUT',
          url: '/admin/config/pricing/base_rate_DAI',
          headers: auth(viewer),
          payload: { value: 0.06, reason: 'try' },
        });
        expect([put.statusCode, put.json().error]).toEqual([403, 'forbidden']);
        const reload = await app.inject({
          method: 'POST',
          url: '/admin/config/reload',
          headers: auth(viewer),
        });
        expect(reload.statusCode).toBe(403);
      });
    });

    describe('changing pricing.base_rate_USDC', () => {
      it('changes the quote in another process within a second, audited with user, reason and IP', async () => {
        const before = quoteUsdc(remote);
        const res = await app.inject({
          method: 'PUT',
          url: '/admin/config/pricing/base_rate_USDC',
          headers: auth(admin),
          payload: { value: 0.05, reason: 'USDC reserve concerns' },
          remoteAddress: '192.0.2.10',
        });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ old_value: 0.04, new_value: 0.05, applied: true, dry_run: false });
        const ms = await eventually(() => quoteUsdc(remote) !== before, 1000, 'the quote to change');
        // premium scales with the base rate: 0.05 / 0.04 (src/risk/pricing.ts formula)
        expect(quoteUsdc(remote) / before).toBeCloseTo(0.05 / 0.04, 9);
        expect(ms).toBeLessThan(1000);
        const audit = await app.inject({
          url: '/admin/config/audit?key=base_rate_USDC&limit=1',
          headers: auth(viewer),
        });
        expect(audit.json().entries[0]).toMatchObject({
          who: 'alice',
          reason: 'USDC reserve concerns',
          client_ip: '192.0.2.10',
          old_value: 0.04,
          new_value: 0.05,
          applied: true,
          dry_run: false,
        });
      });

      it('a dry run returns what would change and changes nothing', async () => {
        const res = await app.inject({
          method: 'PUT',
          url: '/admin/config/pricing/base_rate_USDC',
          headers: auth(admin),
          payload: { value: 0.09, reason: 'what if', dry_run: true },
        });
        expect(res.json()).toMatchObject({
          old_value: 0.05,
          new_value: 0.09,
          changed: true,
          applied: false,
          dry_run: true,
        });
        const one = await app.inject({ url: '/admin/config/pricing/base_rate_USDC', headers: auth(admin) });
        expect(one.json().value).toBe(0.05);
        await new Promise((r) => setTimeout(r, 100));
        expect(remote.getFloat('pricing', 'base_rate_USDC')).toBe(0.05);
      });

      it('"not_a_number" for a float gives 400 with the reason; schema errors 400 too', async () => {
        const bad = await app.inject({
          method: 'PUT',
          url: '/admin/config/pricing/base_rate_USDC',
          headers: auth(admin),
          payload: { value: 'not_a_number', reason: 'oops' },
        });
        expect([bad.statusCode, bad.json()]).toEqual([
          400,
          { error: 'invalid_input', message: 'pricing.base_rate_USDC must be a float, got "not_a_number"' },
        ]);
        const noReason = await app.inject({
          method: 'PUT',
          url: '/admin/config/pricing/base_rate_USDC',
          headers: auth(admin),
          payload: { value: 0.05 },
        });
        expect([noReason.statusCode, noReason.json().error]).toEqual([400, 'invalid_input']);
        expect(noReason.json().message).toContain('reason');
        expect(noReason.body).not.toContain('    at ');
        const range = await app.inject({
          method: 'PUT',
          url: '/admin/config/risk/monte_carlo_simulations',
          headers: auth(admin),
          payload: { value: 12.5, reason: 'oops' },
        });
        expect(range.json()).toEqual({
          error: 'invalid_input',
          message: 'risk.monte_carlo_simulations must be an int, got 12.5',
        });
      });

      it('creates, reads, deletes; reload and stats answer', async () => {
        const created = await app.inject({
          method: 'POST',
          url: '/admin/config',
          headers: auth(admin),
          payload: {
            category: 'alerts',
            key: 'webhook_timeout_ms',
            value_type: 'int',
            value: 5000,
            reason: 'new knob',
          },
        });
        expect([created.statusCode, created.json().action]).toEqual([201, 'create']);
        const again = await app.inject({
          method: 'POST',
          url: '/admin/config',
          headers: auth(admin),
          payload: {
            category: 'alerts',
            key: 'webhook_timeout_ms',
            value_type: 'int',
            value: 1,
            reason: 'dup',
          },
        });
        expect([again.statusCode, again.json().error]).toEqual([409, 'conflict']);
        await eventually(
          () => remote.find('alerts', 'webhook_timeout_ms') !== undefined,
          1000,
          'the new parameter',
        );
        const del = await app.inject({
          method: 'DELETE',
          url: '/admin/config/alerts/webhook_timeout_ms?reason=cleanup',
          headers: auth(admin),
        });
        expect([del.statusCode, del.json().action]).toEqual([200, 'delete']);
        const gone = await app.inject({
          url: '/admin/config/alerts/webhook_timeout_ms',
          headers: auth(admin),
        });
        expect(gone.statusCode).toBe(404);
        const reload = await app.inject({
          method: 'POST',
          url: '/admin/config/reload',
          headers: auth(admin),
        });
        expect(reload.json()).toMatchObject({ ok: true });
        const stats = await app.inject({ url: '/admin/config/stats', headers: auth(viewer) });
        expect(stats.json()).toMatchObject({
          source: 'database',
          degraded: false,
          listening: true,
          reload_failures: 0,
        });
        expect(stats.json().hit_rate).toBeGreaterThan(0);
      });
    });

    describe('rate limit', () => {
      it('refuses the 101st request in a minute from one user with 429, others unaffected', async () => {
        const burst = await token('burst', 'viewer');
        const codes: number[] = [];
        for (let i = 0; i < 101; i++) {
          codes.push((await app.inject({ url: '/admin/config/stats', headers: auth(burst) })).statusCode);
        }
        expect(codes.slice(0, 100).every((c) => c === 200)).toBe(true);
        expect(codes[100]).toBe(429);
        const last = await app.inject({ url: '/admin/config/stats', headers: auth(burst) });
        expect(last.json()).toMatchObject({ error: 'rate_limited' });
        const other = await app.inject({ url: '/admin/config/stats', headers: auth(viewer) });
        expect(other.statusCode).toBe(200);
      });

      it('slows token guessing: 30 refused tokens from one address, then 429 for that address only', async () => {
        const codes: number[] = [];
        for (let i = 0; i < 31; i++) {
          const res = await app.inject({
            url: '/admin/config',
            headers: auth(`guess${i}`),
            remoteAddress: '198.51.100.9',
          });
          codes.push(res.statusCode);
        }
        expect(codes.slice(0, 30).every((c) => c === 401)).toBe(true);
        expect(codes[30]).toBe(429);
        const elsewhere = await app.inject({
          url: '/admin/config',
          headers: auth(viewer),
          remoteAddress: '198.51.100.10',
        });
        expect(elsewhere.statusCode).toBe(200);
      });
    });

    describe('through a real listening server', () => {
      let server: RunningServer;
      let app2: FastifyInstance;

      beforeAll(async () => {
        app2 = buildApp({ cache: new MemoryCache(), db: ts.db, settings, config: store });
        server = await startServer(app2, { port: 0, host: '127.0.0.1' });
      });
      afterAll(async () => {
        await server?.close();
      });

      it('changes a parameter over HTTP with the socket address in the audit', async () => {
        const res = await fetch(`${server.url}/admin/config/pricing/base_rate_USDC`, {
          method: 'PUT',
          headers: { ...auth(admin), 'content-type': 'application/json' },
          body: JSON.stringify({ value: 0.04, reason: 'back to normal' }),
        });
        expect(res.status).toBe(200);
        await eventually(() => remote.getFloat('pricing', 'base_rate_USDC') === 0.04, 1000, 'the revert');
        const audit = await fetch(`${server.url}/admin/config/audit?limit=1`, { headers: auth(admin) });
        expect((await audit.json()).entries[0]).toMatchObject({
          who: 'alice',
          client_ip: '127.0.0.1',
          new_value: 0.04,
        });
        const unauth = await fetch(`${server.url}/admin/config`, { headers: auth('garbage') });
        expect(unauth.status).toBe(401);
      });
    });
  });
}

describe('admin API start-up', () => {
  it('refuses to start without a JWT_SECRET of at least 32 characters', async () => {
    const store = new ConfigStore({ db: null });
    const db = {} as Db; // never reached: buildApp fails first
    expect(() =>
      buildApp({ cache: new MemoryCache(), db, settings: { corsOrigins: [] }, config: store }),
    ).toThrow('cannot start the admin API: JWT_SECRET is not set; the admin API needs at least 32');
    expect(() =>
      buildApp({
        cache: new MemoryCache(),
        db,
        settings: { jwtSecret: 'short', corsOrigins: [] },
        config: store,
      }),
    ).toThrow('JWT_SECRET is only 5 characters');
    const app = buildApp({
      cache: new MemoryCache(),
      db,
      settings: { corsOrigins: [] },
      config: store,
      adminApi: false,
    });
    const res = await app.inject({ url: '/admin/config' });
    expect([res.statusCode, res.json().error]).toEqual([503, 'admin_disabled']);
    expect(res.json().message).toContain('JWT_SECRET is not set');
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    await app.close();
  });

  it('mounts other admin route modules behind the same token check', async () => {
    const app = buildApp({
      cache: new MemoryCache(),
      db: {} as Db,
      settings,
      config: new ConfigStore({ db: null }),
      routes: [
        {
          name: 'admin-extra',
          admin: true,
          plugin: async (a) => {
            a.get('/admin/extra', async (req) => ({ user: req.user?.user ?? null }));
          },
        },
      ],
    });
    expect((await app.inject({ url: '/admin/extra' })).statusCode).toBe(401);
    const ok = await app.inject({
      url: '/admin/extra',
      headers: { authorization: `Bearer ${await token('zoe', 'viewer')}` },
    });
    expect(ok.json()).toEqual({ user: 'zoe' });
    await app.close();
  });

  it('answers unexpected errors with 500 and no detail or stack', async () => {
    const app = buildApp({
      cache: new MemoryCache(),
      db: {} as Db,
      settings,
      config: new ConfigStore({ db: null }),
      routes: [
        {
          name: 'boom',
          plugin: async (a) => {
            a.get('/boom', async () => {
              throw new Error('secret detail at /etc/passwd');
            });
          },
        },
      ],
    });
    const res = await app.inject({ url: '/boom' });
    expect([res.statusCode, res.json()]).toEqual([500, { error: 'internal', message: 'internal error' }]);
    await app.close();
  });
});
