/**
 * The one storage interface. Drivers: `pglite` (embedded, default) and `postgres` (node-postgres pool,
 * `DATABASE_URL`); the embedded store reached from a second process is `postgres` over the owner's socket.
 * Repositories hold plain parameterised SQL against this interface and never import a driver.
 */

export interface QueryResult<R> {
  rows: R[];
  /** Rows affected by INSERT/UPDATE/DELETE, or returned by SELECT. */
  rowCount: number;
}

/** What both a database and an open transaction can do. */
export interface Queryable {
  /** One statement with `$1…$n` parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** One or more statements without parameters (DDL, migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk-loads rows into `table` (`schema.table`) with COPY. Values are JS values: numbers, strings,
   * booleans, Dates, null; objects are written as JSON. Returns the number of rows copied.
   */
  copyRows(table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>): Promise<number>;
}

type DbKind = 'pglite' | 'postgres';

export interface DbFeatures {
  /** The `timescaledb` extension is installed in this database. */
  timescale: boolean;
}

export interface Db extends Queryable {
  readonly kind: DbKind;
  readonly features: DbFeatures;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Subscribes to a LISTEN/NOTIFY channel; resolves to an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
  /**
   * PostgreSQL only: a second, separate pool to the same database (e.g. the chat executor's, so its
   * statements cannot take the app pool's connections). The caller closes it.
   */
  openSibling?(opts: { max: number; connectTimeoutMs?: number; readOnly?: boolean }): Promise<Db>;
  /**
   * PostgreSQL over a real server connection only (absent where COPY TO STDOUT cannot stream: PGlite, the
   * embedded store's socket): runs `copySql` (`COPY (…) TO STDOUT …`) and hands each chunk of its output to
   * `write` as it arrives, reading the next only once `write` resolves (bounded memory). Returns the rows
   * copied.
   */
  copyOut?(copySql: string, write: (chunk: Uint8Array) => Promise<void>): Promise<number>;
  /**
   * Embedded PGlite only: a consistent copy of the store another PGlite can open (off this thread), as
   * a data directory copied to `dir` (on-disk store) or a tarball (in-memory store).
   */
  snapshot?(dir: string): Promise<DbSnapshot>;
}

/** A copy of an embedded store: a directory PGlite opens, or a `dumpDataDir` tarball. */
export type DbSnapshot = { kind: 'dir'; path: string } | { kind: 'tar'; data: ArrayBuffer };
