import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { openStore } from '../../src/store/open.ts';
import { REDIS_URL } from '../api/harness.ts';
import { createTempDatabase } from '../store/backends.ts';
import { HOSTILE_ACCEPTED } from './hostile-corpus.ts';
import { seedBars } from './seed.ts';

/**
 * Issue 25: one accepted chat statement must not hold a real `serve` process. On the embedded store and
 * on PostgreSQL: the mis-estimated cross join answers 408 query_timeout within chat.timeout_ms while
 * /health keeps answering in under 100 ms, ten at once do not starve /ready and /quote, and SIGTERM
 * stops the process within seconds while such a statement runs.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'marketpipe.mjs');
const NOW = Date.parse('2026-06-01T00:00:00Z');
const TIMEOUT_MS = 500;
const CROSS = HOSTILE_ACCEPTED[0]?.sql ?? '';

async function setLimits(db: Db, timeoutMs: number, maxConcurrent: number): Promise<void> {
  await db.query(
    `UPDATE config.parameters SET value = to_jsonb(CASE key WHEN 'timeout_ms' THEN $1::int ELSE $2::int END)
     WHERE category = 'chat' AND key IN ('timeout_ms', 'max_concurrent')`,
    [timeoutMs, maxConcurrent],
  );
}

interface Serve {
  child: ChildProcess;
  url: string;
  stderr: string[];
}

/** `marketpipe <args> --json serve --port 0`, resolved with its URL. */
async function startServe(args: string[]): Promise<Serve> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.JWT_SECRET;
  delete env.API_KEYS;
  const child = spawn(process.execPath, [BIN, ...args, '--json', 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr.join('')}`)), 90_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      try {
        resolve((JSON.parse(out) as { url: string }).url);
        clearTimeout(timer);
      } catch {
        // not a whole document yet
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${stderr.join('')}`));
    });
  });
  return { child, url, stderr };
}

function execute(
  url: string,
  sql: string,
): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const t0 = performance.now();
  return fetch(`${url}/api/chat/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
  }).then(async (res) => ({
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    ms: performance.now() - t0,
  }));
}

/** Polls `path` back to back until stopped; returns every latency (ms) and status. */
function poll(url: string, path: string): { stop(): Promise<{ ms: number[]; statuses: number[] }> } {
  let running = true;
  const ms: number[] = [];
  const statuses: number[] = [];
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const res = await fetch(`${url}${path}`);
      await res.arrayBuffer();
      ms.push(performance.now() - t0);
      statuses.push(res.status);
      await sleep(10);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { ms, statuses };
    },
  };
}

const max = (xs: number[]): number => xs.reduce((a, b) => Math.max(a, b), 0);
/** The `q` quantile (nearest rank). */
const quantile = (xs: number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
};

async function exitAfterSigterm(child: ChildProcess): Promise<number> {
  const t0 = performance.now();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(20_000)]);
  return performance.now() - t0;
}

/**
 * Raises chat.timeout_ms to 60 s through `update` and starts the cross join; resolves once the statement
 * has run 1 s past the old limit (so the serving process has the new limit), with the pending answer.
 */
async function startLongStatement(url: string, update: (ms: number) => Promise<void>): Promise<void> {
  // a ready executor first (on the embedded store the worker that replaced a stopped one may still be
  // opening its copy), so the statement below is running when SIGTERM comes
  expect((await execute(url, 'SELECT 1 AS one')).status).toBe(200);
  for (let attempt = 0; attempt < 5; attempt++) {
    await update(60_000);
    await sleep(300);
    let answered = false;
    void execute(url, CROSS).then(
      () => {
        answered = true;
      },
      () => {
        answered = true;
      },
    );
    await sleep(TIMEOUT_MS + 1000);
    if (!answered) return;
  }
  throw new Error('serve never picked up chat.timeout_ms = 60000');
}

async function timeoutWhileHealthy(url: string, label: string): Promise<void> {
  // warm: the first run opens the executor (its pool, or a worker on a copy of the store)
  const warm = await execute(url, 'SELECT count(*) AS n FROM market_data.instruments');
  expect(warm.status, JSON.stringify(warm.body)).toBe(200);
  const idle = poll(url, '/health');
  await sleep(500);
  const base = await idle.stop();
  const health = poll(url, '/health');
  await sleep(100);
  const r = await execute(url, CROSS);
  const h = await health.stop();
  expect(r.status, JSON.stringify(r.body)).toBe(408);
  expect(r.body).toMatchObject({ error: 'query_timeout' });
  expect(String(r.body.message)).toMatch(/stopped after 500 ms/);
  // the statement's time limit plus the EXPLAIN before it and the HTTP round trip
  expect(r.ms).toBeLessThan(TIMEOUT_MS + 1500);
  expect(h.statuses.every((s) => s === 200)).toBe(true);
  expect(h.ms.length).toBeGreaterThan(3);
  // under 100 ms; the machine running the suite is shared (2 cores), so a slow poll is tolerated up to
  // 300 ms — a blocked event loop would hold every poll for the whole statement (issue 25: timed out)
  expect(quantile(h.ms, 0.5)).toBeLessThan(100);
  expect(max(h.ms)).toBeLessThan(300);
  console.log(
    `${label}: 408 after ${r.ms.toFixed(0)} ms (limit ${TIMEOUT_MS}); /health during: ${h.ms.length} polls, median ${quantile(h.ms, 0.5).toFixed(1)} ms, p95 ${quantile(h.ms, 0.95).toFixed(1)} ms, max ${max(h.ms).toFixed(1)} ms; idle before: median ${quantile(base.ms, 0.5).toFixed(1)} ms, max ${max(base.ms).toFixed(1)} ms`,
  );
}

describe('serve on the embedded store: a heavy chat statement does not hold the process', () => {
  let home: string;
  let serve: Serve | undefined;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'mp-chat-serve-'));
    const store = await openStore({ home });
    await seedBars(store.db, NOW);
    await setLimits(store.db, TIMEOUT_MS, 2);
    await store.close();
    serve = await startServe(['--home', home]);
  }, 180_000);

  afterAll(async () => {
    if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('answers 408 within chat.timeout_ms while /health stays under 100 ms', async () => {
    await timeoutWhileHealthy(serve?.url ?? '', 'embedded');
  }, 60_000);

  it('SIGTERM stops serve within seconds while a statement runs', async () => {
    const s = serve;
    if (!s) throw new Error('serve did not start');
    await startLongStatement(s.url, async (ms) => {
      const client = await openStore({ home });
      try {
        await setLimits(client.db, ms, 2);
      } finally {
        await client.close();
      }
    });
    const ms = await exitAfterSigterm(s.child);
    console.log(`embedded: SIGTERM to exit ${ms.toFixed(0)} ms, mid-statement`);
    expect(s.child.exitCode ?? s.child.signalCode).not.toBeNull();
    expect(ms).toBeLessThan(5_000);
  }, 60_000);
});

describe('serve on PostgreSQL: chat statements run on their own pool under server limits', () => {
  let dbUrl: { url: string; drop(): Promise<void> };
  let serve: Serve | undefined;
  let admin: Awaited<ReturnType<typeof openStore>>;
  let home: string;

  beforeAll(async () => {
    dbUrl = await createTempDatabase('chatserve');
    home = mkdtempSync(join(tmpdir(), 'mp-chat-serve-pg-'));
    admin = await openStore({ home, databaseUrl: dbUrl.url });
    await seedBars(admin.db, NOW);
    await setLimits(admin.db, TIMEOUT_MS, 2);
    serve = await startServe(['--db', dbUrl.url, '--redis', REDIS_URL]);
  }, 180_000);

  afterAll(async () => {
    if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
    await admin?.close();
    await dbUrl?.drop();
    rmSync(home, { recursive: true, force: true });
  });

  it('answers 408 within chat.timeout_ms while /health stays under 100 ms', async () => {
    await timeoutWhileHealthy(serve?.url ?? '', 'postgres');
  }, 60_000);

  it('ten at once: two run and stop at the limit, eight are refused at once (503), /ready and /quote answer', async () => {
    const url = serve?.url ?? '';
    const ready = poll(url, '/ready');
    const quote = poll(url, '/quote/USDC/100000');
    await sleep(50);
    const answers = await Promise.all(Array.from({ length: 10 }, () => execute(url, CROSS)));
    const [r, q] = [await ready.stop(), await quote.stop()];
    const by = (status: number) => answers.filter((a) => a.status === status);
    expect(by(408)).toHaveLength(2);
    expect(by(503)).toHaveLength(8);
    expect(by(503).every((a) => a.body.error === 'chat_busy')).toBe(true);
    // refused without waiting for a slot: well before the 500 ms the running ones take
    expect(max(by(503).map((a) => a.ms))).toBeLessThan(TIMEOUT_MS + 500);
    expect(r.statuses.every((s) => s === 200)).toBe(true);
    expect(q.statuses.every((s) => s === 200)).toBe(true);
    // the app pool is untouched by chat: /ready and /quote answer as usual (issue 25 saw 503 and 12.8 s)
    expect(max(r.ms)).toBeLessThan(1000);
    expect(max(q.ms)).toBeLessThan(1000);
    console.log(
      `postgres, 10 concurrent: 408 ×2, 503 ×8 (slowest 503 ${max(by(503).map((a) => a.ms)).toFixed(0)} ms); /ready max ${max(r.ms).toFixed(1)} ms (${r.ms.length} polls), /quote max ${max(q.ms).toFixed(1)} ms (${q.ms.length} polls)`,
    );
  }, 60_000);

  it('SIGTERM stops serve within seconds while a statement runs', async () => {
    const s = serve;
    if (!s) throw new Error('serve did not start');
    await startLongStatement(s.url, (ms) => setLimits(admin.db, ms, 2));
    const ms = await exitAfterSigterm(s.child);
    console.log(`postgres: SIGTERM to exit ${ms.toFixed(0)} ms, mid-statement`);
    expect(s.child.exitCode ?? s.child.signalCode).not.toBeNull();
    expect(ms).toBeLessThan(5_000);
  }, 60_000);
});
