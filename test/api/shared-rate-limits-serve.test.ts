import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEY_RATE_LIMIT } from '../../src/api/api-keys.ts';
import { createToken } from '../../src/api/auth.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { createTempDatabase } from '../store/backends.ts';
import { type ServeProcess, spawnServe } from './serve-process.ts';

/**
 * The serve wiring end to end: two real `marketpipe serve` processes with `--redis` (the machine Redis, as
 * a scaled-out deployment would run them) answer one budget per API key and per admin user between them.
 * Budgets are the defaults: 600 requests/min per key (DEFAULT_KEY_RATE_LIMIT) and 100/min per admin user
 * (AppDeps.adminRateLimit). The key and the user are random, so their windows
 * (`marketpipe:api_rate:…`, expiring after a minute) are this run's alone.
 */
const SECRET = 'test-secret-0123456789abcdef-0123456789';
const API_KEY = `key-${randomBytes(12).toString('hex')}`;
const ADMIN_BUDGET = 100;

/** Sends `n` requests, request i to server i % 2, `batch` at a time; resolves to the count per status. */
async function burst(
  servers: ServeProcess[],
  n: number,
  path: string,
  headers: Record<string, string>,
): Promise<Record<number, number>> {
  const counts: Record<number, number> = {};
  const batch = 20;
  for (let start = 0; start < n; start += batch) {
    const size = Math.min(batch, n - start);
    const codes = await Promise.all(
      Array.from({ length: size }, async (_, j) => {
        const server = servers[(start + j) % servers.length];
        if (!server) throw new Error('no server');
        const res = await fetch(`${server.url}${path}`, { headers });
        await res.body?.cancel();
        return res.status;
      }),
    );
    for (const c of codes) counts[c] = (counts[c] ?? 0) + 1;
  }
  return counts;
}

async function expectLimited(res: Response, what: string): Promise<void> {
  expect(res.status, `${what}: expected 429`).toBe(429);
  expect(Number(res.headers.get('retry-after')), `${what}: Retry-After`).toBeGreaterThanOrEqual(1);
  expect(await res.json()).toMatchObject({ error: 'rate_limited', message: expect.any(String) });
}

describe('two `marketpipe serve` processes sharing the machine Redis share the API budgets', () => {
  let drop: () => Promise<void> = async () => undefined;
  const servers: ServeProcess[] = [];

  beforeAll(async () => {
    const tmp = await createTempDatabase('apirate');
    drop = tmp.drop;
    const db = await openPostgres(tmp.url);
    await migrate(db); // once here, so the two processes do not both wait on the migration lock
    await db.close();
    servers.push(
      ...(await Promise.all([
        spawnServe(tmp.url, { API_KEYS: API_KEY, JWT_SECRET: SECRET }),
        spawnServe(tmp.url, { API_KEYS: API_KEY, JWT_SECRET: SECRET }),
      ])),
    );
  }, 150_000);

  afterAll(async () => {
    for (const s of servers) {
      if (s.child.exitCode !== null) continue;
      s.child.kill('SIGTERM');
      await once(s.child, 'exit');
    }
    await drop();
  });

  it(`grants the key ${DEFAULT_KEY_RATE_LIMIT} requests across both processes, then 429 on either`, async () => {
    const headers = { 'x-api-key': API_KEY };
    const counts = await burst(servers, DEFAULT_KEY_RATE_LIMIT, '/api/cache/stats', headers);
    expect(counts).toEqual({ 200: DEFAULT_KEY_RATE_LIMIT });
    for (const s of servers) {
      await expectLimited(
        await fetch(`${s.url}/api/cache/stats`, { headers }),
        `key over budget at ${s.url}`,
      );
    }
  });

  it(`grants an admin user ${ADMIN_BUDGET} requests across both processes, then 429 on either`, async () => {
    const user = `u-${randomBytes(6).toString('hex')}`;
    const token = await createToken({ secret: SECRET, user, role: 'viewer', ttlSeconds: 600 });
    const headers = { authorization: `Bearer ${token}` };
    const counts = await burst(servers, ADMIN_BUDGET, '/admin/config/stats', headers);
    expect(counts).toEqual({ 200: ADMIN_BUDGET });
    for (const s of servers) {
      await expectLimited(
        await fetch(`${s.url}/admin/config/stats`, { headers }),
        `user over budget at ${s.url}`,
      );
    }
  });
});
