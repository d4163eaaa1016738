import type { Queryable } from './db.ts';

/**
 * `copyRows` for servers that cannot take `COPY … FROM STDIN`: the PGlite socket server runs each
 * protocol message to completion, so the copy sub-protocol (CopyInResponse, then CopyData from the
 * client) loses synchronisation and the connection is terminated. Rows go instead as one text array per
 * column into `INSERT … SELECT … FROM unnest($1::text[], …)`, cast to the table's column types, in
 * batches. Callers wrap it in a transaction so the load is all-or-nothing like COPY.
 */

/** Rows per INSERT statement. @defaultValue 5000 */
const UNNEST_BATCH_ROWS = 5000;

/** A JS value as the text Postgres parses for the column type (the same text COPY CSV would carry). */
function toPgText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Number.POSITIVE_INFINITY) return 'Infinity';
    if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
    return String(value);
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Builds the INSERT for `columns` of `table` with their SQL types (`format_type` names). */
function unnestInsertSql(table: string, columns: readonly string[], types: readonly string[]): string {
  const cols = columns.map(quoteIdent).join(', ');
  const casts = columns.map((_, i) => `u.c${i}::${types[i]}`).join(', ');
  const params = columns.map((_, i) => `$${i + 1}::text[]`).join(', ');
  const aliases = columns.map((_, i) => `c${i}`).join(', ');
  return `INSERT INTO ${table} (${cols}) SELECT ${casts} FROM unnest(${params}) AS u(${aliases})`;
}

export async function insertRowsViaUnnest(
  q: Pick<Queryable, 'query'>,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly unknown[]>,
  batchRows = UNNEST_BATCH_ROWS,
): Promise<number> {
  const found = await q.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
    [table],
  );
  const typeOf = new Map(found.rows.map((r) => [r.name, r.type]));
  const types = columns.map((c) => {
    const t = typeOf.get(c);
    if (t === undefined) throw new Error(`copyRows: table ${table} has no column "${c}"`);
    return t;
  });
  const sql = unnestInsertSql(table, columns, types);
  let batch: (string | null)[][] = columns.map(() => []);
  let inBatch = 0;
  let total = 0;
  const flush = async (): Promise<void> => {
    if (inBatch === 0) return;
    await q.query(sql, batch);
    total += inBatch;
    batch = columns.map(() => []);
    inBatch = 0;
  };
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) batch[i]?.push(toPgText(row[i]));
    inBatch++;
    if (inBatch >= batchRows) await flush();
  }
  await flush();
  return total;
}
