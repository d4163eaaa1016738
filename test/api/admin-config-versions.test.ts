import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createToken } from '../../src/api/auth.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { baseRate } from '../../src/config/domain.ts';
import { ConfigStore } from '../../src/config/store.ts';
import type { Db } from '../../src/store/db.ts';
import { eventually } from '../config/eventually.ts';
import { MIGRATED_BACKENDS as BACKENDS, type TestStore } from '../store/backends.ts';

const SECRET = 'test-secret-0123456789abcdef-0123456789';
const settings = { jwtSecret: SECRET, corsOrigins: [] };

const backend = BACKENDS.find((b) => b.name === 'pglite');

describe('admin config versions API (PGlite)', () => {
  let ts: TestStore;
  let otherDb: Db;
  let store: ConfigStore;
  let remote: ConfigStore;
  let app: FastifyInstance;
  let admin: string;
  let viewer: string;
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });

  beforeAll(async () => {
    if (!backend) throw new Error('no pglite backend');
    ts = await backend.open();
    otherDb = await ts.other();
    store = await ConfigStore.open({ db: ts.db });
    remote = await ConfigStore.open({ db: otherDb });
    app = buildApp({ cache: new MemoryCache(), db: ts.db, settings, config: store });
    await app.ready();
    admin = await createToken({ secret: SECRET, user: 'alice', role: 'admin', ttlSeconds: 600 });
    viewer = await createToken({ secret: SECRET, user: 'victor', role: 'viewer', ttlSeconds: 600 });
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await remote?.close();
    await otherDb?.close();
    await ts?.drop();
  });

  it('change set, history, diff and rollback; viewers may read but not write', async () => {
    const changes = [
      { category: 'pricing', key: 'base_rate_USDC', value: 0.05 },
      { category: 'pricing', key: 'base_rate_DAI', value: 0.06 },
    ];
    const denied = await app.inject({
      method: 'POST',
      url: '/admin/config/changes',
      headers: auth(viewer),
      payload: { changes, reason: 'x' },
    });
    expect(denied.statusCode).toBe(403);
    const applied = await app.inject({
      method: 'POST',
      url: '/admin/config/changes',
      headers: auth(admin),
      payload: { changes, reason: 'two at once' },
    });
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json().version).toMatchObject({
      id: 1,
      kind: 'change',
      who: 'alice',
      reason: 'two at once',
    });
    expect(applied.json().version.changes).toHaveLength(2);

    const bad = await app.inject({
      method: 'POST',
      url: '/admin/config/changes',
      headers: auth(admin),
      payload: { changes: [{ category: 'pricing', key: 'base_rate_USDC', value: 'abc' }], reason: 'x' },
    });
    expect([bad.statusCode, bad.json().error]).toEqual([400, 'invalid_input']);

    const history = await app.inject({
      url: '/admin/config/versions?category=pricing&key=base_rate_DAI',
      headers: auth(viewer),
    });
    expect(history.json().versions.map((v: { id: number }) => v.id)).toEqual([1]);

    const diff = await app.inject({ url: '/admin/config/diff?from=0&to=1', headers: auth(viewer) });
    expect(
      diff.json().changes.map((d: { key: string; from: number; to: number }) => [d.key, d.from, d.to]),
    ).toEqual([
      ['base_rate_DAI', 0.05, 0.06],
      ['base_rate_USDC', 0.04, 0.05],
    ]);

    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/admin/config/rollback',
          headers: auth(viewer),
          payload: { to: 0, reason: 'x' },
        })
      ).statusCode,
    ).toBe(403);
    const rb = await app.inject({
      method: 'POST',
      url: '/admin/config/rollback',
      headers: auth(admin),
      payload: { to: 0, reason: 'undo' },
    });
    expect(rb.statusCode, rb.body).toBe(200);
    expect(rb.json().version).toMatchObject({ id: 2, kind: 'rollback', rolled_back_to: 0 });
    expect(baseRate('USDC', store)).toBe(0.04);
    await eventually(() => baseRate('DAI', remote) === 0.05, 1000, 'the rollback to reach another store');
    const missing = await app.inject({
      method: 'POST',
      url: '/admin/config/rollback',
      headers: auth(admin),
      payload: { to: 99, reason: 'x' },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('audit verify and export need the admin role and report the chain', async () => {
    expect((await app.inject({ url: '/admin/audit/verify', headers: auth(viewer) })).statusCode).toBe(403);
    const v = await app.inject({ url: '/admin/audit/verify', headers: auth(admin) });
    expect(v.json()).toMatchObject({ ok: true, entries: 2 });
    const x = await app.inject({ url: '/admin/audit/export?format=csv', headers: auth(admin) });
    expect(x.statusCode).toBe(200);
    expect(x.headers['x-audit-head-hash']).toBe(v.json().head_hash);
    expect(x.body.trim().split('\n')).toHaveLength(4); // header, 2 entries, head line
  });

  it('starts a canary, reports it side by side, and rolls it back', async () => {
    const start = await app.inject({
      method: 'POST',
      url: '/admin/config/changes',
      headers: auth(admin),
      payload: {
        changes: [{ category: 'pricing', key: 'base_rate_USDT', value: 0.08 }],
        reason: 'try',
        canary: '50%',
      },
    });
    expect(start.statusCode, start.body).toBe(200);
    const id = start.json().canary.id as number;
    const status = await app.inject({ url: '/admin/config/canaries?report=true', headers: auth(viewer) });
    const [c] = status.json().canaries;
    expect(c).toMatchObject({ id, target: { percent: 50 }, status: 'active' });
    // USDT cover of $1M for 30 days: the premium scales with the base rate (0.06 → 0.08)
    const [q] = c.report.quotes;
    expect(q.asset).toBe('USDT');
    expect(q.new_premium).toBeGreaterThan(q.old_premium);
    const rb = await app.inject({
      method: 'POST',
      url: `/admin/config/canaries/${id}/rollback`,
      headers: auth(admin),
      payload: { reason: 'no' },
    });
    expect(rb.json().canary.status).toBe('rolled_back');
  });
});
