import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { UnavailableError } from '../core/errors.ts';
import type { Db } from './db.ts';
import {
  createLock,
  isProcessAlive,
  lockPath,
  readLock,
  removeOwnLockSync,
  removeStaleLock,
  type StoreLock,
  updateLock,
} from './lock.ts';
import { type MigrateOptions, type MigrateResult, migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import { STORE_HOOKS } from './seed.ts';
import { eventRelayClient, startEventRelay } from './socket-events.ts';
import { SessionGate } from './socket-gate.ts';
import { NotificationHub } from './socket-notify.ts';
import { startSocketServer } from './socket-server.ts';
import { templateFor } from './template.ts';
import { applyTimescale, type TimescaleStatus } from './timescale.ts';

/**
 * How a process reaches the store:
 * - `postgres`: `DATABASE_URL` (node-postgres pool);
 * - `embedded-owner`: this process opened PGlite at `$home/db` and serves it on a loopback socket;
 * - `embedded-client`: another live process owns it; this one connects through that socket;
 * - `memory`: a throwaway in-memory PGlite (tests, dry runs).
 */
export type StoreMode = 'postgres' | 'embedded-owner' | 'embedded-client' | 'memory';

export interface OpenStoreOptions {
  /** `$MARKETPIPE_HOME`: the embedded store lives in `db/`, its lock in `db.lock`. */
  home: string;
  /** PostgreSQL URL; when set the embedded store is not used. */
  databaseUrl?: string;
  /** In-memory PGlite, nothing on disk. @defaultValue false */
  memory?: boolean;
  /** Use TimescaleDB when the database has it or can create it. @defaultValue true */
  timescale?: boolean;
  /** How long to wait for another process that is still starting the embedded store, ms. @defaultValue 60000 */
  waitMs?: number;
  /** Load the shipped universe into a new store (migration 092's hook). @defaultValue true */
  seedUniverse?: boolean;
}

export interface Store {
  db: Db;
  mode: StoreMode;
  /** Migrations applied by this open (empty when the store was current). */
  migrations: MigrateResult;
  timescale: TimescaleStatus;
  /** Where the embedded store is served (owner and client modes): `psql <url>` works. */
  socket?: { host: string; port: number; url: string };
  /** Closes connections; an owner also stops serving and removes the lock. Idempotent. */
  close(): Promise<void>;
}

function socketUrl(host: string, port: number): string {
  return `postgres://postgres@${host}:${port}/postgres`;
}

/** Advisory lock key that serialises migrations between processes sharing one PostgreSQL database. */
const MIGRATION_LOCK_KEY = 7_276_587_011;

function hooksFor(opts: OpenStoreOptions): MigrateOptions['hooks'] {
  return opts.seedUniverse === false ? {} : STORE_HOOKS;
}

async function prepare(
  db: Db,
  timescale: boolean | undefined,
  shared = false,
  hooks: MigrateOptions['hooks'] = STORE_HOOKS,
): Promise<[MigrateResult, TimescaleStatus]> {
  // Several workers may start at once against one PostgreSQL: one migrates while the others wait on
  // the lock and then find nothing left to do. Inside the outer transaction each migration runs as a
  // savepoint (see tx-context.ts), so the whole set commits together.
  const migrations = shared
    ? await db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        return migrate(db, undefined, { hooks });
      })
    : await migrate(db, undefined, { hooks });
  const ts: TimescaleStatus =
    timescale === false
      ? { enabled: false, reason: 'timescale disabled by option', created: [] }
      : await applyTimescale(db);
  return [migrations, ts];
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () => {
    done ??= fn();
    return done;
  };
}

async function openOwner(
  home: string,
  path: string,
  lock: StoreLock,
  opts: OpenStoreOptions,
): Promise<Store> {
  const onExit = (): void => removeOwnLockSync(path);
  process.once('exit', onExit);
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.reverse()) await fn();
    cleanups.length = 0;
    removeOwnLockSync(path);
    process.off('exit', onExit);
  };
  try {
    const dataDir = join(home, 'db');
    mkdirSync(dataDir, { recursive: true });
    let pg: PGlite;
    try {
      // a new store starts from the initialised template when `npm ci` made one (skips initdb)
      const loadDataDir = templateFor(dataDir);
      pg = await PGlite.create(dataDir, loadDataDir ? { loadDataDir } : {});
    } catch (err) {
      throw new UnavailableError(`embedded store at ${dataDir} could not be opened`, { cause: err });
    }
    cleanups.push(async () => {
      if (!pg.closed) await pg.close();
    });
    const gate = new SessionGate();
    const base = await openPglite({ instance: pg, gate, dataDir });
    const hub = new NotificationHub((sql) => base.exec(sql));
    const offNotify = pg.onNotification((channel, payload) => hub.dispatch(channel, payload));
    cleanups.push(async () => offNotify());
    const db: Db = {
      ...base,
      listen: (channel, onPayload) => hub.subscribe(channel, onPayload),
      close: () => close(),
    };
    const [migrations, timescale] = await prepare(db, opts.timescale, false, hooksFor(opts));
    const server = await startSocketServer(pg, gate, hub);
    cleanups.push(() => server.stop());
    const relay = await startEventRelay(hub, server.host);
    cleanups.push(() => relay.stop());
    await updateLock(path, { ...lock, host: server.host, port: server.port, events_port: relay.port });
    const close = once(cleanup);
    return {
      db,
      mode: 'embedded-owner',
      migrations,
      timescale,
      socket: { host: server.host, port: server.port, url: socketUrl(server.host, server.port) },
      close,
    };
  } catch (err) {
    await cleanup().catch(() => undefined);
    throw err;
  }
}

async function openClient(
  lock: StoreLock & { port: number; events_port: number },
  opts: OpenStoreOptions,
): Promise<Store> {
  const url = socketUrl(lock.host, lock.port);
  // One connection: the owner runs one statement at a time anyway. COPY FROM STDIN does not survive
  // the socket (see socket-copy.ts), so bulk loads use batched INSERT … FROM unnest.
  const remote = await openPostgres(url, { max: 1, copy: 'insert', connectTimeoutMs: 5_000 });
  const relay = eventRelayClient(lock.host, lock.events_port);
  const close = once(async () => {
    await relay.close();
    await remote.close();
  });
  const db: Db = { ...remote, listen: (channel, onPayload) => relay.listen(channel, onPayload), close };
  try {
    const [migrations, timescale] = await prepare(db, opts.timescale, false, hooksFor(opts));
    return {
      db,
      mode: 'embedded-client',
      migrations,
      timescale,
      socket: { host: lock.host, port: lock.port, url },
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

/** An unreadable lock this old is a crash between create and write. */
const INVALID_LOCK_GRACE_MS = 2_000;
/** A live pid whose socket keeps refusing this long is not our owner (pid reused) or is shutting down. */
const REFUSED_GRACE_MS = 5_000;

async function openEmbedded(opts: OpenStoreOptions): Promise<Store> {
  mkdirSync(opts.home, { recursive: true });
  const path = lockPath(opts.home);
  const waitMs = opts.waitMs ?? 60_000;
  const deadline = Date.now() + waitMs;
  let invalidSince: number | null = null;
  let refused = null as { raw: string; since: number } | null;
  for (;;) {
    const mine: StoreLock = {
      pid: process.pid,
      host: '127.0.0.1',
      port: null,
      events_port: null,
      started_at: new Date().toISOString(),
    };
    if (await createLock(path, mine)) return openOwner(opts.home, path, mine, opts);
    const read = await readLock(path);
    if (read.state === 'absent') continue;
    if (read.state === 'invalid') {
      invalidSince ??= Date.now();
      if (Date.now() - invalidSince > INVALID_LOCK_GRACE_MS) await removeStaleLock(path, read.raw);
      else await sleep(50);
      continue;
    }
    invalidSince = null;
    const { lock, raw } = read;
    if (!isProcessAlive(lock.pid)) {
      await removeStaleLock(path, raw);
      continue;
    }
    const { port, events_port } = lock;
    if (port === null || events_port === null) {
      if (Date.now() > deadline) {
        throw new UnavailableError(
          `embedded store in ${opts.home} is being opened by process ${lock.pid}, not ready after ${waitMs} ms`,
        );
      }
      await sleep(50);
      continue;
    }
    try {
      return await openClient({ ...lock, port, events_port }, opts);
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      if (refused?.raw !== raw) refused = { raw, since: Date.now() };
      else if (Date.now() - refused.since > REFUSED_GRACE_MS) {
        await removeStaleLock(path, raw);
        refused = null;
        continue;
      }
      if (Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

/**
 * Opens the store the settings ask for, applies migrations and the TimescaleDB layout, and says how it
 * is reached. `databaseUrl` wins; else `memory`; else the embedded store under `home` (owner or client).
 */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  if (opts.databaseUrl) {
    const db = await openPostgres(opts.databaseUrl);
    try {
      const [migrations, timescale] = await prepare(db, opts.timescale, true, hooksFor(opts));
      return { db, mode: 'postgres', migrations, timescale, close: once(() => db.close()) };
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }
  if (opts.memory) {
    const db = await openPglite();
    // a throwaway store (tests, dry runs) starts empty: no default universe
    const [migrations, timescale] = await prepare(db, opts.timescale, false, {});
    return { db, mode: 'memory', migrations, timescale, close: once(() => db.close()) };
  }
  return openEmbedded(opts);
}
