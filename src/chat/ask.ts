import { AppError } from '../core/errors.ts';
import type { Db } from '../store/db.ts';
import { type ExecuteOptions, type ExecuteResult, executeGuarded } from './execute.ts';
import { recordHistory } from './history.ts';
import { askModel, type EndpointKind, type LlmSettings, routeQuestion } from './llm.ts';
import { buildSchemaContext, knownColumns } from './schema-context.ts';
import { guardSql } from './sql-guard.ts';

/** What `ask` returns (`marketpipe ask --json`, `POST /api/chat/query`). */
export interface AskResult {
  question: string;
  sql: string;
  explanation: string;
  endpoint: EndpointKind;
  /** The question touched private data, answered by the local model. */
  private: boolean;
  columns?: string[];
  rows?: Record<string, unknown>[];
  truncated?: boolean;
  chart?: ExecuteResult['chart'];
}

export interface AskOptions extends Omit<ExecuteOptions, 'allowPrivate'> {
  /** Run the SQL too. @defaultValue false */
  execute?: boolean;
  /** Whose history it goes to. @defaultValue 'anonymous' */
  user?: string;
  /** Model request timeout, ms. @defaultValue 60000 */
  llmTimeoutMs?: number;
}

const oneLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';

/**
 * Question → SQL (by the routed model, given the live schema context) → guard → optionally rows. Every
 * outcome, refusals included, is recorded in the user's chat history.
 */
export async function ask(
  db: Db,
  settings: LlmSettings,
  question: string,
  opts: AskOptions = {},
): Promise<AskResult> {
  const user = opts.user ?? 'anonymous';
  let sql: string | null = null;
  let endpoint: EndpointKind | null = null;
  let explanation: string | null = null;
  try {
    const route = routeQuestion(question, settings);
    endpoint = route.endpoint.kind;
    const context = await buildSchemaContext(db, { includePrivate: route.private });
    const answer = await askModel(route.endpoint, question, context.text, { timeoutMs: opts.llmTimeoutMs });
    sql = answer.sql;
    explanation = answer.explanation;
    const guard = { allowPrivate: route.private, columns: await knownColumns(db) };
    const guarded = await guardSql(answer.sql, guard);
    sql = guarded.sql;
    const result: AskResult = {
      question,
      sql: guarded.sql,
      explanation: answer.explanation,
      endpoint: route.endpoint.kind,
      private: route.private,
    };
    if (opts.execute) {
      const r = await executeGuarded(db, guarded.sql, { ...opts, ...guard });
      Object.assign(result, { columns: r.columns, rows: r.rows, truncated: r.truncated, chart: r.chart });
    }
    await recordHistory(db, {
      user,
      action: opts.execute ? 'execute' : 'query',
      question,
      sql: result.sql,
      explanation: result.explanation,
      endpoint,
      row_count: result.rows?.length ?? null,
      refused: null,
    });
    return result;
  } catch (err) {
    if (err instanceof AppError) {
      await recordHistory(db, {
        user,
        action: opts.execute ? 'execute' : 'query',
        question,
        sql,
        explanation,
        endpoint,
        row_count: null,
        refused: oneLine(err),
      }).catch(() => undefined);
    }
    throw err;
  }
}
