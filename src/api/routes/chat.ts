import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ask } from '../../chat/ask.ts';
import { executeGuarded } from '../../chat/execute.ts';
import { listHistory, recordHistory } from '../../chat/history.ts';
import type { LlmSettings } from '../../chat/llm.ts';
import { buildSchemaContext } from '../../chat/schema-context.ts';
import { AppError, UnauthorizedError } from '../../core/errors.ts';
import { useApiKeys } from '../api-keys.ts';
import type { AppDeps } from '../app.ts';
import { jwtKey, verifyToken } from '../auth.ts';
import { anyObject, errorResponses } from './common.ts';
import type { RouteOptions } from './index.ts';

/**
 * NL→SQL chat: question → SQL (`/api/chat/query`), SQL → rows (`/api/chat/execute`), the schema context
 * the model sees, and each user's history. The user is the subject of a valid bearer JWT when one is
 * sent, else `anonymous`.
 */

/** The model endpoints from the app's settings (`serve` passes the full settings). */
export function llmSettingsOf(deps: AppDeps): LlmSettings {
  const s = deps.settings as Partial<LlmSettings>;
  return { llm: s.llm ?? {}, llmLocal: s.llmLocal ?? {} };
}

async function userOf(req: FastifyRequest, deps: AppDeps): Promise<string> {
  if (req.user?.user) return req.user.user;
  const h = req.headers.authorization;
  const token = h ? /^Bearer\s+(\S+)$/i.exec(h)?.[1] : undefined;
  if (!token || !deps.settings.jwtSecret) return 'anonymous';
  try {
    return (await verifyToken(token, jwtKey(deps.settings.jwtSecret))).user;
  } catch (err) {
    // an API key sent as a bearer token is not a JWT: such requests stay anonymous
    if (deps.settings.apiKeys?.includes(token)) return 'anonymous';
    throw err instanceof UnauthorizedError ? err : new UnauthorizedError('invalid token', { cause: err });
  }
}

const executeResult = {
  type: 'object',
  additionalProperties: true,
  properties: {
    sql: { type: 'string' },
    columns: { type: 'array', items: { type: 'string' } },
    rows: { type: 'array', items: anyObject },
    row_count: { type: 'integer' },
    truncated: { type: 'boolean' },
    chart: { anyOf: [{ type: 'null' }, anyObject] },
  },
} as const;

export const chatRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  const db = deps.db;
  const llm = llmSettingsOf(deps);
  const localConfigured = Boolean(llm.llmLocal.baseUrl);

  app.post<{ Body: { question: string; execute?: boolean } }>(
    '/api/chat/query',
    {
      schema: {
        summary: 'Question → one guarded SELECT with a short explanation (rows too with execute=true)',
        description:
          'Questions about execution, strategies, config or portfolios go to the local model only (LLM_LOCAL_BASE_URL) and are refused without one. A refusal answers 400 with code query_refused and the reason.',
        tags: ['chat'],
        body: {
          type: 'object',
          properties: {
            question: { type: 'string', minLength: 1, maxLength: 2000 },
            execute: { type: 'boolean', default: false },
          },
          required: ['question'],
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            properties: {
              question: { type: 'string' },
              sql: { type: 'string' },
              explanation: { type: 'string' },
              endpoint: { type: 'string', enum: ['cloud', 'local'] },
              private: { type: 'boolean' },
              columns: { type: 'array', items: { type: 'string' } },
              rows: { type: 'array', items: anyObject },
              truncated: { type: 'boolean' },
              chart: { anyOf: [{ type: 'null' }, anyObject] },
            },
            required: ['question', 'sql', 'explanation', 'endpoint', 'private'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const user = await userOf(req, deps);
      return ask(db, llm, req.body.question, { execute: req.body.execute ?? false, user });
    },
  );

  app.post<{ Body: { sql: string } }>(
    '/api/chat/execute',
    {
      schema: {
        summary: 'Runs one guarded SELECT read-only: columns, at most 1000 rows, a suggested chart',
        tags: ['chat'],
        body: {
          type: 'object',
          properties: { sql: { type: 'string', minLength: 1, maxLength: 20_000 } },
          required: ['sql'],
        },
        response: { 200: executeResult, ...errorResponses },
      },
    },
    async (req) => {
      const user = await userOf(req, deps);
      const entry = { user, action: 'execute' as const, question: null, explanation: null, endpoint: null };
      try {
        // private relations only where a local model is configured (the deployment keeps them local)
        const r = await executeGuarded(db, req.body.sql, { allowPrivate: localConfigured });
        await recordHistory(db, { ...entry, sql: r.sql, row_count: r.row_count, refused: null });
        return r;
      } catch (err) {
        if (err instanceof AppError) {
          const refused = err.message.split('\n')[0] ?? err.code;
          await recordHistory(db, { ...entry, sql: req.body.sql, row_count: null, refused });
        }
        throw err;
      }
    },
  );

  app.get<{ Querystring: { private: boolean } }>(
    '/api/chat/schema-context',
    {
      schema: {
        summary: 'What the model is told: readable tables, columns, comments, example rows and questions',
        tags: ['chat'],
        querystring: {
          type: 'object',
          properties: {
            private: {
              type: 'boolean',
              default: false,
              description: 'the local model’s context (private schemas)',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              tables: { type: 'array', items: anyObject },
              examples: { type: 'array', items: anyObject },
              text: { type: 'string' },
            },
            required: ['tables', 'examples', 'text'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => buildSchemaContext(db, { includePrivate: req.query.private && localConfigured }),
  );

  app.get<{ Querystring: { limit: number } }>(
    '/api/chat/history',
    {
      schema: {
        summary: "The caller's chat history, newest first (JWT user, else anonymous)",
        tags: ['chat'],
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        },
        response: {
          200: {
            type: 'object',
            properties: { user: { type: 'string' }, items: { type: 'array', items: anyObject } },
            required: ['user', 'items'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const user = await userOf(req, deps);
      return { user, items: await listHistory(db, user, req.query.limit) };
    },
  );
};
