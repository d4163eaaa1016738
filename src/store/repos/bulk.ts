/**
 * The shared bulk-upsert engine: rows are cut into batches, each batch is COPYed into a temporary staging
 * table and merged into its target with ONE set-based `INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE …
 * IS DISTINCT FROM …`, so a re-run of the same load rewrites nothing and counts nothing as stored. A batch
 * that provably holds only new keys takes the append fast path instead (see `DirectSpec`).
 */
import { NotFoundError } from '../../core/errors.ts';
import type { Db, Queryable } from '../db.ts';

/** What a bulk load did: `stored` rows were new or changed, `unchanged = read − stored`. */
export interface UpsertResult {
  stored: number;
  unchanged: number;
}

export interface UpsertOptions {
  /**
   * Rows per staging batch; each batch is its own transaction unless `atomic` is set, so memory stays
   * bounded by one batch whatever the input size.
   * @defaultValue 50000
   */
  batchSize?: number;
  /**
   * Run every batch of the call in ONE transaction: all rows are stored or none (an unknown symbol or bad
   * value in a late batch rolls back the earlier ones). Memory stays bounded; the transaction grows.
   * @defaultValue false
   */
  atomic?: boolean;
}

const DEFAULT_BATCH_SIZE = 50_000;

/** Symbol → instrument id, looked up once per symbol per load. */
class SymbolIds {
  private readonly ids = new Map<string, number>();

  /** Resolves every symbol of `symbols`; throws NotFoundError naming the unknown ones, before the batch is written. */
  async resolve(db: Queryable, symbols: Iterable<string>): Promise<void> {
    const missing: string[] = [];
    for (const s of symbols) if (!this.ids.has(s)) missing.push(s);
    if (missing.length === 0) return;
    const res = await db.query<{ id: number; symbol: string }>(
      'SELECT id, symbol FROM market_data.instruments WHERE symbol = ANY($1::text[])',
      [missing],
    );
    for (const r of res.rows) this.ids.set(r.symbol, Number(r.id));
    const unknown = missing.filter((s) => !this.ids.has(s)).sort();
    if (unknown.length > 0) {
      const shown = unknown.slice(0, 10).map((s) => `"${s}"`);
      const more = unknown.length > 10 ? ` and ${unknown.length - 10} more` : '';
      throw new NotFoundError(
        `unknown instrument${unknown.length > 1 ? 's' : ''} ${shown.join(', ')}${more} (see marketpipe instruments list)`,
        { details: { symbols: unknown } },
      );
    }
  }

  get(symbol: string): number {
    const id = this.ids.get(symbol);
    if (id === undefined) throw new NotFoundError(`unknown instrument "${symbol}"`);
    return id;
  }
}

/** How one kind of row is staged and merged. */
export interface BulkSpec<T> {
  /** DDL body of the staging table's columns; the first column must be `ord bigint` (input order). */
  stageColumns: string;
  /** Column names for COPY, in the order `toRow` returns values. */
  copyColumns: readonly string[];
  /** Validates one input row (throwing a ValidationError) and returns its symbol. */
  check(row: T): string;
  /**
   * A fresh per-batch tracker answering "could this row repeat the key of an earlier row of the batch?".
   * Cheap (series ascending in time never trigger it); a `true` makes the merge deduplicate the batch.
   */
  repeatTracker(): (row: T) => boolean;
  /** The staged values of one row (`ord` first). */
  toRow(row: T, ord: number, ids: SymbolIds): readonly unknown[];
  /**
   * The set-based merge from `stage` (an `INSERT … ON CONFLICT DO UPDATE … WHERE <changed>`, whose row count
   * is the number of rows inserted or changed). With `dedupe`, it must keep the last (highest `ord`) row of
   * each repeated key.
   */
  mergeSql(stage: string, dedupe: boolean): string;
  /** The append fast path: rows straight into the target table when they cannot meet stored rows. */
  direct: DirectSpec<T>;
}

/**
 * A batch whose keys repeat nothing inside it and whose every series' time span holds no stored row is new
 * through and through: the merge would insert every row. Such a batch is COPYed straight into the target
 * (under a savepoint; a unique violation from a concurrent writer falls back to the merge), which is the
 * common case of incremental loads appending after the last stored bar.
 */
interface DirectSpec<T> {
  table: string;
  columns: readonly string[];
  toRow(row: T, ids: SymbolIds): readonly unknown[];
  /** A query returning one row `{ overlaps: boolean }`: does any stored row fall in the batch's spans? */
  overlapQuery(rows: readonly T[], ids: SymbolIds): { sql: string; params: unknown[] };
}

function sqlState(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  return undefined;
}

/** Tries the append fast path; true when the batch was stored that way. */
async function tryDirect<T>(
  tx: Queryable,
  spec: BulkSpec<T>,
  rows: readonly T[],
  ids: SymbolIds,
): Promise<boolean> {
  const q = spec.direct.overlapQuery(rows, ids);
  const res = await tx.query<{ overlaps: boolean }>(q.sql, q.params);
  if (res.rows[0]?.overlaps !== false) return false;
  await tx.exec('SAVEPOINT mp_direct_append');
  try {
    await tx.copyRows(
      spec.direct.table,
      spec.direct.columns,
      rows.map((row) => spec.direct.toRow(row, ids)),
    );
  } catch (err) {
    // 23505 unique_violation: a concurrent writer stored one of the keys meanwhile — merge instead.
    if (sqlState(err) !== '23505') throw err;
    await tx.exec('ROLLBACK TO SAVEPOINT mp_direct_append');
    return false;
  }
  await tx.exec('RELEASE SAVEPOINT mp_direct_append');
  return true;
}

interface CheckedBatch<T> {
  rows: T[];
  symbols: Set<string>;
  repeats: boolean;
}

/** Cuts the input into batches, validating each row and noting whether the batch may repeat a key. */
async function* checkedBatches<T>(
  rows: Iterable<T> | AsyncIterable<T>,
  spec: BulkSpec<T>,
  size: number,
): AsyncGenerator<CheckedBatch<T>> {
  let batch: CheckedBatch<T> = { rows: [], symbols: new Set(), repeats: false };
  let repeated = spec.repeatTracker();
  for await (const row of rows) {
    batch.symbols.add(spec.check(row));
    if (!batch.repeats && repeated(row)) batch.repeats = true;
    batch.rows.push(row);
    if (batch.rows.length >= size) {
      yield batch;
      batch = { rows: [], symbols: new Set(), repeats: false };
      repeated = spec.repeatTracker();
    }
  }
  if (batch.rows.length > 0) yield batch;
}

/**
 * Iterates `source`, reading item k+1 while item k is handled: the next batch is pulled from the input
 * (parsed, generated, validated) while the database merges the current one.
 */
async function prefetching<B>(source: AsyncGenerator<B>, handle: (item: B) => Promise<void>): Promise<void> {
  let pending = source.next();
  // Seen later by `await pending`; this only stops an early exit from reporting it as unhandled.
  pending.catch(() => undefined);
  try {
    for (;;) {
      const r = await pending;
      if (r.done) return;
      pending = source.next();
      pending.catch(() => undefined);
      await handle(r.value);
    }
  } finally {
    await pending.catch(() => undefined);
    await source.return(undefined);
  }
}

let stageSeq = 0;

/** Runs a bulk upsert of `rows` as described in this module's header. */
export async function bulkUpsert<T>(
  db: Db,
  rows: Iterable<T> | AsyncIterable<T>,
  spec: BulkSpec<T>,
  opts: UpsertOptions = {},
): Promise<UpsertResult> {
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH_SIZE));
  const ids = new SymbolIds();
  // A fresh name per call: two loads in one session never share a staging table.
  const stage = `mp_stage_${process.pid}_${++stageSeq}`;
  let read = 0;
  let stored = 0;
  let ordBase = 0;

  /**
   * Stores one batch. The staging table lives from CREATE to DROP inside the batch, so it never outlives
   * it — also when the caller's own transaction turns each batch transaction into a savepoint.
   */
  const mergeBatch = async (tx: Queryable, batch: CheckedBatch<T>): Promise<void> => {
    await ids.resolve(tx, batch.symbols);
    read += batch.rows.length;
    const base = ordBase;
    ordBase += batch.rows.length;
    if (!batch.repeats && (await tryDirect(tx, spec, batch.rows, ids))) {
      stored += batch.rows.length;
      return;
    }
    await tx.exec(`CREATE TEMP TABLE ${stage} (${spec.stageColumns}) ON COMMIT DROP`);
    await tx.copyRows(
      stage,
      spec.copyColumns,
      batch.rows.map((row, i) => spec.toRow(row, base + i, ids)),
    );
    const res = await tx.query(spec.mergeSql(stage, batch.repeats));
    stored += res.rowCount;
    await tx.exec(`DROP TABLE ${stage}`);
  };

  const batches = checkedBatches(rows, spec, batchSize);
  if (opts.atomic) {
    await db.transaction((tx) => prefetching(batches, (batch) => mergeBatch(tx, batch)));
  } else {
    await prefetching(batches, (batch) => db.transaction((tx) => mergeBatch(tx, batch)));
  }
  return { stored, unchanged: read - stored };
}
