import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createToken } from '../../src/api/auth.ts';
import { chatRoutes } from '../../src/api/routes/chat.ts';
import { reportRoutes } from '../../src/api/routes/reports.ts';
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

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedBars(db, NOW);
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
    const anon = await app.inject({ url: '/api/chat/history' });
    expect(anon.json()).toEqual({ user: 'anonymous', items: [] });
  });

  it('POST /api/chat/query refuses a private question with 400 and the reason', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/chat/query',
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
      payload: { sql: 'SELECT 1; DELETE FROM market_data.bars' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ message: 'only one statement is allowed (found 2)' });
    expect(await storeFingerprint(db)).toBe(before);
  });

  it('GET /api/chat/schema-context lists the readable tables without private ones', async () => {
    const res = await app.inject({ url: '/api/chat/schema-context?private=true' });
    const names = (res.json().tables as { schema: string; table: string }[]).map(
      (t) => `${t.schema}.${t.table}`,
    );
    expect(names).toContain('market_data.bars');
    expect(names).not.toContain('risk.portfolios');
    expect(names.some((n) => n.startsWith('strategies.'))).toBe(false);
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
