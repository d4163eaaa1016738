import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createToken } from '../../src/api/auth.ts';
import { type RunningServer, startServer } from '../../src/api/server.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { type ConfigLog, ConfigStore } from '../../src/config/store.ts';
import type { Db } from '../../src/store/db.ts';
import { eventually } from '../config/eventually.ts';
import {
  MIGRATED_BACKENDS as BACKENDS,
  blockDatabase,
  type TestStore,
  unblockDatabase,
} from '../store/backends.ts';

const SECRET = 'outage-secret-0123456789abcdef-0123456789';

/** Keeps what the store logs, to count outage warnings. */
function recordingLog(): ConfigLog & { warns: string[]; infos: string[] } {
  const warns: string[] = [];
  const infos: string[] = [];
  return { warns, infos, warn: (_o, msg) => warns.push(msg ?? ''), info: (_o, msg) => infos.push(msg ?? '') };
}

const postgres = BACKENDS.find((b) => b.name === 'postgres');

describe('database outage under a running server (PostgreSQL: connections blocked and terminated)', () => {
  let ts: TestStore;
  let otherDb: Db;
  let store: ConfigStore;
  let remote: ConfigStore;
  let app: FastifyInstance;
  let server: RunningServer;
  let headers: Record<string, string>;
  const log = recordingLog();

  beforeAll(async () => {
    if (!postgres) throw new Error('the postgres backend is not configured');
    ts = await postgres.open();
    otherDb = await ts.other();
    // short TTL and retry so the test sees the outage and the recovery quickly
    store = await ConfigStore.open({ db: ts.db, ttlMs: 300, retryMs: 200, log });
    remote = await ConfigStore.open({ db: otherDb, ttlMs: 300, retryMs: 200 });
    app = buildApp({
      cache: new MemoryCache(),
      db: ts.db,
      settings: { jwtSecret: SECRET, corsOrigins: [] },
      config: store,
    });
    server = await startServer(app, { port: 0 });
    const token = await createToken({ secret: SECRET, user: 'ops', role: 'admin', ttlSeconds: 600 });
    headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  });

  afterAll(async () => {
    if (ts?.name) await unblockDatabase(ts.name).catch(() => undefined);
    await server?.close();
    await store?.close();
    await remote?.close();
    await otherDb?.close();
    await ts?.drop();
  });

  const put = (value: unknown) =>
    fetch(`${server.url}/admin/config/pricing/base_rate_USDC`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ value, reason: 'outage drill' }),
    });

  it('reads answer from the cache, writes give 503, and recovery is automatic', async () => {
    expect((await put(0.041)).status).toBe(200);
    await eventually(
      () => remote.getFloat('pricing', 'base_rate_USDC') === 0.041,
      1000,
      'the pre-outage change',
    );

    await blockDatabase(ts.name ?? '');
    await eventually(() => store.degraded, 10_000, 'the store to notice the outage');

    const one = await fetch(`${server.url}/admin/config/pricing/base_rate_USDC`, { headers });
    expect([one.status, (await one.json()).value]).toEqual([200, 0.041]);
    const list = await fetch(`${server.url}/admin/config`, { headers });
    expect(list.status).toBe(200);
    expect(await list.json()).toMatchObject({ degraded: true, source: 'database' });
    expect(store.getFloat('pricing', 'base_rate_USDC')).toBe(0.041);
    // a store that starts during the outage serves the built-in defaults, with one warning
    const coldLog = recordingLog();
    const cold = await ConfigStore.open({ db: otherDb, live: false, log: coldLog });
    expect([cold.stats().source, cold.degraded, cold.getFloat('pricing', 'base_rate_USDC')]).toEqual([
      'defaults',
      true,
      0.04,
    ]);
    expect(coldLog.warns).toHaveLength(1);
    await cold.close();

    const write = await put(0.06);
    expect(write.status).toBe(503);
    expect(await write.json()).toMatchObject({ error: 'unavailable' });
    const reload = await fetch(`${server.url}/admin/config/reload`, {
      method: 'POST',
      headers: { authorization: headers.authorization ?? '' },
    });
    expect(reload.status).toBe(503);
    const audit = await fetch(`${server.url}/admin/config/audit`, { headers });
    expect(audit.status).toBe(503);
    const health = await fetch(`${server.url}/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', config: { degraded: true } });

    // several failed reloads, one warning
    await eventually(() => store.stats().reload_failures >= 3, 10_000, 'repeated reload attempts');
    expect(log.warns.filter((w) => w.includes('database unavailable'))).toHaveLength(1);

    await unblockDatabase(ts.name ?? '');
    const ms = await eventually(() => !store.degraded, 5000, 'automatic recovery');
    expect(ms).toBeLessThan(5000);
    expect(log.infos.some((i) => i.includes('answers again'))).toBe(true);

    // writes work again and reach the other process through a re-established LISTEN
    await eventually(
      () => !remote.degraded && remote.stats().listening,
      10_000,
      'the other store to recover',
    );
    const after = await put(0.043);
    expect(after.status).toBe(200);
    await eventually(
      () => remote.getFloat('pricing', 'base_rate_USDC') === 0.043,
      1000,
      'the post-outage change',
    );
    expect(log.warns.filter((w) => w.includes('database unavailable'))).toHaveLength(1);
  });
});
