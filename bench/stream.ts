/**
 * Stream throughput: Binance trade messages received over a loopback WebSocket (the venue runs in a worker
 * thread) and parsed, aggregated into 1s/1m bars and composite prices by the StreamRunner, against a bare
 * client on the same socket that only `JSON.parse`s each message (the floor), in the same run. Targets:
 * ≥ 0.5× the floor and ≥ 100,000 messages/s. Bars are written to PostgreSQL when it answers on
 * 127.0.0.1:5432, else to an in-memory PGlite.
 *
 * Trade-to-alert latency through the stream path `marketpipe stream` runs (`startStream`: Kraken connection,
 * runner, composite, depeg monitor, notifier, `depeg_alerts` on LISTEN/NOTIFY of the same store): a USDC trade
 * frame 2 % off the peg sent on a loopback Kraken WebSocket → the alert received by a `depeg_alerts`
 * subscriber, minus the configured hold; then a frame back on the peg → the recovery. Target p99 < 50 ms.
 * Then the same with a live VaR started by every move (throttle off), run on the stream's thread and in the
 * live VaR worker, side by side (`BENCH_STREAM_ONLY=alerts` runs only the alert measurements).
 */
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { MemoryCache } from '../src/cache/memory.ts';
import { PgPubSub } from '../src/cache/pg-pubsub.ts';
import { settingsFor } from '../src/cli/context.ts';
import { createLogger } from '../src/core/log.ts';
import type { Instrument } from '../src/core/types.ts';
import { startStream } from '../src/live/command.ts';
import { StreamRunner } from '../src/live/runner.ts';
import { PROTOCOLS } from '../src/live/venues.ts';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { upsertInstruments } from '../src/store/repos/instruments.ts';
import { FakeVenue, tradeMessage } from '../test/live/fake-venues.ts';
import { createTempDatabase, PG_ADMIN_URL } from '../test/store/backends.ts';

const N = 400_000;
const SYMBOLS = 50;
const START = Date.UTC(2024, 0, 2);

function frames(): string[] {
  const out: string[] = new Array(N);
  for (let i = 0; i < N; i++) {
    const k = i % SYMBOLS;
    const s = `C${k}USDT`;
    const ts = START + Math.floor(i / 2); // ~200 s of venue time: minutes close and are written meanwhile
    const p = (100 + k + Math.sin(i) * 0.5).toFixed(4);
    out[i] = JSON.stringify({
      stream: `${s.toLowerCase()}@trade`,
      data: {
        e: 'trade',
        E: ts + 1,
        s,
        t: Math.floor(i / SYMBOLS) + 1,
        p,
        q: '0.125',
        T: ts,
        m: i % 2 === 0,
        M: true,
      },
    });
  }
  return out;
}

async function venue(data: string[]): Promise<{ url: string; close(): Promise<void> }> {
  const worker = new Worker(new URL('./_stream-venue.mjs', import.meta.url), {
    workerData: { frames: data },
  });
  const port = await new Promise<number>((resolve) =>
    worker.once('message', (m: { port: number }) => resolve(m.port)),
  );
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      worker.postMessage('close');
      await new Promise((r) => worker.once('exit', r));
    },
  };
}

async function bare(url: string): Promise<number> {
  const ws = new WebSocket(`${url}/stream`, { perMessageDeflate: false });
  let n = 0;
  let t0 = 0;
  let sink = 0;
  return new Promise((resolve) => {
    ws.on('open', () => ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['x@trade'], id: 1 })));
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as { data?: { T?: number } };
      sink += m.data?.T ?? 0;
      if (n === 0) t0 = performance.now();
      if (++n === N + 1) {
        const ms = performance.now() - t0;
        ws.terminate();
        resolve(sink > 0 ? (N / ms) * 1000 : 0);
      }
    });
  });
}

async function full(url: string, db: Db, instruments: Instrument[]): Promise<number> {
  const runner = new StreamRunner({
    db,
    protocols: PROTOCOLS,
    wsUrls: { binance: url, coinbase: url, kraken: url },
    rest: {},
    instruments: new Map(instruments.map((i) => [i.symbol, i])),
    random: () => 0.5,
  });
  const t0 = performance.now();
  runner.start(
    instruments.map((i) => ({
      symbol: i.symbol,
      venue: 'binance' as const,
      venueSymbol: `${i.symbol}USDT`,
      primary: true,
    })),
  );
  let first = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const s = runner.summary();
      if (first === 0 && s.messages > 0) first = performance.now();
      if (s.trades >= N) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  const ms = performance.now() - (first || t0);
  const s = await runner.stop();
  process.stdout.write(`  (runner: ${s.trades} trades, ${s.bars_stored} bars stored)\n`);
  return (N / ms) * 1000;
}

/**
 * Composite-update latency: a trade frame sent by an in-process loopback venue until the runner's listener
 * sees the new composite (WebSocket hop, parse, aggregation, median), one trade at a time.
 */
async function latency(db: Db, instruments: Instrument[]): Promise<number[]> {
  const { WebSocketServer } = await import('ws');
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const port = (server.address() as { port: number }).port;
  let client: WebSocket | undefined;
  const subscribed = new Promise<void>((resolve) =>
    server.on('connection', (socket) => {
      client = socket;
      socket.on('message', () => resolve());
    }),
  );
  let seen: (() => void) | undefined;
  const inst = instruments.slice(0, 1);
  const runner = new StreamRunner({
    db,
    protocols: PROTOCOLS,
    wsUrls: { binance: `ws://127.0.0.1:${port}`, coinbase: '', kraken: '' },
    rest: {},
    instruments: new Map(inst.map((i) => [i.symbol, i])),
    random: () => 0.5,
    listeners: [{ onComposite: () => seen?.() }],
  });
  runner.start(
    inst.map((i) => ({
      symbol: i.symbol,
      venue: 'binance' as const,
      venueSymbol: `${i.symbol}USDT`,
      primary: true,
    })),
  );
  await subscribed;
  const out: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const ts = START + i;
    const frame = JSON.stringify({
      stream: 'c0usdt@trade',
      data: {
        e: 'trade',
        E: ts,
        s: 'C0USDT',
        t: i + 1,
        p: (100 + (i % 2)).toFixed(2),
        q: '1',
        T: ts,
        m: true,
        M: true,
      },
    });
    const got = new Promise<void>((r) => {
      seen = r;
    });
    const t0 = performance.now();
    client?.send(frame);
    await got;
    out.push(performance.now() - t0);
  }
  await runner.stop();
  await new Promise<void>((r) => server.close(() => r()));
  return out.sort((a, b) => a - b);
}

const ALERT_EPISODES = Number(process.env.BENCH_STREAM_ALERT_EPISODES ?? 60);
const ALERT_HOLD_MS = 100;
/** Monte Carlo paths of the live VaR in the `with VaR` mode (the live default is the config's 10,000 × vol). */
const VAR_SIMULATIONS = Number(process.env.BENCH_STREAM_VAR_SIMULATIONS ?? 200_000);

interface VarLoad {
  /** Where the live VaR runs. */
  in: 'worker' | 'thread';
  /** Live VaR recomputations published on `risk_updates` during the measurement. */
  runs: number;
}

/**
 * Trade frame → `depeg_alerts` (alert, then recovery) minus the hold, per episode; sorted, in ms. With
 * `varLoad`, live risk is unthrottled (`alerts.risk_min_interval_seconds` 0) and runs `VAR_SIMULATIONS`
 * paths: each 2 % USDC move of an episode (USDC is in the sample portfolio) starts a VaR of the stored
 * portfolio while its alert is on hold, so the alert is measured with a VaR in flight.
 */
async function alertLatency(db: Db, varLoad?: VarLoad): Promise<number[]> {
  await upsertInstruments(db, [
    {
      symbol: 'USDC',
      assetClass: 'stablecoin',
      name: 'USD Coin',
      currency: 'USD',
      timezone: 'UTC',
      pegTarget: 1,
      sources: { kraken: 'USDC/USD' },
    },
  ]);
  const kraken = await FakeVenue.start('kraken');
  const pubsub = new PgPubSub(db);
  const cache = new MemoryCache();
  let arrived: ((type: string) => void) | undefined;
  const off = await pubsub.subscribe('depeg_alerts', (m) => arrived?.(String(m.type)));
  const offRisk = await pubsub.subscribe('risk_updates', () => {
    if (varLoad) varLoad.runs++;
  });
  // the REST base is a closed loopback port: a repair would fail here, never reach the internet
  const settings = settingsFor({}, { KRAKEN_WS_URL: kraken.url, KRAKEN_BASE_URL: 'http://127.0.0.1:9' });
  const config = {
    getFloat: (_category: string, key: string, fallback?: number) =>
      key === 'depeg_min_seconds'
        ? ALERT_HOLD_MS / 1000
        : key === 'depeg_threshold'
          ? 0.005
          : key === 'risk_min_interval_seconds' && varLoad
            ? 0
            : (fallback ?? 0),
    // live risk reads the stored parameters (none here: its defaults)
    find: () => undefined,
    list: () => [],
  };
  const stream = await startStream(
    {
      db,
      settings,
      log: createLogger('silent'),
      cache,
      pubsub,
      config,
      liveVar: varLoad ? { liveVarIn: varLoad.in, liveVarSimulations: VAR_SIMULATIONS } : undefined,
    },
    { symbols: ['USDC'], venues: ['kraken'], seed: 1, leasePrefix: 'bench:' },
  );
  await kraken.waitSubscribed(['USDC/USD']);
  let id = 1;
  const send = (price: number) =>
    kraken.sendRaw([
      tradeMessage('kraken', { venueSymbol: 'USDC/USD', price, qty: 1000, ts: Date.now(), id: id++ }),
    ]);
  const episode = async (price: number, type: string): Promise<number> => {
    const got = new Promise<number>((resolve) => {
      arrived = (t) => {
        if (t === type) resolve(performance.now());
      };
    });
    const t0 = performance.now();
    send(price);
    return (await got) - t0 - ALERT_HOLD_MS;
  };
  send(1);
  await new Promise((r) => setTimeout(r, 200));
  const out: number[] = [];
  for (let i = 0; i < ALERT_EPISODES; i++) {
    out.push(await episode(0.98, 'depeg_alert'));
    out.push(await episode(1, 'depeg_recovery'));
  }
  await stream.stop();
  await off();
  await offRisk();
  await pubsub.close();
  await cache.close();
  await kraken.close();
  return out.sort((a, b) => a - b);
}

const at = (xs: readonly number[], q: number) =>
  xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? Number.NaN;

function alertLine(xs: readonly number[]): string {
  const p99 = at(xs, 0.99);
  return `trade-to-alert latency beyond the ${ALERT_HOLD_MS} ms hold (frame sent → depeg_alerts received), ${xs.length} alerts + recoveries: p50 ${at(xs, 0.5).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${(xs[xs.length - 1] ?? Number.NaN).toFixed(2)} ms (target p99 < 50 ms: ${p99 < 50 ? 'met' : 'NOT met'})`;
}

/** The same alert measurement with a live VaR in flight, on the stream's thread and in the worker. */
async function alertVarLines(db: Db): Promise<string[]> {
  const thread: VarLoad = { in: 'thread', runs: 0 };
  const worker: VarLoad = { in: 'worker', runs: 0 };
  const inThread = await alertLatency(db, thread);
  const inWorker = await alertLatency(db, worker);
  const cell = (xs: readonly number[], q: number) => at(xs, q).toFixed(2).padStart(8);
  const ratio = (q: number) => `${(at(inThread, q) / at(inWorker, q)).toFixed(1)}×`.padStart(8);
  return [
    `trade-to-alert latency beyond the hold with a live VaR (${VAR_SIMULATIONS.toLocaleString('en-US')} paths) started by each move, ms:`,
    `           VaR in-thread  VaR in worker  in-thread / worker`,
    `  p50      ${cell(inThread, 0.5)}       ${cell(inWorker, 0.5)}            ${ratio(0.5)}`,
    `  p99      ${cell(inThread, 0.99)}       ${cell(inWorker, 0.99)}            ${ratio(0.99)}`,
    `  max      ${cell(inThread, 1)}       ${cell(inWorker, 1)}            ${ratio(1)}`,
    `  VaR runs published: ${thread.runs} in-thread, ${worker.runs} in worker; ${inThread.length} alerts + recoveries each`,
  ];
}

async function openDb(): Promise<{ db: Db; name: string; close(): Promise<void> }> {
  try {
    const tmp = await createTempDatabase('bench_stream');
    const db = await openPostgres(tmp.url);
    return {
      db,
      name: `postgres (${new URL(PG_ADMIN_URL).host})`,
      close: async () => {
        await db.close();
        await tmp.drop();
      },
    };
  } catch {
    const db = await openPglite();
    return { db, name: 'pglite', close: () => db.close() };
  }
}

export async function run(): Promise<void> {
  const { db, name, close } = await openDb();
  await migrate(db);
  const instruments: Instrument[] = Array.from({ length: SYMBOLS }, (_, k) => ({
    symbol: `C${k}`,
    assetClass: 'crypto',
    name: `Coin ${k}`,
    currency: 'USD',
    timezone: 'UTC',
    sources: { binance: `C${k}USDT` },
  }));
  await upsertInstruments(db, instruments);
  if (process.env.BENCH_STREAM_ONLY === 'alerts') {
    const alertLat = await alertLatency(db);
    const varLines = await alertVarLines(db);
    await close();
    process.stdout.write(`${[alertLine(alertLat), ...varLines].join('\n')}\n`);
    return;
  }
  const data = frames();
  process.stdout.write(
    `${N.toLocaleString('en-US')} Binance trade messages, ${SYMBOLS} symbols, store: ${name}\n`,
  );
  let floor = 0;
  let stream = 0;
  for (let round = 0; round < 2; round++) {
    const v1 = await venue(data);
    floor = Math.max(floor, await bare(v1.url));
    await v1.close();
    await db.exec('TRUNCATE market_data.venue_bars, market_data.bars');
    const v2 = await venue(data);
    stream = Math.max(stream, await full(v2.url, db, instruments));
    await v2.close();
  }
  const lat = await latency(db, instruments);
  const alertLat = await alertLatency(db);
  const varLines = await alertVarLines(db);
  await close();
  const pct = (q: number) => at(lat, q).toFixed(3);
  const fmt = (x: number) => `${Math.round(x).toLocaleString('en-US')} msg/s`;
  process.stdout.write(
    [
      `bare loop (receive + JSON.parse):         ${fmt(floor)}`,
      `stream (receive, parse, aggregate, bars): ${fmt(stream)}`,
      `composite-update latency (trade frame sent → listener), ${lat.length} trades: p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`,
      alertLine(alertLat),
      ...varLines,
      `ratio stream / floor: ${(stream / floor).toFixed(2)}× (target ≥ 0.5×); absolute target ≥ 100,000/s: ${stream >= 100_000 ? 'met' : 'NOT met'}`,
    ].join('\n') + '\n',
  );
}
