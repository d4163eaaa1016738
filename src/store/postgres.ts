import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { ConfigError, UnavailableError } from '../core/errors.ts';
import { copyCsvLine } from './csv.ts';
import type { Db, DbFeatures, Queryable, QueryResult } from './db.ts';
import { insertRowsViaUnnest } from './socket-copy.ts';
import { TxContext } from './tx-context.ts';
import { RESULT_PARSERS } from './type-parsers.ts';

/** Options for the node-postgres driver. */
export interface PostgresOptions {
  /** Pool size. @defaultValue 10 */
  max?: number;
  /**
   * How `copyRows` loads rows: `copy` streams `COPY … FROM STDIN (FORMAT csv)`; `insert` sends batched
   * `INSERT … SELECT FROM unnest(…)` in one transaction, for servers without COPY FROM STDIN (the
   * embedded store's socket). @defaultValue 'copy'
   */
  copy?: 'copy' | 'insert';
  /** Give up connecting after this long, in milliseconds. @defaultValue 10000 */
  connectTimeoutMs?: number;
  /** Sessions start with `default_transaction_read_only = on` (a pool that must never write). @defaultValue false */
  readOnly?: boolean;
}

/** Socket-level failures: the server is down, unknown or went away. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
]);

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  return undefined;
}

/** `host:port` of a connection URL, never its user or password. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    const socketHost = u.searchParams.get('host');
    const host = u.hostname || socketHost || 'localhost';
    return `${host}:${u.port || '5432'}`;
  } catch {
    return 'the configured address';
  }
}

function unreachable(target: string, err: unknown): UnavailableError {
  return new UnavailableError(`database at ${target} is not reachable`, { cause: err });
}

/** Maps connection-level failures to UnavailableError; SQL errors pass through with their SQLSTATE. */
function mapError(target: string, err: unknown): unknown {
  const code = errorCode(err);
  if (code !== undefined && NETWORK_CODES.has(code)) return unreachable(target, err);
  // A new pooled connection can fail on the server's side too: the database dropped under the pool (3D000),
  // connection exceptions (class 08), or the database closed to connections (55000 "not currently accepting").
  if (code === '3D000' && err instanceof Error) {
    return new UnavailableError(`${err.message} at ${target}`, { cause: err });
  }
  if (
    code !== undefined &&
    (code.startsWith('08') ||
      (code === '55000' && err instanceof Error && /not currently accepting connections/i.test(err.message)))
  ) {
    return unreachable(target, err);
  }
  // Every pooled connection busy past connectionTimeoutMillis (pg-pool raises this without a code), or the
  // server out of connection slots (class 53, e.g. 53300): the database is there but has no room now, a 503
  // for the caller to retry, not a 500.
  if (
    err instanceof Error &&
    code === undefined &&
    /timeout exceeded when trying to connect/i.test(err.message)
  ) {
    return new UnavailableError(`database at ${target} is busy: no free connection (pool exhausted)`, {
      cause: err,
    });
  }
  // Only the connection-slot shortage is the server's state; a statement's own limits (53200 out of memory,
  // 53400 temp_file_limit) belong to that statement and its caller (chat reports them as refused).
  if ((code === '53300' || code === '53000') && err instanceof Error) {
    return new UnavailableError(`database at ${target} is out of resources: ${err.message}`, { cause: err });
  }
  if (
    err instanceof Error &&
    code === undefined &&
    /connection terminated|not queryable/i.test(err.message)
  ) {
    // node-postgres raises these without a code when the socket closes under a query.
    return unreachable(target, err);
  }
  return err;
}

/** Errors while opening: everything that is not SQL is "not reachable"; a few SQLSTATEs say more. */
function mapOpenError(target: string, url: string, err: unknown): Error {
  const code = errorCode(err);
  if (code === '3D000') {
    let name = '';
    try {
      name = decodeURIComponent(new URL(url).pathname.slice(1));
    } catch {
      // keep the generic message
    }
    return new UnavailableError(`database "${name}" does not exist at ${target}`, { cause: err });
  }
  if (code === '28P01' || code === '28000') {
    return new ConfigError(`database at ${target} rejected the credentials (check DATABASE_URL)`, {
      cause: err,
    });
  }
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code) && !NETWORK_CODES.has(code) && err instanceof Error) {
    return err;
  }
  return unreachable(target, err);
}

function buildTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  for (const [oid, parse] of Object.entries(RESULT_PARSERS)) types.setTypeParser(Number(oid), parse);
  return types;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Streams rows as CSV into `COPY … FROM STDIN` on one client, in ~64 KiB chunks with backpressure. */
async function copyIn(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly unknown[]>,
): Promise<number> {
  const it = rows[Symbol.iterator]();
  const first = it.next();
  if (first.done) return 0;
  let n = 0;
  function* chunks(firstRow: readonly unknown[]): Generator<string> {
    let buf = copyCsvLine(firstRow);
    n = 1;
    for (let r = it.next(); !r.done; r = it.next()) {
      buf += copyCsvLine(r.value);
      n++;
      if (buf.length >= 65_536) {
        yield buf;
        buf = '';
      }
    }
    if (buf.length > 0) yield buf;
  }
  const cols = columns.map(quoteIdent).join(', ');
  const stream = client.query(copyFrom(`COPY ${table} (${cols}) FROM STDIN WITH (FORMAT csv)`));
  await pipeline(Readable.from(chunks(first.value)), stream);
  return n;
}

/**
 * Streams `COPY … TO STDOUT` output chunk by chunk into `write` (one chunk at a time: the socket is read on
 * only once `write` resolves). A copy abandoned half way leaves the connection mid-protocol: the caller
 * destroys it rather than returning it to the pool (see `copyOut` below).
 */
async function copyOutOn(
  client: pg.PoolClient,
  copySql: string,
  write: (chunk: Uint8Array) => Promise<void>,
): Promise<number> {
  const stream = client.query(copyTo(copySql));
  for await (const chunk of stream as AsyncIterable<Buffer>) await write(chunk);
  return stream.rowCount;
}

/**
 * One long-lived connection outside the pool for LISTEN. Notifications only arrive on the session that
 * listens, so it stays open; when it drops, it reconnects with backoff and listens to every channel again.
 */
class Listener {
  readonly #channels = new Map<string, Set<(payload: string) => void>>();
  #client: pg.Client | null = null;
  #connecting: Promise<pg.Client> | null = null;
  #closed = false;
  #retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly target: string,
  ) {}

  async subscribe(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    let set = this.#channels.get(channel);
    if (!set) {
      set = new Set();
      this.#channels.set(channel, set);
    }
    const firstForChannel = set.size === 0;
    set.add(onPayload);
    if (firstForChannel) {
      const client = await this.#connect();
      await client.query(`LISTEN ${quoteIdent(channel)}`);
    }
    return async () => {
      const current = this.#channels.get(channel);
      if (!current?.delete(onPayload) || current.size > 0) return;
      this.#channels.delete(channel);
      if (this.#client) await this.#client.query(`UNLISTEN ${quoteIdent(channel)}`);
    };
  }

  async #connect(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    if (!this.#connecting) {
      this.#connecting = this.#open().finally(() => {
        this.#connecting = null;
      });
    }
    return this.#connecting;
  }

  async #open(): Promise<pg.Client> {
    const client = new pg.Client(this.config);
    client.on('notification', (msg) => {
      const set = this.#channels.get(msg.channel);
      if (!set) return;
      for (const fn of set) fn(msg.payload ?? '');
    });
    // A dropped listen connection is repaired, not fatal: see #lost.
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    try {
      await client.connect();
    } catch (err) {
      throw mapOpenError(this.target, '', err);
    }
    for (const channel of this.#channels.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
    this.#client = client;
    return client;
  }

  #lost(client: pg.Client, delayMs = 250): void {
    if (this.#client === client) this.#client = null;
    if (this.#closed || this.#channels.size === 0 || this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#connect().catch(() => this.#lost(client, Math.min(delayMs * 2, 5_000)));
    }, delayMs);
    this.#retryTimer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = null;
    if (client) await client.end().catch(() => undefined);
  }
}

/** Opens a pooled node-postgres connection to `url` and checks that it answers. */
export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<Db> {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError('database URL must start with postgres:// or postgresql://');
  }
  const target = describeTarget(url);
  const types = buildTypes();
  const clientConfig: pg.ClientConfig = {
    connectionString: url,
    types,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    ...(opts.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  };
  const pool = new pg.Pool({ ...clientConfig, max: opts.max ?? 10 });
  // An idle pooled client whose server went away emits 'error'; the pool discards it and the next
  // query opens a new connection (or fails with UnavailableError), so there is nothing to do here.
  pool.on('error', () => undefined);
  // A checked-out client has no pool listener: a connection the server ends mid-transaction (terminated,
  // restarted) would emit an unhandled 'error' and end the process. Its query rejects and the transaction
  // releases it as broken, so the event itself needs no handling.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const copyMode = opts.copy ?? 'copy';

  let features: DbFeatures;
  try {
    const ext = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'timescaledb'",
    );
    features = { timescale: (ext.rows[0]?.n ?? 0) > 0 };
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw mapOpenError(target, url, err);
  }

  const run = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw mapError(target, err);
    }
  };

  const wrapClient = (client: pg.PoolClient, inTransaction: boolean): Queryable => {
    const q: Queryable = {
      async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
        const res = await run(() => client.query(sql, params as unknown[]));
        return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
      },
      async exec(sql: string): Promise<void> {
        await run(() => client.query(sql));
      },
      async copyRows(table, columns, rows): Promise<number> {
        if (copyMode === 'copy') return run(() => copyIn(client, table, columns, rows));
        if (inTransaction) return insertRowsViaUnnest(q, table, columns, rows);
        return transaction((tx) => insertRowsViaUnnest(tx, table, columns, rows));
      },
    };
    return q;
  };

  const withClient = async <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await run(() => pool.connect());
    try {
      const result = await fn(client);
      client.release();
      return result;
    } catch (err) {
      client.release(err instanceof Error ? err : undefined);
      throw err;
    }
  };

  const ctx = new TxContext();

  async function transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const outer = ctx.current();
    if (outer) return ctx.nested(outer, fn);
    const client = await run(() => pool.connect());
    try {
      await run(() => client.query('BEGIN'));
      const result = await ctx.run(wrapClient(client, true), fn);
      await run(() => client.query('COMMIT'));
      client.release();
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
        client.release();
      } catch (rollbackErr) {
        // The connection is unusable: destroy it instead of returning it to the pool.
        client.release(rollbackErr instanceof Error ? rollbackErr : new Error('rollback failed'));
      }
      throw err;
    }
  }

  const listener = new Listener(clientConfig, target);
  let closed = false;

  return {
    kind: 'postgres',
    features,
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const tx = ctx.current();
      if (tx) return tx.query<R>(sql, params);
      const res = await run(() => pool.query(sql, params as unknown[]));
      return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
    },
    async exec(sql: string): Promise<void> {
      const tx = ctx.current();
      if (tx) return tx.exec(sql);
      await run(() => pool.query(sql));
    },
    async copyRows(table, columns, rows): Promise<number> {
      const tx = ctx.current();
      if (tx) return tx.copyRows(table, columns, rows);
      if (copyMode === 'copy') return withClient((client) => run(() => copyIn(client, table, columns, rows)));
      return transaction((tx) => insertRowsViaUnnest(tx, table, columns, rows));
    },
    ...(copyMode === 'copy'
      ? {
          copyOut: (copySql: string, write: (chunk: Uint8Array) => Promise<void>) =>
            withClient((client) => run(() => copyOutOn(client, copySql, write))),
        }
      : {}),
    transaction,
    listen: (channel, onPayload) => run(() => listener.subscribe(channel, onPayload)),
    async notify(channel: string, payload: string): Promise<void> {
      const tx = ctx.current();
      if (tx) await tx.query('SELECT pg_notify($1, $2)', [channel, payload]);
      else await run(() => pool.query('SELECT pg_notify($1, $2)', [channel, payload]));
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await listener.close();
      await pool.end();
    },
    openSibling: (o) =>
      openPostgres(url, { ...opts, max: o.max, connectTimeoutMs: o.connectTimeoutMs, readOnly: o.readOnly }),
  };
}
