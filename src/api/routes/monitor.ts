import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError } from '../../core/errors.ts';
import { INTERVALS } from '../../core/types.ts';
import type { Queryable } from '../../store/db.ts';
import { coverage } from '../../store/repos/coverage.ts';
import { useApiKeys } from '../api-keys.ts';
import { requireRoleWhenConfigured } from '../auth.ts';
import { monitorRoutes as contract } from '../contract/monitor.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';
import { feedCoverage } from './monitor-feeds.ts';

const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast'];
const IDENT = /^[a-z_][a-z0-9_]*$/;

/** marketpipe's schemas with their tables (system schemas left out). */
async function listSchemas(db: Queryable): Promise<Array<{ schema: string; tables: string[] }>> {
  const res = await db.query<{ schema: string; tables: string[] | string | null }>(
    `SELECT s.schema_name AS schema,
            array_remove(array_agg(t.table_name::text ORDER BY t.table_name), NULL) AS tables
       FROM information_schema.schemata s
       LEFT JOIN information_schema.tables t ON t.table_schema = s.schema_name
      WHERE s.schema_name <> ALL($1::text[]) AND s.schema_name NOT LIKE 'pg\\_%'
      GROUP BY s.schema_name ORDER BY s.schema_name`,
    [SYSTEM_SCHEMAS],
  );
  return res.rows.map((r) => ({ schema: r.schema, tables: pgArray(r.tables) }));
}

function pgArray(v: string[] | string | null): string[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v;
  const inner = v.replace(/^\{|\}$/g, '');
  return inner ? inner.split(',') : [];
}

/** The tables of a known schema (and their columns); NotFoundError for anything else (names are never spliced unchecked). */
async function tablesOf(db: Queryable, schema: string): Promise<Map<string, string[]>> {
  const known = await listSchemas(db);
  const entry = known.find((s) => s.schema === schema);
  if (!entry || !IDENT.test(schema)) {
    throw new NotFoundError(`unknown schema "${schema}" (one of ${known.map((s) => s.schema).join(', ')})`);
  }
  const res = await db.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE'
      ORDER BY c.table_name, c.ordinal_position`,
    [schema],
  );
  const tables = new Map<string, string[]>();
  for (const r of res.rows) {
    if (!IDENT.test(r.table_name)) continue;
    tables.set(r.table_name, [...(tables.get(r.table_name) ?? []), r.column_name]);
  }
  return tables;
}

const TIME_COLUMNS = ['ts', 'time', 'date', 'start_time', 'as_of', 'created_at', 'started_at'];

interface TableStats {
  table: string;
  rows: number;
  bytes: number | null;
  time_column: string | null;
  first: string | null;
  last: string | null;
}

/** Row count, size and time span of each table of a schema. */
async function schemaStats(db: Queryable, schema: string): Promise<TableStats[]> {
  const out: TableStats[] = [];
  for (const [table, columns] of await tablesOf(db, schema)) {
    const name = `"${schema}"."${table}"`;
    const tcol = TIME_COLUMNS.find((c) => columns.includes(c)) ?? null;
    const span = tcol
      ? `, to_char(min("${tcol}") AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS first,
           to_char(max("${tcol}") AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last`
      : ', NULL::text AS first, NULL::text AS last';
    const res = await db.query<{
      rows: number;
      bytes: number | null;
      first: string | null;
      last: string | null;
    }>(
      `SELECT count(*)::float8 AS rows, pg_total_relation_size('${name}')::float8 AS bytes ${span} FROM ${name}`,
    );
    const r = res.rows[0];
    out.push({
      table,
      rows: Number(r?.rows ?? 0),
      bytes: r?.bytes === null || r?.bytes === undefined ? null : Number(r.bytes),
      time_column: tcol,
      first: r?.first ?? null,
      last: r?.last ?? null,
    });
  }
  return out;
}

const SYMBOL_COLUMNS = ['symbol', 'asset', 'asset_1'];

/** Per symbol, how many rows each table of the schema holds for it (via `instrument_id` or a symbol column). */
async function schemaSymbols(
  db: Queryable,
  schema: string,
): Promise<Array<{ symbol: string; rows: number; tables: Record<string, number> }>> {
  const bySymbol = new Map<string, Record<string, number>>();
  for (const [table, columns] of await tablesOf(db, schema)) {
    const name = `"${schema}"."${table}"`;
    let sql: string | null = null;
    if (columns.includes('instrument_id') && !(schema === 'market_data' && table === 'instruments')) {
      sql = `SELECT i.symbol, count(*)::float8 AS n FROM ${name} x
               JOIN market_data.instruments i ON i.id = x.instrument_id GROUP BY i.symbol`;
    } else {
      const col = SYMBOL_COLUMNS.find((c) => columns.includes(c));
      if (col) sql = `SELECT "${col}"::text AS symbol, count(*)::float8 AS n FROM ${name} GROUP BY 1`;
    }
    if (!sql) continue;
    const res = await db.query<{ symbol: string | null; n: number }>(sql);
    for (const r of res.rows) {
      if (r.symbol === null) continue;
      const entry = bySymbol.get(r.symbol) ?? {};
      entry[table] = Number(r.n);
      bySymbol.set(r.symbol, entry);
    }
  }
  return [...bySymbol]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([symbol, tables]) => ({ symbol, rows: Object.values(tables).reduce((s, n) => s + n, 0), tables }));
}

/**
 * The source of the newest bar per instrument and interval (`synthetic` marks generated demo data), one
 * index lookup each.
 */
async function newestSources(db: Queryable): Promise<Map<string, string>> {
  const res = await db.query<{ symbol: string; interval: string; source: string | null }>(
    `SELECT i.symbol, iv.interval,
            (SELECT b.source FROM market_data.bars b
              WHERE b.instrument_id = i.id AND b.interval = iv.interval ORDER BY b.ts DESC LIMIT 1) AS source
       FROM market_data.instruments i CROSS JOIN unnest($1::text[]) AS iv(interval)`,
    [[...INTERVALS]],
  );
  const out = new Map<string, string>();
  for (const r of res.rows) if (r.source !== null) out.set(`${r.symbol}|${r.interval}`, r.source);
  return out;
}

/** The data monitor: coverage, feeds (economic, news, events), schemas, per-schema table stats and per-symbol row counts. */
export const monitorRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const db = readerOf(deps); // read-only routes: the replica when there is one
  // Table sizes, schema lists and per-schema stats (config, ops…) describe the installation, not the market:
  // with auth configured they need a token (viewer or admin), like the admin API.
  const signedIn = requireRoleWhenConfigured(deps.settings.jwtSecret, 'viewer');

  app.get('/api/monitor/coverage', { schema: contract.coverage }, async (req) => {
    const symbols = req.query.symbols
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const [rows, sources] = await Promise.all([
      coverage(db, { symbols: symbols?.length ? symbols : undefined }),
      newestSources(db),
    ]);
    return {
      instruments: rows.map((r) => ({ ...r, source: sources.get(`${r.symbol}|${r.interval}`) ?? null })),
    };
  });

  app.get('/api/monitor/feeds', { schema: contract.feeds }, async () => ({ feeds: await feedCoverage(db) }));

  app.get('/api/monitor/schemas', { preHandler: signedIn, schema: contract.schemas }, async () => ({
    schemas: await listSchemas(db),
  }));

  app.get('/api/monitor/stats/:schema', { preHandler: signedIn, schema: contract.stats }, async (req) => ({
    schema: req.params.schema,
    tables: await schemaStats(db, req.params.schema),
  }));

  app.get(
    '/api/monitor/symbols/:schema',
    { preHandler: signedIn, schema: contract.symbols },
    async (req) => ({ schema: req.params.schema, symbols: await schemaSymbols(db, req.params.schema) }),
  );
};
