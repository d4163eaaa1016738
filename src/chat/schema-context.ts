import type { Queryable } from '../store/db.ts';
import { isPrivateRelation, OPS_VIEWS, PRIVATE_SCHEMAS, PUBLIC_SCHEMAS } from './allow-list.ts';
import { EXAMPLE_QUERIES, type ExampleQuery } from './examples.ts';

/**
 * What the model is told about the store, read from the live catalog (information_schema + comments):
 * every readable table and view with its columns, types and comments, a few rows of the small dimension
 * tables, and example questions with their SQL. Private relations appear only for the local model.
 */

interface ColumnInfo {
  name: string;
  type: string;
  comment: string | null;
}

interface TableInfo {
  schema: string;
  table: string;
  kind: 'table' | 'view';
  comment: string | null;
  columns: ColumnInfo[];
  /** A few rows, for small dimension tables only. */
  examples?: Record<string, unknown>[];
  private: boolean;
}

export interface SchemaContext {
  tables: TableInfo[];
  examples: ExampleQuery[];
  /** The context as prompt text. */
  text: string;
}

/** Small dimension tables whose first rows help the model (symbols, classes, ids). */
const DIMENSION_TABLES: Readonly<Record<string, string>> = {
  'market_data.instruments':
    'SELECT symbol, asset_class, name, currency FROM market_data.instruments ORDER BY asset_class, symbol LIMIT 8',
  'economic_data.series': 'SELECT id, title, frequency, units FROM economic_data.series ORDER BY id LIMIT 3',
  'risk.stress_scenarios': 'SELECT name FROM risk.stress_scenarios ORDER BY name LIMIT 3',
  'strategies.definitions': 'SELECT name, kind, params FROM strategies.definitions ORDER BY name LIMIT 3',
};

interface CatalogRow {
  table_schema: string;
  table_name: string;
  table_type: string;
  column_name: string;
  data_type: string;
  column_comment: string | null;
  table_comment: string | null;
}

function short(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  const s = typeof v === 'string' ? v : v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
  return typeof s === 'string' && s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export interface SchemaContextOptions {
  /** Include private relations (for the local model). @defaultValue false */
  includePrivate?: boolean;
}

export async function buildSchemaContext(
  db: Queryable,
  opts: SchemaContextOptions = {},
): Promise<SchemaContext> {
  const includePrivate = opts.includePrivate ?? false;
  const schemas = [...PUBLIC_SCHEMAS, 'ops', ...(includePrivate ? PRIVATE_SCHEMAS : [])];
  const res = await db.query<CatalogRow>(
    `SELECT c.table_schema, c.table_name, t.table_type, c.column_name, c.data_type,
            col_description(format('%I.%I', c.table_schema, c.table_name)::regclass, c.ordinal_position::int) AS column_comment,
            obj_description(format('%I.%I', c.table_schema, c.table_name)::regclass, 'pg_class') AS table_comment
     FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = ANY($1::text[])
     ORDER BY c.table_schema, c.table_name, c.ordinal_position`,
    [schemas],
  );
  const byName = new Map<string, TableInfo>();
  for (const r of res.rows) {
    if (r.table_schema === 'ops' && !OPS_VIEWS.has(r.table_name)) continue;
    const priv = isPrivateRelation(r.table_schema, r.table_name);
    if (priv && !includePrivate) continue;
    const key = `${r.table_schema}.${r.table_name}`;
    let t = byName.get(key);
    if (!t) {
      t = {
        schema: r.table_schema,
        table: r.table_name,
        kind: r.table_type === 'VIEW' ? 'view' : 'table',
        comment: r.table_comment,
        columns: [],
        private: priv,
      };
      byName.set(key, t);
    }
    t.columns.push({ name: r.column_name, type: r.data_type, comment: r.column_comment });
  }
  for (const [key, sql] of Object.entries(DIMENSION_TABLES)) {
    const t = byName.get(key);
    if (!t) continue;
    const rows = await db.query(sql);
    t.examples = rows.rows.map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, short(v)])),
    );
  }
  const tables = [...byName.values()];
  const examples = EXAMPLE_QUERIES.filter((e) => includePrivate || !e.private);
  return { tables, examples, text: renderContext(tables, examples) };
}

const columnCache = new WeakMap<Queryable, { at: number; columns: Promise<ReadonlySet<string>> }>();
/** How long a store's column names are reused, ms (migrations add columns rarely). */
const COLUMNS_TTL_MS = 30_000;

/**
 * Every column name of the relations a chat query may read (public, private and the ops views), for
 * the guard's column-notation check (`t.f` is a call of `f` when no column is named `f`).
 */
export function knownColumns(db: Queryable): Promise<ReadonlySet<string>> {
  const hit = columnCache.get(db);
  if (hit && Date.now() - hit.at < COLUMNS_TTL_MS) return hit.columns;
  const columns = db
    .query<{ column_name: string }>(
      `SELECT DISTINCT column_name FROM information_schema.columns
       WHERE table_schema = ANY($1::text[]) AND (table_schema <> 'ops' OR table_name = ANY($2::text[]))`,
      [[...PUBLIC_SCHEMAS, ...PRIVATE_SCHEMAS, 'ops'], [...OPS_VIEWS]],
    )
    .then((r): ReadonlySet<string> => new Set(r.rows.map((row) => row.column_name)));
  columnCache.set(db, { at: Date.now(), columns });
  columns.catch(() => columnCache.delete(db));
  return columns;
}

function renderContext(tables: readonly TableInfo[], examples: readonly ExampleQuery[]): string {
  const lines: string[] = ['PostgreSQL 15 database. Readable relations (always schema-qualify them):', ''];
  for (const t of tables) {
    lines.push(
      `${t.schema}.${t.table} (${t.kind})${t.comment ? ` -- ${t.comment.replace(/\s+/g, ' ')}` : ''}`,
    );
    for (const c of t.columns) {
      lines.push(`  ${c.name} ${c.type}${c.comment ? ` -- ${c.comment.replace(/\s+/g, ' ')}` : ''}`);
    }
    if (t.examples && t.examples.length > 0) {
      lines.push(`  example rows: ${t.examples.map((e) => JSON.stringify(e)).join(' ')}`);
    }
  }
  lines.push('', 'Example questions and their SQL:');
  for (const e of examples) lines.push(`Q: ${e.question}`, `SQL: ${e.sql.replace(/\s*\n\s*/g, ' ')}`, '');
  return lines.join('\n');
}
