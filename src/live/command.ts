/** `marketpipe stream`: builds the runner from the command's store and settings and runs it. */
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Cache, PubSub } from '../cache/cache.ts';
import { NotFoundError, UsageError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Instrument } from '../core/types.ts';
import type { RiskParams } from '../risk/service.ts';
import type { Settings } from '../settings.ts';
import { BinanceSource } from '../sources/binance/client.ts';
import { CoinbaseSource } from '../sources/coinbase/client.ts';
import { KrakenSource } from '../sources/kraken/client.ts';
import { uniformAt } from '../sources/synthetic/random.ts';
import type { Db } from '../store/db.ts';
import { listInstruments } from '../store/repos/instruments.ts';
import { type AlertListenerDeps, createAlertListeners } from './alerts/index.ts';
import type { LiveClock, ParamReader } from './alerts/timers.ts';
import { LeaseManager } from './leases.ts';
import type { Venue } from './protocol.ts';
import { StreamRunner, type StreamSummary } from './runner.ts';
import { streamTargets } from './targets.ts';
import type { CompositeListener } from './types.ts';
import { embeddedVenues, PROTOCOLS, wsUrls } from './venues.ts';

export interface StreamCommandOptions {
  symbols?: string[];
  venues: Venue[];
  forMs?: number;
  seed: number;
  /** Redis key prefix of the leases. */
  leasePrefix: string;
}

/** What the stream needs from its process: the open store, settings and logger. */
export interface StreamContext {
  db: Db;
  settings: Settings;
  log: Logger;
  /** The process's cache, pub/sub and config store (the runtime's). */
  cache: Cache;
  pubsub: PubSub;
  config: ParamReader & RiskParams;
  /** Time of the depeg and live-risk holds. @defaultValue the real clock */
  clock?: LiveClock;
  /** Composite listeners besides the depeg alerts and live risk (which `startStream` always adds). */
  listeners?: readonly CompositeListener[];
  /** Where and how big the live VaR runs (see `AlertListenerDeps`). @defaultValue a worker, the config's paths */
  liveVar?: Pick<AlertListenerDeps, 'liveVarIn' | 'liveVarSimulations'>;
}

/** `startStream` runs on the process's services (the runtime's). */
export type StartStreamContext = StreamContext;

export interface StartedStream {
  runner: StreamRunner;
  venues: Venue[];
  /** Gives the leases back, stops the connections, writes the closed bars; the summary. */
  stop(): Promise<StreamSummary>;
}

/**
 * Starts streaming `opts.symbols` (default: every active crypto and stablecoin) on `opts.venues`; with
 * `settings.redisUrl` under leases shared with other processes. For `stream` and for the embedded mode of
 * `start` (`startEmbeddedStream`).
 */
export async function startStream(
  c: StartStreamContext,
  opts: Omit<StreamCommandOptions, 'forMs'>,
): Promise<StartedStream> {
  const all = await listInstruments(c.db, {
    active: true,
    ...(opts.symbols ? { symbols: opts.symbols } : {}),
  });
  if (opts.symbols) {
    const missing = opts.symbols.filter((s) => !all.some((i) => i.symbol === s));
    if (missing.length > 0)
      throw new NotFoundError(`unknown instrument "${missing[0]}" (see marketpipe instruments list)`);
  }
  const instruments: Instrument[] = all.filter(
    (i) => i.assetClass === 'crypto' || i.assetClass === 'stablecoin',
  );
  const p = c.settings.providers;
  const rest = {
    binance: new BinanceSource({ baseUrl: p.binance.baseUrl }),
    coinbase: new CoinbaseSource({ baseUrl: p.coinbase.baseUrl }),
    kraken: new KrakenSource({ baseUrl: p.kraken.baseUrl }),
  };
  const targets = streamTargets(instruments, opts.venues, rest);
  if (targets.length === 0) throw new UsageError('stream: no instrument is listed on the venues asked for');
  // Depeg alerts (store, `depeg_alerts`, webhook, email) and live risk; the runner closes them when it stops.
  const alerts = await createAlertListeners({
    db: c.db,
    pubsub: c.pubsub,
    config: c.config,
    settings: c.settings,
    log: c.log,
    clock: c.clock,
    ...c.liveVar,
  });
  const runner = new StreamRunner({
    db: c.db,
    cache: c.cache,
    pubsub: c.pubsub,
    listeners: [...alerts.listeners, ...(c.listeners ?? [])],
    protocols: PROTOCOLS,
    wsUrls: wsUrls(c.settings),
    rest,
    instruments: new Map(instruments.map((i) => [i.symbol, i])),
    random: seededJitter(opts.seed),
    log: c.log,
    // alerts and recoveries delivered (published, then stored and sent)
    alertCount: () => alerts.notifier.delivered,
  });
  let leases: LeaseManager | undefined;
  let redis: Redis | undefined;
  if (c.settings.redisUrl) {
    redis = new Redis(c.settings.redisUrl, { maxRetriesPerRequest: 1 });
    runner.start();
    leases = new LeaseManager(targets, {
      redis,
      owner: `${hostname()}:${process.pid}:${opts.seed}`,
      prefix: opts.leasePrefix,
      onAcquire: (t) => runner.add(t),
      onRelease: (t) => runner.remove(t),
      log: c.log,
    });
    leases.start();
  } else runner.start(targets);
  return {
    runner,
    venues: opts.venues,
    async stop() {
      await leases?.stop();
      const summary = await runner.stop();
      redis?.disconnect();
      return summary;
    },
  };
}

/**
 * The embedded mode of `start`: streams every active crypto and stablecoin on the venues whose WebSocket
 * URL is set explicitly (`<VENUE>_WS_URL`), on the server's cache, pub/sub and config; none set, nothing
 * runs (undefined) and no venue is dialled.
 */
export async function startEmbeddedStream(c: StartStreamContext): Promise<StartedStream | undefined> {
  const venues = embeddedVenues(c.settings);
  if (venues.length === 0) return undefined;
  return startStream(c, { venues, seed: 1, leasePrefix: 'marketpipe:' });
}

/** `marketpipe stream`: runs until `--for` has passed or SIGINT/SIGTERM arrives. */
export async function runStream(c: StreamContext, opts: StreamCommandOptions): Promise<StreamSummary> {
  const stream = await startStream(c, opts);
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      clearTimeout(timer);
      resolve();
    };
    const timer = opts.forMs === undefined ? undefined : setTimeout(done, opts.forMs);
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
  return stream.stop();
}

/** Reconnect jitter from `seed`: the i-th draw is a pure function of (seed, i). */
function seededJitter(seed: number): () => number {
  let i = 0;
  return () => uniformAt(seed, i++);
}
