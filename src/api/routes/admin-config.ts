import type { FastifyPluginAsync } from 'fastify';
import { appendAuditNow } from '../../audit/chain.ts';
import { PublishGuard } from '../../cache/outages.ts';
import { ConfigService } from '../../config/service.ts';
import { CONFIG_CHANNEL, parameterJson } from '../../config/types.ts';
import { NotFoundError, UnavailableError } from '../../core/errors.ts';
import { requireRole } from '../auth.ts';
import type { RouteOptions } from '../deps.ts';
import { errorSchema } from '../errors.ts';

/**
 * Admin API for configuration parameters. Reads come from the in-memory store, so they keep answering
 * while the database is down; writes go through the ConfigService (validated, audited with the user,
 * reason and client IP) and answer 503 while the database is down.
 */

const parameterSchema = {
  type: 'object',
  properties: {
    category: { type: 'string' },
    key: { type: 'string' },
    value_type: { type: 'string', enum: ['float', 'int', 'string', 'json'] },
    value: {},
    description: { type: 'string' },
    validation: {
      type: 'object',
      properties: { min: { type: 'number' }, max: { type: 'number' }, allowed: { type: 'array', items: {} } },
    },
    updated_at: { type: 'string', format: 'date-time' },
    updated_by: { type: 'string' },
  },
  required: ['category', 'key', 'value_type', 'value'],
} as const;

const changeSchema = {
  type: 'object',
  properties: {
    action: { type: 'string', enum: ['create', 'update', 'delete'] },
    category: { type: 'string' },
    key: { type: 'string' },
    old_value: {},
    new_value: {},
    changed: { type: 'boolean' },
    dry_run: { type: 'boolean' },
    applied: { type: 'boolean' },
    audit_id: { type: 'integer' },
    version: { type: ['integer', 'null'] },
    env: { type: 'string' },
  },
} as const;

const auditSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    who: { type: 'string' },
    action: { type: 'string' },
    category: { type: 'string' },
    key: { type: 'string' },
    old_value: {},
    new_value: {},
    reason: { type: 'string' },
    client_ip: { type: ['string', 'null'] },
    dry_run: { type: 'boolean' },
    applied: { type: 'boolean' },
  },
} as const;

const paramsSchema = {
  type: 'object',
  properties: { category: { type: 'string', maxLength: 100 }, key: { type: 'string', maxLength: 200 } },
  required: ['category', 'key'],
} as const;

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 429: errorSchema };
const writeErrors = { ...errors, 409: errorSchema, 503: errorSchema };
const security = [{ bearerAuth: [] }];
const tags = ['admin'];

interface Params {
  category: string;
  key: string;
}

export const adminConfigRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  const store = deps.config;
  const configNotices = new PublishGuard({ what: 'store notifications', log: app.log });
  const service = deps.configService ?? new ConfigService(deps.db, store);
  const admin = requireRole('admin');

  app.get<{ Querystring: { category?: string } }>(
    '/admin/config',
    {
      schema: {
        tags,
        security,
        summary: 'Every parameter (served from memory; answers while the database is down)',
        querystring: { type: 'object', properties: { category: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              parameters: { type: 'array', items: parameterSchema },
              source: { type: 'string' },
              degraded: { type: 'boolean' },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const st = store.stats();
      return {
        parameters: store.list(req.query.category).map(parameterJson),
        source: st.source,
        degraded: st.degraded,
      };
    },
  );

  app.get<{ Querystring: { limit?: number; category?: string; key?: string } }>(
    '/admin/config/audit',
    {
      schema: {
        tags,
        security,
        summary: 'Audit log of parameter changes, newest first',
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            category: { type: 'string' },
            key: { type: 'string' },
          },
        },
        response: {
          200: { type: 'object', properties: { entries: { type: 'array', items: auditSchema } } },
          ...writeErrors,
        },
      },
    },
    async (req) => ({ entries: await service.audit(req.query) }),
  );

  app.get(
    '/admin/config/stats',
    {
      schema: {
        tags,
        security,
        summary: 'Cache statistics of the parameter store',
        response: {
          200: {
            type: 'object',
            properties: {
              entries: { type: 'integer' },
              hits: { type: 'integer' },
              misses: { type: 'integer' },
              hit_rate: { type: 'number' },
              last_reload: { type: ['string', 'null'] },
              reload_failures: { type: 'integer' },
              reloads: { type: 'integer' },
              source: { type: 'string' },
              degraded: { type: 'boolean' },
              listening: { type: 'boolean' },
              env: { type: 'string' },
              canaries: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'integer' },
                    process: { type: 'string' },
                    percent: { type: 'number' },
                  },
                },
              },
            },
          },
          ...errors,
        },
      },
    },
    async () => store.stats(),
  );

  app.post(
    '/admin/config/reload',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Reload parameters from the database here, and tell every other process to',
        response: {
          200: { type: 'object', properties: { ok: { type: 'boolean' }, entries: { type: 'integer' } } },
          ...writeErrors,
        },
      },
    },
    async (req) => {
      const outcome = await store.reload();
      await appendAuditNow(deps.db, {
        kind: 'admin',
        actor: req.user?.user ?? 'unknown',
        action: 'config reload',
        subject: 'config',
        detail: { client_ip: req.ip, ok: outcome.ok, entries: outcome.entries },
      }).catch((err: unknown) => req.log.warn({ err }, 'audit: cannot record the reload'));
      if (!outcome.ok)
        throw new UnavailableError(`database unavailable: cannot reload (${outcome.error ?? 'unknown'})`);
      // this process reloaded already; the others also reload on their own timer if the notice is lost
      const notice = JSON.stringify({ op: 'reload', ts: new Date().toISOString() });
      await configNotices.publish(CONFIG_CHANNEL, () => deps.db.notify(CONFIG_CHANNEL, notice));
      return { ok: true, entries: outcome.entries };
    },
  );

  app.get<{ Params: Params }>(
    '/admin/config/:category/:key',
    {
      schema: {
        tags,
        security,
        summary: 'One parameter',
        params: paramsSchema,
        response: { 200: parameterSchema, ...errors },
      },
    },
    async (req) => {
      const { category, key } = req.params;
      const hit = store.find(category, key);
      if (!hit) throw new NotFoundError(`no parameter ${category}.${key}`);
      return parameterJson(hit);
    },
  );

  app.put<{ Params: Params; Body: { value: unknown; reason: string; dry_run?: boolean } }>(
    '/admin/config/:category/:key',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Change a value (validated against its type and rule); dry_run reports without changing',
        params: paramsSchema,
        body: {
          type: 'object',
          properties: {
            value: {},
            reason: { type: 'string', minLength: 1, maxLength: 1000 },
            dry_run: { type: 'boolean', default: false },
          },
          required: ['value', 'reason'],
        },
        response: { 200: changeSchema, ...writeErrors },
      },
    },
    async (req) => {
      const { category, key } = req.params;
      return service.set(category, key, req.body.value, {
        who: req.user?.user ?? 'unknown',
        reason: req.body.reason,
        clientIp: req.ip,
        dryRun: req.body.dry_run,
        env: store.env,
      });
    },
  );

  app.post<{
    Body: {
      category: string;
      key: string;
      value_type: string;
      value: unknown;
      description?: string;
      validation?: unknown;
      reason: string;
      dry_run?: boolean;
    };
  }>(
    '/admin/config',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Create a parameter',
        body: {
          type: 'object',
          properties: {
            category: { type: 'string', maxLength: 100 },
            key: { type: 'string', maxLength: 200 },
            value_type: { type: 'string', enum: ['float', 'int', 'string', 'json'] },
            value: {},
            description: { type: 'string', maxLength: 1000 },
            validation: { type: 'object' },
            reason: { type: 'string', minLength: 1, maxLength: 1000 },
            dry_run: { type: 'boolean', default: false },
          },
          required: ['category', 'key', 'value_type', 'value', 'reason'],
        },
        response: { 200: changeSchema, 201: changeSchema, ...writeErrors },
      },
    },
    async (req, reply) => {
      const { reason, dry_run: dryRun, ...input } = req.body;
      const result = await service.create(input, {
        who: req.user?.user ?? 'unknown',
        reason,
        clientIp: req.ip,
        dryRun,
      });
      return reply.status(result.applied ? 201 : 200).send(result);
    },
  );

  app.delete<{ Params: Params; Querystring: { reason: string; dry_run?: boolean } }>(
    '/admin/config/:category/:key',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Delete a parameter (readers fall back to the built-in default)',
        params: paramsSchema,
        querystring: {
          type: 'object',
          properties: {
            reason: { type: 'string', minLength: 1 },
            dry_run: { type: 'boolean', default: false },
          },
          required: ['reason'],
        },
        response: { 200: changeSchema, ...writeErrors },
      },
    },
    async (req) => {
      const { category, key } = req.params;
      return service.remove(category, key, {
        who: req.user?.user ?? 'unknown',
        reason: req.query.reason,
        clientIp: req.ip,
        dryRun: req.query.dry_run,
        env: store.env,
      });
    },
  );
};
