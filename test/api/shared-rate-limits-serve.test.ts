import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEY_RATE_LIMIT } from '../../src/api/api-keys.ts';
import { createToken } from '../../src/api/auth.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { createTempDatabase } from '../store/backends.ts';
import { REDIS_URL } from './harness.ts';

/**
 * The serve wiring end to end: two real `marketpipe serve` processes with `--redis` (the machine Redis, as
 * a scaled-out deployment would run them) answer one budget per API key and per admin user between them.
 * Budgets are the defaults: 600 requests/min per key (DEFAULT_KEY_RATE_LIMIT) and 100/min per admin user
 * (AppDeps.adminRateLimit). The key and the user are random, so their windows
 * (`marketpipe:api_rate:…`, expiring after a minute) are this run's alone.
 */
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'marketpipe.mjs');
const SECRET = 'test-secret-0123456789abcdef-0123456789';
const API_KEY = `key-${randomBytes(12).toString('hex')}`;
const ADMIN_BUDGET = 100;

interface ServeProcess {
  child: ChildProcess;
  url: string;
}

/** `marketpipe --db URL --redis URL --json serve --port 0`, resolved once it prints its URL. */
async function spawnServe(dbUrl: string): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [BIN, '--db', dbUrl, '--redis', REDIS_URL, '--json', 'serve', '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, API_KEYS: API_KEY, JWT_SECRET: SECRET, LOG_LEVEL: 'warn' },
    },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start in 90 s: ${stderr.join('')}`)),
      90_000,
    );
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      try {
        const doc = JSON.parse(out) as { url: string };
        clearTimeout(timer);
        resolve(doc.url);
      } catch {
        // the JSON document is not complete yet
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${stderr.join('')}`));
    });
  });
  return { child, url };
}

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
    servers.push(...(await Promise.all([spawnServe(tmp.url), spawnServe(tmp.url)])));
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
