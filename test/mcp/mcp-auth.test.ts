/** `/mcp` with API_KEYS and JWT_SECRET set: a configured key or a valid token gets in, nothing else. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createToken } from '../../src/api/auth.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { ConfigStore } from '../../src/config/store.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';

const KEY = 'mcp-auth-test-key-0123456789';
const SECRET = 'an-mcp-auth-test-secret-of-more-than-32-chars';

let db: Db;
let config: ConfigStore;
let app: ReturnType<typeof buildApp>;
beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
  config = await ConfigStore.open({ db, live: false });
  app = buildApp({
    cache: new MemoryCache(),
    db,
    settings: { corsOrigins: [], apiKeys: [KEY], jwtSecret: SECRET },
    config,
    adminApi: false,
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await config?.close();
  await db?.close();
});

const listTools = (headers: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url: '/mcp',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    payload: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
  });

describe('/mcp accepts an API key or a JWT', () => {
  it('answers tools/list with the key, with a viewer token; 401 without, with a forged or wrong key', async () => {
    const withKey = await listTools({ 'x-api-key': KEY });
    expect(withKey.statusCode).toBe(200);
    expect(withKey.json().result.tools.length).toBeGreaterThan(0);
    const token = await createToken({ secret: SECRET, user: 'agent', role: 'viewer' });
    const withToken = await listTools({ authorization: `Bearer ${token}` });
    expect(withToken.statusCode).toBe(200);
    expect(withToken.json().result.tools.map((t: { name: string }) => t.name)).toContain('get_depegs');
    const forged = await createToken({ secret: `${SECRET}-other`, user: 'agent', role: 'viewer' });
    const bad: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${forged}` },
      { 'x-api-key': 'not-a-key' },
    ];
    for (const headers of bad) {
      const r = await listTools(headers);
      expect(r.statusCode, JSON.stringify(headers)).toBe(401);
      expect(r.json()).toHaveProperty('error');
    }
  }, 60_000);
});
