import { z } from 'zod';
import { AnyObject, errorResponses, QueryFlag } from './common.ts';

/**
 * NL→SQL chat (`/api/chat/*`): a question to SQL, SQL to rows, the schema context the model sees and each
 * user's history. The routes validate with these schemas, the OpenAPI document shows them and the Chat page
 * imports their types.
 */

/** One result row, column name → value (shown and serialised as a free-form object). */
const ResultRow = z
  .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
  .meta({ type: 'object', additionalProperties: true });

/** The chart the columns suggest: time (line) or label (bar) on x, up to 4 numeric columns on y. */
const ChatChart = z.object({ type: z.enum(['line', 'bar']), x: z.string(), y: z.array(z.string()) });

const ChatQueryBody = z.object({
  question: z.string().min(1).max(2000),
  execute: z.boolean().default(false),
});

/** The SQL for a question, and its rows with `execute: true`. */
const ChatAnswer = z.object({
  question: z.string(),
  sql: z.string(),
  explanation: z.string(),
  endpoint: z.enum(['cloud', 'local']),
  /** The question touched private data, answered by the local model. */
  private: z.boolean(),
  columns: z.array(z.string()).optional(),
  rows: z.array(ResultRow).optional(),
  truncated: z.boolean().optional(),
  chart: ChatChart.nullable().optional(),
});
export type ChatAnswer = z.infer<typeof ChatAnswer>;

/** The rows of one guarded SELECT (at most chat.max_rows) and the chart they suggest. */
const ChatResult = z.object({
  sql: z.string(),
  columns: z.array(z.string()),
  rows: z.array(ResultRow),
  row_count: z.number().int(),
  /** More rows existed than chat.max_rows. */
  truncated: z.boolean(),
  /** The planner's estimated total cost of the capped query. */
  cost: z.number(),
  chart: ChatChart.nullable(),
  duration_ms: z.number(),
  /** When the data read was current: null for the live store, the copy's time on the embedded store. */
  as_of: z.string().nullable(),
});
export type ChatResult = z.infer<typeof ChatResult>;

const SchemaContext = z.object({
  tables: z.array(AnyObject),
  examples: z.array(AnyObject),
  /** The context as prompt text. */
  text: z.string(),
});

/** One question or execution of the user's chat (`chat.history`). */
const ChatHistoryEntry = z.object({
  id: z.number().int(),
  user: z.string(),
  action: z.enum(['query', 'execute']),
  question: z.string().nullable(),
  sql: z.string().nullable(),
  explanation: z.string().nullable(),
  endpoint: z.string().nullable(),
  row_count: z.number().int().nullable(),
  refused: z.string().nullable(),
  created_at: z.string(),
});
export type ChatHistoryEntry = z.infer<typeof ChatHistoryEntry>;

const ChatHistory = z.object({ user: z.string(), items: z.array(ChatHistoryEntry) });
export type ChatHistory = z.infer<typeof ChatHistory>;

/** Route schemas (OpenAPI document, validation, serialisation). */
export const chatRoutes = {
  query: {
    summary: 'Question → one guarded SELECT with a short explanation (rows too with execute=true)',
    description:
      'Questions about execution, strategies, config or portfolios go to the local model only (LLM_LOCAL_BASE_URL) and are refused without one. A refusal answers 400 with code query_refused and the reason.',
    tags: ['chat'],
    body: ChatQueryBody,
    response: { 200: ChatAnswer, ...errorResponses },
  },
  execute: {
    summary: 'Runs one guarded SELECT read-only: columns, at most chat.max_rows rows, a suggested chart',
    description:
      'The statement runs under chat.timeout_ms (408 query_timeout past it), at most chat.max_concurrent at once (503 chat_busy beyond), apart from the connections and thread that serve the API. On the embedded store it reads a copy of the store at most chat.snapshot_max_age_ms old (as_of).',
    tags: ['chat'],
    body: z.object({ sql: z.string().min(1).max(20_000) }),
    response: { 200: ChatResult, ...errorResponses },
  },
  schemaContext: {
    summary: 'What the model is told: readable tables, columns, comments, example rows and questions',
    tags: ['chat'],
    querystring: z.object({
      private: QueryFlag.default(false).describe('the local model’s context (private schemas)'),
    }),
    response: { 200: SchemaContext, ...errorResponses },
  },
  history: {
    summary: "The caller's chat history, newest first (JWT user, else anonymous)",
    tags: ['chat'],
    querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
    response: { 200: ChatHistory, ...errorResponses },
  },
} as const;
