import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask } from '../../src/chat/ask.ts';
import { QueryRefusedError } from '../../src/chat/errors.ts';
import { listHistory } from '../../src/chat/history.ts';
import { parseModelAnswer, privateTopic, routeQuestion } from '../../src/chat/llm.ts';
import { buildSchemaContext } from '../../src/chat/schema-context.ts';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { CANNED, type FakeLlm, startFakeLlm } from './fake-llm.ts';
import { seedBars, storeFingerprint } from './seed.ts';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const none = { baseUrl: undefined, apiKey: undefined, model: undefined };

describe('routing private questions away from the cloud model', () => {
  const cloud = { baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k', model: 'm' };
  const local = { baseUrl: 'http://127.0.0.1:8/v1', apiKey: undefined, model: undefined };
  it.each([
    ['Which strategies are configured?', 'strategies'],
    ['What are our portfolio positions?', 'risk.portfolios'],
    ['Show the config parameters', 'config'],
    ['List the executed orders', 'execution'],
    ['What was the last close of BTC?', null],
  ])('%s → %s', (q, topic) => {
    expect(privateTopic(q)).toBe(topic);
  });
  it('refuses a private question without a local model, with the reason', () => {
    expect(() => routeQuestion('Which strategies are configured?', { llm: cloud, llmLocal: none })).toThrow(
      /private data \(strategies\).*no local model/,
    );
  });
  it('sends a private question to the local model, an ordinary one to the cloud', () => {
    expect(
      routeQuestion('Which strategies are configured?', { llm: cloud, llmLocal: local }).endpoint.kind,
    ).toBe('local');
    expect(routeQuestion('Last close of BTC?', { llm: cloud, llmLocal: local }).endpoint.kind).toBe('cloud');
    expect(routeQuestion('Last close of BTC?', { llm: none, llmLocal: local }).endpoint.kind).toBe('local');
  });
});

describe('reading the model answer', () => {
  it('JSON, fenced JSON, fenced SQL and bare SQL', () => {
    expect(parseModelAnswer('{"sql":"SELECT 1","explanation":"one"}')).toEqual({
      sql: 'SELECT 1',
      explanation: 'one',
    });
    expect(parseModelAnswer('```json\n{"sql":"SELECT 2"}\n```').sql).toBe('SELECT 2');
    expect(parseModelAnswer('Here:\n```sql\nSELECT 3\n```\nDone.')).toEqual({
      sql: 'SELECT 3',
      explanation: 'Here: Done.',
    });
    expect(parseModelAnswer('select 4').sql).toBe('select 4');
    expect(() => parseModelAnswer('I cannot help')).toThrow(QueryRefusedError);
  });
});

describe('ask through a loopback OpenAI-compatible server (PGlite)', () => {
  let db: Db;
  let cloud: FakeLlm;
  let local: FakeLlm;

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedBars(db, NOW);
    cloud = await startFakeLlm(CANNED);
    local = await startFakeLlm(CANNED);
  }, 60_000);
  afterAll(async () => {
    await cloud?.close();
    await local?.close();
    await db?.close();
  });

  const settings = () => ({
    llm: { baseUrl: cloud.url, apiKey: 'sk-test', model: 'cloud-model' },
    llmLocal: { baseUrl: local.url, apiKey: undefined, model: 'local-model' },
  });

  it('answers a question with SQL, explanation and rows', async () => {
    const r = await ask(db, settings(), 'What was the last daily close of BTC?', {
      execute: true,
      user: 'ann',
    });
    expect(r.endpoint).toBe('cloud');
    expect(r.sql).toMatch(/^SELECT b\.ts, b\.close FROM market_data\.bars/);
    expect(r.explanation).toBe('The newest daily bar of BTC.');
    expect(r.columns).toEqual(['ts', 'close']);
    expect(r.rows).toHaveLength(1);
    const req = cloud.requests.at(-1);
    expect(req?.model).toBe('cloud-model');
    expect(req?.auth).toBe('Bearer sk-test');
    expect(req?.system).toContain('market_data.bars (table)');
    expect(req?.system).toContain('"symbol":"AAPL"');
  });

  it('reads a fenced-SQL answer', async () => {
    const r = await ask(db, settings(), 'How many instruments are there per asset class?', { execute: true });
    expect(r.rows).toEqual([
      { asset_class: 'crypto', instruments: expect.anything() },
      { asset_class: 'equity', instruments: expect.anything() },
      { asset_class: 'etf', instruments: expect.anything() },
      { asset_class: 'fx', instruments: expect.anything() },
      { asset_class: 'stablecoin', instruments: expect.anything() },
    ]);
  });

  it('never describes private schemas to the cloud model', () => {
    for (const req of cloud.requests) {
      expect(req.system).not.toMatch(/strategies\.|config\.|risk\.portfolios|execution\./);
    }
  });

  it('answers a private question with the local model only', async () => {
    const before = cloud.requests.length;
    const r = await ask(db, settings(), 'Which strategies are configured?', { execute: true, user: 'ann' });
    expect(r.endpoint).toBe('local');
    expect(r.private).toBe(true);
    expect(r.rows).toEqual([]);
    expect(cloud.requests.length).toBe(before);
    expect(local.requests.at(-1)?.system).toContain('strategies.definitions');
  });

  it('refuses a private question when only the cloud is configured, without calling it', async () => {
    const before = cloud.requests.length;
    await expect(
      ask(db, { llm: settings().llm, llmLocal: none }, 'Which strategies are configured?', { user: 'bob' }),
    ).rejects.toThrow(/never goes to the cloud model/);
    expect(cloud.requests.length).toBe(before);
  });

  it("refuses the model's DELETE and changes nothing", async () => {
    const before = await storeFingerprint(db);
    await expect(
      ask(db, settings(), 'Delete the old bars please', { execute: true, user: 'bob' }),
    ).rejects.toThrow(/DELETE changes data/);
    expect(await storeFingerprint(db)).toBe(before);
  });

  it('keeps a history per user, refusals included', async () => {
    const ann = await listHistory(db, 'ann');
    expect(ann.map((h) => h.question)).toEqual([
      'Which strategies are configured?',
      'What was the last daily close of BTC?',
    ]);
    const bob = await listHistory(db, 'bob');
    expect(bob.map((h) => h.refused?.slice(0, 30))).toEqual([
      'DELETE changes data; only one ',
      'the question touches private d',
    ]);
    expect(bob[0]?.sql).toMatch(/^DELETE/);
  });

  it('builds the schema context from the catalog, comments included', async () => {
    const ctx = await buildSchemaContext(db);
    const bars = ctx.tables.find((t) => t.schema === 'market_data' && t.table === 'bars');
    expect(bars?.columns.find((c) => c.name === 'ts')?.comment).toBe('Open time of the bar, UTC.');
    expect(ctx.tables.some((t) => t.schema === 'ops' && t.table === 'job_runs')).toBe(false);
    expect(ctx.tables.some((t) => t.schema === 'ops' && t.table === 'data_gaps')).toBe(true);
    expect(ctx.tables.some((t) => t.schema === 'risk' && t.table === 'portfolios')).toBe(false);
  });
});
