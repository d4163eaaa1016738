import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RedisPubSub } from '../../src/cache/redis.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { eventually } from '../config/eventually.ts';
import { createTempDatabase } from '../store/backends.ts';
import { REDIS_URL } from './harness.ts';
import { type ServeProcess, spawnServe } from './serve-process.ts';

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
    servers.push(
      ...(await Promise.all([
        spawnServe(tmp.url, { API_KEYS: '', JWT_SECRET: '' }),
        spawnServe(tmp.url, { API_KEYS: '', JWT_SECRET: '' }),
      ])),
    );
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
