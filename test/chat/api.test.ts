import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createToken } from '../../src/api/auth.ts';
import { chatRoutes } from '../../src/api/routes/chat.ts';
import { reportRoutes } from '../../src/api/routes/reports.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { ConfigStore } from '../../src/config/store.ts';
import { runReport } from '../../src/reports/run.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { CANNED, type FakeLlm, startFakeLlm } from './fake-llm.ts';
import { seedBars, storeFingerprint } from './seed.ts';

const SECRET = 'x'.repeat(40);
const NOW = Date.parse('2026-06-01T00:00:00Z');

describe('chat and reports over HTTP (app.inject, PGlite)', () => {
  let db: Db;
  let app: FastifyInstance;
  let llm: FakeLlm;
  let home: string;

  const as = (user: string) =>
    createToken({ secret: SECRET, user, role: 'viewer' }).then((t) => ({ authorization: `Bearer ${t}` }));
  let carol: { authorization: string };

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedBars(db, NOW);
    carol = await as('carol');
    // short chat limits (migration 093 seeds 10 s and 2): one run at a time, stopped after 400 ms
    await db.query(
      "UPDATE config.parameters SET value = CASE key WHEN 'timeout_ms' THEN '400'::jsonb ELSE '1'::jsonb END WHERE category = 'chat' AND key IN ('timeout_ms', 'max_concurrent')",
    );
    llm = await startFakeLlm(CANNED);
    home = mkdtempSync(join(tmpdir(), 'mp-chat-api-'));
    await runReport(db, { kind: 'eod', date: '2026-05-29', home });
    const config = await ConfigStore.open({ db, live: false });
    const settings = {
      corsOrigins: [],
      apiKeys: [],
      jwtSecret: SECRET,
      llm: { baseUrl: llm.url, apiKey: 'k', model: 'm' },
      llmLocal: {},
    };
    app = buildApp({
      cache: new MemoryCache(),
      db,
      settings,
      config,
      adminApi: false,
      routes: [
        { name: 'chat', plugin: chatRoutes },
        { name: 'reports', plugin: reportRoutes },
      ],
    });
    await app.ready();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await llm?.close();
    await db?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('POST /api/chat/query: question → SQL and explanation, history under the JWT user', async () => {
    const token = await createToken({ secret: SECRET, user: 'carol', role: 'viewer' });
    const res = await app.inject({
      method: 'POST',
      url: '/api/chat/query',
      headers: { authorization: `Bearer ${token}` },
      payload: { question: 'What was the last daily close of BTC?' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ endpoint: 'cloud', explanation: 'The newest daily bar of BTC.' });
    expect(res.json().rows).toBeUndefined();
    const hist = await app.inject({
      url: '/api/chat/history',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(hist.json()).toMatchObject({
      user: 'carol',
      items: [{ question: 'What was the last daily close of BTC?' }],
    });
    const dave = await app.inject({ url: '/api/chat/history', headers: await as('dave') });
    expect(dave.json()).toEqual({ user: 'dave', items: [] });
    const anon = await app.inject({ url: '/api/chat/history' });
    expect(anon.statusCode).toBe(401);
  });

  it('POST /api/chat/query refuses a private question with 400 and the reason', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/chat/query',
      headers: carol,
      payload: { question: 'Which strategies are configured?' },
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toMatch(/never goes to the cloud model/);
  });

  it('POST /api/chat/execute: rows, columns and a chart; hostile SQL refused and nothing changed', async () => {
    const before = await storeFingerprint(db);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/chat/execute',
      headers: carol,
      payload: {
        sql: "SELECT b.ts, b.close FROM market_data.bars b JOIN market_data.instruments i ON i.id = b.instrument_id WHERE i.symbol = 'BTC' ORDER BY b.ts DESC LIMIT 5",
      },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      columns: ['ts', 'close'],
      row_count: 5,
      chart: { type: 'line', x: 'ts', y: ['close'] },
    });
    const bad = await app.inject({
      method: 'POST',
      url: '/api/chat/execute',
      headers: carol,
      payload: { sql: 'SELECT 1; DELETE FROM market_data.bars' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ message: 'only one statement is allowed (found 2)' });
    expect(await storeFingerprint(db)).toBe(before);
  });

  it('GET /api/chat/schema-context lists the readable tables without private ones', async () => {
    const res = await app.inject({ url: '/api/chat/schema-context?private=true', headers: carol });
    const names = (res.json().tables as { schema: string; table: string }[]).map(
      (t) => `${t.schema}.${t.table}`,
    );
    expect(names).toContain('market_data.bars');
    expect(names).not.toContain('risk.portfolios');
    expect(names.some((n) => n.startsWith('strategies.'))).toBe(false);
  });

  it('every chat route needs a bearer token when JWT_SECRET is set (401 JSON)', async () => {
    for (const [method, url, payload] of [
      ['POST', '/api/chat/execute', { sql: 'SELECT 1' }],
      ['POST', '/api/chat/query', { question: 'What was the last daily close of BTC?' }],
      ['GET', '/api/chat/history', undefined],
      ['GET', '/api/chat/schema-context', undefined],
    ] as const) {
      const res = await app.inject({ method, url, payload });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json()).toMatchObject({ error: 'unauthorized' });
    }
  });

  it('refuses column notation that calls a function not on the allow-list (i.pg_typeof, i.row_to_json)', async () => {
    for (const sql of [
      'SELECT i.pg_typeof FROM market_data.instruments i',
      'SELECT i.row_to_json FROM market_data.instruments i',
      'SELECT (i).row_to_json FROM market_data.instruments i',
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/chat/execute',
        headers: carol,
        payload: { sql },
      });
      expect(res.statusCode, sql).toBe(400);
      expect(res.json().message, sql).toMatch(/function (pg_typeof|row_to_json) is not allowed/);
    }
  });

  it('stops the cross join at chat.timeout_ms (408 query_timeout) and refuses a second run meanwhile (503)', async () => {
    const cross =
      'SELECT a.ts FROM market_data.bars a, market_data.bars b, market_data.bars c WHERE a.close + b.close + c.close = -1';
    const t0 = performance.now();
    const [slow, busy] = await Promise.all([
      app.inject({ method: 'POST', url: '/api/chat/execute', headers: carol, payload: { sql: cross } }),
      // the second starts once the first holds the one slot (chat.max_concurrent = 1)
      new Promise((r) => setTimeout(r, 50)).then(() =>
        app.inject({
          method: 'POST',
          url: '/api/chat/execute',
          headers: carol,
          payload: { sql: 'SELECT 1 AS one' },
        }),
      ),
    ]);
    expect(slow.statusCode).toBe(408);
    expect(slow.json()).toMatchObject({ error: 'query_timeout' });
    expect(slow.json().message).toMatch(/stopped after 400 ms/);
    expect(busy.statusCode).toBe(503);
    expect(busy.json()).toMatchObject({ error: 'chat_busy' });
    // 2 × 400 ms (EXPLAIN and the statement) plus a worker's start on a copy of the store, on a busy machine
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('GET /api/reports and the report as HTML, JSON and PDF', async () => {
    const list = await app.inject({ url: '/api/reports' });
    expect(list.json().items).toMatchObject([
      { kind: 'eod', date: '2026-05-29', html_url: '/api/reports/eod/2026-05-29' },
    ]);
    const html = await app.inject({ url: '/api/reports/eod/2026-05-29' });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body).toContain('<svg');
    const pdf = await app.inject({ url: '/api/reports/eod/2026-05-29/pdf' });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const json = await app.inject({ url: '/api/reports/eod/2026-05-29/json' });
    expect(json.json()).toMatchObject({ kind: 'eod', date: '2026-05-29' });
    const missing = await app.inject({ url: '/api/reports/sod/2026-05-29' });
    expect(missing.statusCode).toBe(404);
  });
});

describe('chat history per API key when only API_KEYS is configured', () => {
  let db: Db;
  let app: FastifyInstance;

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    const config = await ConfigStore.open({ db, live: false });
    const settings = {
      corsOrigins: [],
      apiKeys: ['key-one', 'key-two'],
      jwtSecret: undefined,
      llm: {},
      llmLocal: {},
    };
    app = buildApp({
      cache: new MemoryCache(),
      db,
      settings,
      config,
      adminApi: false,
      routes: [{ name: 'chat', plugin: chatRoutes }],
    });
    await app.ready();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('each key sees only its own history; no key is 401', async () => {
    // a refused statement is recorded too, and needs no executor
    const sent = await app.inject({
      method: 'POST',
      url: '/api/chat/execute',
      headers: { 'x-api-key': 'key-one' },
      payload: { sql: 'DELETE FROM market_data.bars' },
    });
    expect(sent.statusCode).toBe(400);
    const one = await app.inject({ url: '/api/chat/history', headers: { 'x-api-key': 'key-one' } });
    const two = await app.inject({ url: '/api/chat/history', headers: { 'x-api-key': 'key-two' } });
    expect(one.json().items).toMatchObject([{ sql: 'DELETE FROM market_data.bars' }]);
    expect(one.json().user).toMatch(/^api-key:[0-9a-f]{12}$/);
    expect(two.json().items).toEqual([]);
    expect(two.json().user).not.toBe(one.json().user);
    expect((await app.inject({ url: '/api/chat/history' })).statusCode).toBe(401);
  });
});
