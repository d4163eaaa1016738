import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ask } from '../../chat/ask.ts';
import { type ExecuteOptions, executeGuarded } from '../../chat/execute.ts';
import { createChatExecutor } from '../../chat/executor/index.ts';
import { listHistory, recordHistory } from '../../chat/history.ts';
import type { LlmSettings } from '../../chat/llm.ts';
import { buildSchemaContext } from '../../chat/schema-context.ts';
import { AppError, UnauthorizedError } from '../../core/errors.ts';
import { useApiKeys } from '../api-keys.ts';
import { bearerToken, jwtKey, verifyToken } from '../auth.ts';
import { chatRoutes as contract } from '../contract/chat.ts';
import type { AppDeps, RouteOptions } from '../deps.ts';
import { useContract } from '../type-provider.ts';

/**
 * NL→SQL chat: question → SQL (`/api/chat/query`), SQL → rows (`/api/chat/execute`), the schema context
 * the model sees, and each user's history. Who the user is (see `userOf`): with `JWT_SECRET` set every
 * chat route needs a bearer JWT (role viewer or admin) and the user is its subject; with only `API_KEYS`
 * the user is the key (a digest, never the key); with neither (local use) everyone is `anonymous`. Each
 * user sees only their own history. Statements run through a chat executor (its own pool on PostgreSQL,
 * worker threads on the embedded store) under the `chat.*` limits of the config store.
 */

/** The model endpoints from the app's settings (`serve` passes the full settings). */
function llmSettingsOf(deps: AppDeps): LlmSettings {
  const s = deps.settings as Partial<LlmSettings>;
  return { llm: s.llm ?? {}, llmLocal: s.llmLocal ?? {} };
}

async function userOf(req: FastifyRequest, deps: AppDeps): Promise<string> {
  if (req.user?.user) return req.user.user;
  if (deps.settings.jwtSecret) {
    const token = bearerToken(req);
    if (!token) {
      throw new UnauthorizedError(
        'chat needs a bearer token with role viewer or admin (Authorization: Bearer <token>)',
      );
    }
    try {
      return (await verifyToken(token, jwtKey(deps.settings.jwtSecret))).user;
    } catch (err) {
      throw err instanceof UnauthorizedError ? err : new UnauthorizedError('invalid token', { cause: err });
    }
  }
  const key = req.headers['x-api-key'];
  if (deps.settings.apiKeys?.length && typeof key === 'string') {
    // the gate (useApiKeys) has checked the key; history is kept per key, under a digest of it
    return `api-key:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
  }
  return 'anonymous';
}

export const chatRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const db = deps.db;
  const llm = llmSettingsOf(deps);
  const localConfigured = Boolean(llm.llmLocal.baseUrl);
  const cfg = deps.config;
  const limit = (key: string, fallback: number): number => cfg.getInt('chat', key, fallback);
  const executor = createChatExecutor(db, {
    poolSize: limit('max_concurrent', 2),
    snapshotMaxAgeMs: limit('snapshot_max_age_ms', 60_000),
  });
  // preClose: a running chat statement is stopped when the server starts closing, not awaited
  app.addHook('preClose', () => executor.close());
  /** The limits as configured now (hot-reloaded parameters). */
  const limits = (): ExecuteOptions => ({
    executor,
    timeoutMs: limit('timeout_ms', 10_000),
    maxConcurrent: limit('max_concurrent', 2),
    maxRows: limit('max_rows', 1000),
  });

  app.post('/api/chat/query', { schema: contract.query }, async (req) => {
    const user = await userOf(req, deps);
    return ask(db, llm, req.body.question, { ...limits(), execute: req.body.execute ?? false, user });
  });

  app.post('/api/chat/execute', { schema: contract.execute }, async (req) => {
    const user = await userOf(req, deps);
    const entry = { user, action: 'execute' as const, question: null, explanation: null, endpoint: null };
    try {
      // private relations only where a local model is configured (the deployment keeps them local)
      const r = await executeGuarded(db, req.body.sql, { ...limits(), allowPrivate: localConfigured });
      await recordHistory(db, { ...entry, sql: r.sql, row_count: r.row_count, refused: null });
      return r;
    } catch (err) {
      if (err instanceof AppError) {
        const refused = err.message.split('\n')[0] ?? err.code;
        await recordHistory(db, { ...entry, sql: req.body.sql, row_count: null, refused });
      }
      throw err;
    }
  });

  app.get('/api/chat/schema-context', { schema: contract.schemaContext }, async (req) => {
    await userOf(req, deps);
    return buildSchemaContext(db, { includePrivate: req.query.private && localConfigured });
  });

  app.get('/api/chat/history', { schema: contract.history }, async (req) => {
    const user = await userOf(req, deps);
    return { user, items: await listHistory(db, user, req.query.limit) };
  });
};
