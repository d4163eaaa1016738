import { loadModule, parseSync } from 'libpg-query';
import {
  ALLOWED_FUNCTIONS,
  ALLOWED_TYPES,
  isPrivateRelation,
  OPS_VIEWS,
  PRIVATE_SCHEMAS,
  PUBLIC_SCHEMAS,
} from './allow-list.ts';
import { QueryRefusedError } from './errors.ts';

/**
 * The SQL guard. Model-written SQL is parsed with the real PostgreSQL parser (libpg_query compiled to
 * WASM) and accepted only when it is ONE `SELECT` (CTEs allowed, not recursive, none that modifies data)
 * reading schema-qualified relations of the allowed schemas, calling allow-listed functions and casting
 * to allow-listed types. Everything else is refused with a one-line reason. The guard is the first
 * line; execution adds a READ ONLY transaction, a read-only role, a cost budget and a row cap.
 */

export interface GuardOptions {
  /**
   * Allow the private schemas (`strategies`, `config`, `execution`) and `risk.portfolios`. Only for SQL
   * written by the local model or by the user, never for SQL whose context went to the cloud model.
   * @defaultValue false
   */
  allowPrivate?: boolean;
  /**
   * Column names of the readable relations (see `knownColumns`). PostgreSQL reads `t.f` as the call
   * `f(t)` when `t` has no column `f`, so with this set a qualified name that is no column (nor an alias
   * of the statement) counts as a function call and meets the allow-list. Without it that check is off.
   */
  columns?: ReadonlySet<string>;
}

export interface GuardedSql {
  /** The one statement, without trailing semicolons. */
  sql: string;
  /** Relations read, `schema.table`. */
  relations: string[];
  functions: string[];
  /** Reads a private relation. */
  private: boolean;
}

let loaded: Promise<void> | undefined;

/** Loads the parser's WASM once (a few ms); every guard call awaits it. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

const STATEMENT_NAMES: Readonly<Record<string, string>> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
  CopyStmt: 'COPY',
  CreateStmt: 'CREATE TABLE',
  CreateTableAsStmt: 'CREATE TABLE AS',
  DropStmt: 'DROP',
  TruncateStmt: 'TRUNCATE',
  AlterTableStmt: 'ALTER TABLE',
  VariableSetStmt: 'SET',
  VariableShowStmt: 'SHOW',
  TransactionStmt: 'a transaction command',
  ExplainStmt: 'EXPLAIN',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  GrantStmt: 'GRANT',
  GrantRoleStmt: 'GRANT',
  CreateFunctionStmt: 'CREATE FUNCTION',
  VacuumStmt: 'VACUUM',
  LockStmt: 'LOCK',
  NotifyStmt: 'NOTIFY',
  ListenStmt: 'LISTEN',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DeclareCursorStmt: 'DECLARE CURSOR',
  CreateRoleStmt: 'CREATE ROLE',
  AlterRoleStmt: 'ALTER ROLE',
  LoadStmt: 'LOAD',
};

const DATA_MODIFYING = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
const REFUSED_NODES: Readonly<Record<string, string>> = {
  ParamRef: 'parameters ($1) are not supported',
  RangeTableFunc: 'XMLTABLE is not allowed',
  XmlExpr: 'XML functions are not allowed',
  XmlSerialize: 'XML functions are not allowed',
};

function statementName(nodeType: string): string {
  return STATEMENT_NAMES[nodeType] ?? nodeType.replace(/Stmt$/, '').toUpperCase();
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((n) => {
    const s = isObject(n) && isObject(n.String) ? n.String.sval : undefined;
    return typeof s === 'string' ? s : '';
  });
}

function refuse(reason: string): never {
  throw new QueryRefusedError(reason);
}

/** Names a statement gives its own outputs: select-list aliases, `AS t(a, b)`, `WITH x(a, b)`. */
function localNames(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const n of node) localNames(n, out);
    return out;
  }
  if (!isObject(node)) return out;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'ResTarget' && isObject(value) && typeof value.name === 'string') out.add(value.name);
    if ((key === 'colnames' || key === 'aliascolnames') && Array.isArray(value))
      for (const n of names(value)) out.add(n);
    localNames(value, out);
  }
  return out;
}

class Walker {
  readonly relations = new Set<string>();
  readonly functions = new Set<string>();
  private privateRead = false;
  private readonly known: ReadonlySet<string> | null;

  constructor(
    private readonly allowPrivate: boolean,
    columns: ReadonlySet<string> | undefined,
    locals: ReadonlySet<string>,
  ) {
    this.known = columns ? new Set([...columns, ...locals]) : null;
  }

  get private(): boolean {
    return this.privateRead;
  }

  visit(node: unknown, scope: ReadonlySet<string>): void {
    if (Array.isArray(node)) {
      for (const n of node) this.visit(n, scope);
      return;
    }
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'SelectStmt' && isObject(value)) this.select(value, scope);
      else if (key.endsWith('Stmt')) {
        if (DATA_MODIFYING.has(key))
          refuse(`${statementName(key)} changes data; only one read-only SELECT is allowed`);
        refuse(`${statementName(key)} is not allowed; only one SELECT is allowed`);
      } else if (REFUSED_NODES[key] !== undefined) refuse(REFUSED_NODES[key]);
      else if (key === 'withClause' && isObject(value) && value.recursive)
        refuse('WITH RECURSIVE is not allowed (a recursive query can run without end)');
      else if (key === 'intoClause') refuse('SELECT … INTO creates a table; only a plain SELECT is allowed');
      else if (key === 'lockingClause')
        refuse('FOR UPDATE/FOR SHARE locks rows; only a plain SELECT is allowed');
      else if (key === 'RangeVar' && isObject(value)) this.relation(value, scope);
      else if (key === 'ColumnRef' && isObject(value)) {
        const fields = Array.isArray(value.fields) ? value.fields : [];
        if (fields.length > 1) this.fieldSelection(fields[fields.length - 1]);
      } else if (key === 'A_Indirection' && isObject(value)) {
        // `(t).f` is `f(t)` too when f is no column
        for (const item of Array.isArray(value.indirection) ? value.indirection : [])
          this.fieldSelection(item);
        this.visit(value, scope);
      } else if (key === 'FuncCall' && isObject(value)) {
        this.func(value);
        this.visit(value, scope);
      } else if ((key === 'TypeName' || key === 'typeName') && isObject(value)) this.type(value);
      else if (key === 'A_Expr' && isObject(value)) {
        if (names(value.name).length > 1) refuse('schema-qualified operators are not allowed');
        this.visit(value, scope);
      } else this.visit(value, scope);
    }
  }

  private select(s: Json, outer: ReadonlySet<string>): void {
    if (s.intoClause) refuse('SELECT … INTO creates a table; only a plain SELECT is allowed');
    if (s.lockingClause) refuse('FOR UPDATE/FOR SHARE locks rows; only a plain SELECT is allowed');
    let scope = outer;
    const withClause = s.withClause;
    if (isObject(withClause)) {
      if (withClause.recursive)
        refuse('WITH RECURSIVE is not allowed (a recursive query can run without end)');
      const inner = new Set(outer);
      const ctes = Array.isArray(withClause.ctes) ? withClause.ctes : [];
      for (const c of ctes) {
        const cte = isObject(c) && isObject(c.CommonTableExpr) ? c.CommonTableExpr : undefined;
        if (!cte) continue;
        const name = String(cte.ctename ?? '');
        const query = cte.ctequery;
        if (isObject(query)) {
          const kind = Object.keys(query)[0] ?? '';
          if (DATA_MODIFYING.has(kind))
            refuse(
              `WITH ${name} AS (${statementName(kind)} …) changes data; data-modifying CTEs are not allowed`,
            );
        }
        // a non-recursive CTE sees only the CTEs before it
        this.visit(query, new Set(inner));
        if (name.toLowerCase().startsWith('pg_')) refuse(`CTE name ${name} may not start with pg_`);
        inner.add(name);
      }
      scope = inner;
    }
    for (const [key, value] of Object.entries(s)) {
      // the branches of UNION/INTERSECT/EXCEPT are SelectStmt fields without a node wrapper
      if ((key === 'larg' || key === 'rarg') && isObject(value)) this.select(value, scope);
      else if (key !== 'withClause') this.visit(value, scope);
    }
  }

  private relation(r: Json, scope: ReadonlySet<string>): void {
    const table = String(r.relname ?? '');
    if (r.catalogname) refuse(`cross-database name ${String(r.catalogname)}.… is not allowed`);
    if (typeof r.schemaname !== 'string' || r.schemaname === '') {
      if (scope.has(table)) return;
      refuse(`table ${table} must be named with its schema (e.g. market_data.bars)`);
    }
    const schema = r.schemaname;
    const full = `${schema}.${table}`;
    if (isPrivateRelation(schema, table)) {
      if (!this.allowPrivate) refuse(`${full} is private: only the local model may query it`);
      this.privateRead = true;
    } else if (schema === 'ops') {
      if (!OPS_VIEWS.has(table))
        refuse(`ops.${table} is not readable; ops views: ${[...OPS_VIEWS].join(', ')}`);
    } else if (!PUBLIC_SCHEMAS.has(schema)) {
      const allowed = [...PUBLIC_SCHEMAS, ...(this.allowPrivate ? PRIVATE_SCHEMAS : [])].join(', ');
      refuse(`schema ${schema} is not readable (allowed: ${allowed}, ops views)`);
    }
    this.relations.add(full);
  }

  /** `x.f`: a column of x, or (PostgreSQL's functional notation) the call `f(x)`. */
  private fieldSelection(field: unknown): void {
    const name = isObject(field) && isObject(field.String) ? field.String.sval : undefined;
    if (typeof name !== 'string' || this.known === null || this.known.has(name)) return;
    const fn = name.toLowerCase();
    if (!ALLOWED_FUNCTIONS.has(fn))
      refuse(
        `function ${fn} is not allowed (x.${name} is column notation for ${fn}(x), and no table has a column ${name})`,
      );
    this.functions.add(fn);
  }

  private func(f: Json): void {
    const parts = names(f.funcname).map((p) => p.toLowerCase());
    const name = parts[parts.length - 1] ?? '';
    if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'pg_catalog'))
      refuse(`function ${parts.join('.')} is not allowed`);
    if (!ALLOWED_FUNCTIONS.has(name)) refuse(`function ${name} is not allowed`);
    this.functions.add(name);
  }

  private type(t: Json): void {
    const parts = names(t.names).map((p) => p.toLowerCase());
    const name = parts[parts.length - 1] ?? '';
    if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'pg_catalog') || !ALLOWED_TYPES.has(name))
      refuse(`type ${parts.join('.')} is not allowed`);
  }
}

function parse(sql: string): Json[] {
  try {
    const tree = parseSync(sql) as unknown;
    const stmts = isObject(tree) && Array.isArray(tree.stmts) ? tree.stmts : [];
    return stmts.filter(isObject);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new QueryRefusedError(`not valid SQL: ${message}`, { cause: err });
  }
}

/** Checks `sql` and returns its one statement, or throws QueryRefusedError with the reason. */
export async function guardSql(sql: string, opts: GuardOptions = {}): Promise<GuardedSql> {
  await loadParser();
  if (sql.trim() === '') refuse('empty query');
  const stmts = parse(sql);
  if (stmts.length === 0) refuse('empty query (only comments)');
  if (stmts.length > 1) refuse(`only one statement is allowed (found ${stmts.length})`);
  const raw = stmts[0] ?? {};
  const stmt = isObject(raw.stmt) ? raw.stmt : {};
  const kind = Object.keys(stmt)[0] ?? '';
  if (DATA_MODIFYING.has(kind))
    refuse(`${statementName(kind)} changes data; only one read-only SELECT is allowed`);
  if (kind !== 'SelectStmt') refuse(`${statementName(kind)} is not allowed; only one SELECT is allowed`);
  const walker = new Walker(opts.allowPrivate ?? false, opts.columns, localNames(stmt));
  walker.visit(stmt, new Set());
  // libpg_query reports byte offsets
  const bytes = Buffer.from(sql, 'utf8');
  const start = typeof raw.stmt_location === 'number' ? raw.stmt_location : 0;
  const len = typeof raw.stmt_len === 'number' && raw.stmt_len > 0 ? raw.stmt_len : bytes.length - start;
  const text = bytes
    .subarray(start, start + len)
    .toString('utf8')
    .trim()
    .replace(/;+\s*$/, '');
  return {
    sql: text,
    relations: [...walker.relations].sort(),
    functions: [...walker.functions].sort(),
    private: walker.private,
  };
}

/**
 * The statement wrapped so the database returns at most `maxRows + 1` rows (one more tells the caller it
 * was cut), guarded again so the wrapping cannot change what was accepted.
 */
export async function limitedSql(
  guarded: GuardedSql,
  maxRows: number,
  opts: GuardOptions = {},
): Promise<string> {
  const wrapped = `SELECT * FROM (\n${guarded.sql}\n) AS q LIMIT ${Math.floor(maxRows) + 1}`;
  const again = await guardSql(wrapped, opts);
  return again.sql;
}
