/** `marketpipe stream`: builds the runner from the command's store and settings and runs it. */
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { createCache, createPubSub } from '../cache/index.ts';
import { NotFoundError, UsageError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Instrument } from '../core/types.ts';
import type { Settings } from '../settings.ts';
import { BinanceSource } from '../sources/binance/client.ts';
import { CoinbaseSource } from '../sources/coinbase/client.ts';
import { KrakenSource } from '../sources/kraken/client.ts';
import { uniformAt } from '../sources/synthetic/random.ts';
import type { Db } from '../store/db.ts';
import { listInstruments } from '../store/repos/instruments.ts';
import { LeaseManager } from './leases.ts';
import type { Venue } from './protocol.ts';
import { StreamRunner, type StreamSummary } from './runner.ts';
import { streamTargets } from './targets.ts';
import { PROTOCOLS, wsUrls } from './venues.ts';

export interface StreamCommandOptions {
  symbols?: string[];
  venues: Venue[];
  forMs?: number;
  seed: number;
  /** Redis key prefix of the leases. */
  leasePrefix: string;
}

/** What the command gives the stream: its open store, settings and logger. */
export interface StreamContext {
  db: Db;
  settings: Settings;
  log: Logger;
}

export async function runStream(c: StreamContext, opts: StreamCommandOptions): Promise<StreamSummary> {
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
  const cache = createCache(c.settings, c.log);
  const pubsub = createPubSub(c.settings, c.db, c.log);
  const runner = new StreamRunner({
    db: c.db,
    cache,
    pubsub,
    listeners: [],
    protocols: PROTOCOLS,
    wsUrls: wsUrls(c.settings),
    rest,
    instruments: new Map(instruments.map((i) => [i.symbol, i])),
    random: seededJitter(opts.seed),
    log: c.log,
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
  await leases?.stop();
  const summary = await runner.stop();
  redis?.disconnect();
  await pubsub.close();
  await cache.close();
  return summary;
}

/** Reconnect jitter from `seed`: the i-th draw is a pure function of (seed, i). */
function seededJitter(seed: number): () => number {
  let i = 0;
  return () => uniformAt(seed, i++);
}
