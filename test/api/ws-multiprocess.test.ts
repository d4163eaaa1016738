import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RedisPubSub } from '../../src/cache/redis.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { eventually } from '../config/eventually.ts';
import { createTempDatabase } from '../store/backends.ts';
import { REDIS_URL } from './harness.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'marketpipe.mjs');

interface ServeProcess {
  child: ChildProcess;
  url: string;
  stderr: string[];
}

/** `marketpipe --db URL --redis URL --json serve --port 0`, resolved once it prints its URL. */
async function spawnServe(dbUrl: string): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [BIN, '--db', dbUrl, '--redis', REDIS_URL, '--json', 'serve', '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, API_KEYS: '', JWT_SECRET: '', LOG_LEVEL: 'warn' },
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
  return { child, url, stderr };
}

async function subscribe(url: string, symbol: string) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/prices`);
  const messages: Array<Record<string, unknown>> = [];
  let closeCode: number | undefined;
  ws.on('message', (raw) => messages.push(JSON.parse(String(raw))));
  ws.on('close', (code) => {
    closeCode = code;
  });
  await once(ws, 'open');
  ws.send(JSON.stringify({ op: 'subscribe', symbols: [symbol] }));
  await eventually(() => messages.some((m) => m.type === 'subscribed'), 10_000, 'the subscription');
  return { ws, messages, close: () => closeCode };
}

describe('two `marketpipe serve` processes sharing PostgreSQL and the machine Redis', () => {
  let drop: () => Promise<void> = async () => undefined;
  const servers: ServeProcess[] = [];
  let pubsub: RedisPubSub;

  beforeAll(async () => {
    const tmp = await createTempDatabase('apiws');
    drop = tmp.drop;
    const db = await openPostgres(tmp.url);
    await migrate(db); // once here, so the two processes do not both wait on the migration lock
    await db.close();
    servers.push(...(await Promise.all([spawnServe(tmp.url), spawnServe(tmp.url)])));
    pubsub = new RedisPubSub({ url: REDIS_URL });
  }, 150_000);

  afterAll(async () => {
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await pubsub?.close();
    await drop();
  });

  it('a publish on price_updates reaches the subscribed clients of both processes; SIGTERM closes them with 1001', async () => {
    // a symbol nobody else uses, since other tests may publish on the shared channel
    const symbol = `T${randomBytes(4).toString('hex').toUpperCase()}`;
    const [a, b] = await Promise.all(servers.map((s) => subscribe(s.url, symbol)));
    if (!a || !b) throw new Error('expected two clients');
    await pubsub.publish('price_updates', { type: 'price', symbol, price: 42.5, source: 'test' });
    await pubsub.publish('price_updates', { type: 'price', symbol: `${symbol}X`, price: 1, source: 'test' });
    const prices = (m: typeof a) => m.messages.filter((x) => x.type === 'price');
    await eventually(
      () => prices(a).length === 1 && prices(b).length === 1,
      5000,
      'the update on both servers',
    );
    expect(prices(a)[0]).toMatchObject({ symbol, price: 42.5 });
    expect(prices(b)[0]).toMatchObject({ symbol, price: 42.5 });

    for (const s of servers) s.child.kill('SIGTERM');
    const codes = await Promise.all(servers.map((s) => once(s.child, 'exit').then(([code]) => code)));
    expect(codes).toEqual([0, 0]);
    await eventually(() => a.close() !== undefined && b.close() !== undefined, 10_000, 'both sockets closed');
    expect([a.close(), b.close()]).toEqual([1001, 1001]);
  }, 60_000);
});
