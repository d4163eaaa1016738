/**
 * HTTP load against the API beside Fastify's own hello-world, in one run: requests/s, p50/p99 latency and
 * the ratio to hello-world. The load generator (autocannon) runs in a child process, the servers in this
 * one, loopback only, each case for a bounded time. Target (DESIGN.md): the cached watchlist ≥ 50 % of
 * hello-world requests/s with p99 < 10 ms.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { buildApp } from '../src/api/app.ts';
import { startServer } from '../src/api/server.ts';
import { MemoryCache } from '../src/cache/memory.ts';
import { RedisCache } from '../src/cache/redis.ts';
import { ConfigStore } from '../src/config/store.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { seedApiFixture } from '../test/api/fixture.ts';

const run$ = promisify(execFile);
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export interface LoadOptions {
  /** Seconds per case and round. @defaultValue 3 (env BENCH_API_SECONDS) */
  seconds?: number;
  /** Interleaved rounds of all cases. @defaultValue 2 */
  rounds?: number;
  /** Concurrent connections. @defaultValue 10 */
  connections?: number;
}

interface LoadResult {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(name: string, url: string, seconds: number, connections: number): Promise<LoadResult> {
  // a 1 s warm-up (JIT, caches), then the measured run
  await run$(process.execPath, [AUTOCANNON, '-j', '-c', String(connections), '-d', '1', url], {
    maxBuffer: 1 << 24,
  });
  const { stdout } = await run$(
    process.execPath,
    [AUTOCANNON, '-j', '-c', String(connections), '-d', String(seconds), url],
    { maxBuffer: 1 << 24 },
  );
  const r = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    errors: number;
    non2xx: number;
  };
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

export async function run(opts: LoadOptions = {}): Promise<void> {
  const seconds = opts.seconds ?? Number(process.env.BENCH_API_SECONDS ?? 3);
  const rounds = opts.rounds ?? 2;
  const connections = opts.connections ?? 10;

  const hello = Fastify({ logger: false });
  hello.get('/', async () => ({ hello: 'world' }));
  const helloServer = await startServer(hello, { port: 0 });

  const db = await openPglite();
  await migrate(db);
  await seedApiFixture(db);
  const config = await ConfigStore.open({ db, live: false });
  const app = buildApp({
    cache: new MemoryCache(),
    db,
    settings: { corsOrigins: [] },
    config,
    adminApi: false,
  });
  const server = await startServer(app, { port: 0 });
  const watch = `${server.url}/api/watchlist?symbols=BTC,ETH,USDC,AAPL`;
  await fetch(watch); // fills latest_price:{symbol}
  // The scaled-out shape: the same app with its cache in Redis (REDIS_URL, else the machine's 6379), where
  // every request reads the four keys from Redis (one MGET); skipped when no Redis answers.
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new RedisCache({ url: redisUrl, keyPrefix: `bench-api-${process.pid}:` });
  const redisUp = await redis
    .set('probe', 1, 5)
    .then(() => redis.get('probe'))
    .then((v) => v === 1)
    .catch(() => false);
  const redisApp = redisUp
    ? buildApp({
        db,
        settings: { corsOrigins: [] },
        config,
        adminApi: false,
        cache: redis,
      })
    : undefined;
  const redisServer = redisApp ? await startServer(redisApp, { port: 0 }) : undefined;
  const watchRedis = redisServer && `${redisServer.url}/api/watchlist?symbols=BTC,ETH,USDC,AAPL`;
  if (watchRedis) await fetch(watchRedis);

  // Interleaved rounds, so a burst of load from elsewhere on the machine hits every case alike.
  const cases = [
    { name: 'fastify hello-world', url: `${helloServer.url}/` },
    { name: 'GET /api/watchlist (4 symbols, cached)', url: watch },
    { name: 'GET /api/asset/BTC?range=1Y', url: `${server.url}/api/asset/BTC?range=1Y` },
    ...(watchRedis ? [{ name: 'GET /api/watchlist (4 symbols, Redis cache)', url: watchRedis }] : []),
  ];
  const runs: LoadResult[][] = cases.map(() => []);
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [i, c] of cases.entries()) runs[i]?.push(await load(c.name, c.url, seconds, connections));
    }
  } finally {
    await server.close();
    await redisServer?.close();
    await redis.close();
    await helloServer.close();
    await config.close();
    await db.close();
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const results: LoadResult[] = runs.map((rs, i) => ({
    name: cases[i]?.name ?? '',
    rps: mean(rs.map((r) => r.rps)),
    p50: mean(rs.map((r) => r.p50)),
    p99: mean(rs.map((r) => r.p99)),
    errors: rs.reduce((a, r) => a + r.errors, 0),
    non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
  }));
  const helloRps = results[0]?.rps ?? 0;
  const rows = results.map((r) => ({
    case: r.name,
    'req/s': r.rps.toFixed(0),
    'p50 ms': r.p50.toFixed(1),
    'p99 ms': r.p99.toFixed(1),
    'vs hello': `${((r.rps / helloRps) * 100).toFixed(0)} %`,
    errors: String(r.errors + r.non2xx),
  }));
  const cols = Object.keys(rows[0] ?? {}) as Array<keyof (typeof rows)[number]>;
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(width[i] ?? 0) : c.padStart(width[i] ?? 0))).join('  ');
  process.stdout.write(
    `loopback, ${connections} connections, ${rounds} interleaved rounds × ${seconds} s per case (+1 s warm-up each; means shown), autocannon in a child process\n`,
  );
  process.stdout.write(`${line(cols)}\n`);
  for (const r of rows) process.stdout.write(`${line(cols.map((c) => r[c]))}\n`);
  const w = results[1];
  if (w) {
    const ok = w.rps >= 0.5 * helloRps && w.p99 < 10;
    process.stdout.write(
      `target: cached watchlist ≥ 50 % of hello-world req/s with p99 < 10 ms → ${((w.rps / helloRps) * 100).toFixed(0)} %, p99 ${w.p99.toFixed(1)} ms: ${ok ? 'met' : 'NOT met'}\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
