import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { exportChain, formatExport, verifyChain } from '../../audit/chain.ts';
import { ConfigCanaries } from '../../config/canary.ts';
import { parseCanaryTarget } from '../../config/canary-repo.ts';
import { guardDb } from '../../config/db-errors.ts';
import { ConfigService } from '../../config/service.ts';
import type { ChangeContext } from '../../config/types.ts';
import { canaryReport } from '../../risk/canary-service.ts';
import { requireRole } from '../auth.ts';
import type { RouteOptions } from '../deps.ts';
import { errorSchema } from '../errors.ts';

/**
 * Admin API for config versions (history, diff, rollback), change sets, environments (promote), canaries
 * and the audit chain (verify, export). Reads need a valid JWT, writes and the audit chain the admin role.
 */

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 429: errorSchema };
const writeErrors = { ...errors, 409: errorSchema, 503: errorSchema };
const security = [{ bearerAuth: [] }];
const tags = ['admin'];

const stateSchema = {
  type: ['object', 'null'],
  properties: {
    value: {},
    value_type: { type: 'string' },
    description: { type: 'string' },
    validation: { type: 'object', additionalProperties: true },
  },
} as const;

const versionSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    who: { type: 'string' },
    reason: { type: 'string' },
    kind: { type: 'string', enum: ['change', 'rollback', 'promote', 'canary'] },
    env: { type: 'string' },
    rolled_back_to: { type: ['integer', 'null'] },
    client_ip: { type: ['string', 'null'] },
    changes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          env: { type: 'string' },
          category: { type: 'string' },
          key: { type: 'string' },
          old_state: stateSchema,
          new_state: stateSchema,
        },
      },
    },
  },
} as const;

const versionResult = {
  type: 'object',
  properties: { version: { anyOf: [versionSchema, { type: 'null' }] } },
} as const;

const canarySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    created_at: { type: 'string' },
    who: { type: 'string' },
    reason: { type: 'string' },
    env: { type: 'string' },
    target: { type: 'object', properties: { process: { type: 'string' }, percent: { type: 'number' } } },
    changes: {
      type: 'array',
      items: {
        type: 'object',
        properties: { category: { type: 'string' }, key: { type: 'string' }, value: {} },
      },
    },
    status: { type: 'string' },
    closed_at: { type: ['string', 'null'] },
    closed_by: { type: ['string', 'null'] },
    version_id: { type: ['integer', 'null'] },
    report: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

const reason = { type: 'string', minLength: 1, maxLength: 1000 } as const;
const changeItems = {
  type: 'array',
  minItems: 1,
  maxItems: 200,
  items: {
    type: 'object',
    properties: {
      category: { type: 'string', maxLength: 100 },
      key: { type: 'string', maxLength: 200 },
      value: {},
    },
    required: ['category', 'key', 'value'],
  },
} as const;

function who(req: FastifyRequest, reasonText: string, env?: string): ChangeContext {
  return { who: req.user?.user ?? 'unknown', reason: reasonText, clientIp: req.ip, env };
}

export const adminConfigVersionRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  const store = deps.config;
  const service = deps.configService ?? new ConfigService(deps.db, store);
  const canaries = new ConfigCanaries(deps.db, store);
  const admin = requireRole('admin');

  app.get<{ Querystring: { category?: string; key?: string; limit?: number } }>(
    '/admin/config/versions',
    {
      schema: {
        tags,
        security,
        summary: 'Config versions, newest first (optionally those touching one parameter)',
        querystring: {
          type: 'object',
          properties: {
            category: { type: 'string' },
            key: { type: 'string' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
          },
        },
        response: {
          200: { type: 'object', properties: { versions: { type: 'array', items: versionSchema } } },
          ...writeErrors,
        },
      },
    },
    async (req) => ({ versions: await service.history(req.query) }),
  );

  app.get<{ Querystring: { from: number; to: number } }>(
    '/admin/config/diff',
    {
      schema: {
        tags,
        security,
        summary: 'What differs between two versions (0 = before the first)',
        querystring: {
          type: 'object',
          properties: { from: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 0 } },
          required: ['from', 'to'],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              from: { type: 'integer' },
              to: { type: 'integer' },
              changes: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    env: { type: 'string' },
                    category: { type: 'string' },
                    key: { type: 'string' },
                    from: {},
                    to: {},
                    from_state: stateSchema,
                    to_state: stateSchema,
                  },
                },
              },
            },
          },
          ...writeErrors,
        },
      },
    },
    async (req) => ({
      from: req.query.from,
      to: req.query.to,
      changes: await service.diff(req.query.from, req.query.to),
    }),
  );

  app.post<{ Body: { to: number; reason: string } }>(
    '/admin/config/rollback',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Bring every parameter changed since version `to` back to its value then (a new version)',
        body: {
          type: 'object',
          properties: { to: { type: 'integer', minimum: 0 }, reason },
          required: ['to', 'reason'],
        },
        response: { 200: versionResult, ...writeErrors },
      },
    },
    async (req) => ({ version: await service.rollback(req.body.to, who(req, req.body.reason)) }),
  );

  app.post<{
    Body: {
      changes: Array<{ category: string; key: string; value: unknown }>;
      reason: string;
      env?: string;
      canary?: string;
    };
  }>(
    '/admin/config/changes',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Apply several values as one version, or start them as a canary (`canary`: serve-2 or 10%)',
        body: {
          type: 'object',
          properties: {
            changes: changeItems,
            reason,
            env: { type: 'string', maxLength: 50 },
            canary: { type: 'string', maxLength: 100 },
          },
          required: ['changes', 'reason'],
        },
        response: {
          200: {
            type: 'object',
            properties: { version: { anyOf: [versionSchema, { type: 'null' }] }, canary: canarySchema },
          },
          ...writeErrors,
        },
      },
    },
    async (req) => {
      const ctx = who(req, req.body.reason, req.body.env ?? store.env);
      if (req.body.canary !== undefined) {
        return { canary: await canaries.start(req.body.changes, parseCanaryTarget(req.body.canary), ctx) };
      }
      return { version: await service.apply(req.body.changes, ctx) };
    },
  );

  app.post<{ Body: { from: string; to: string; keys?: string[]; reason: string } }>(
    '/admin/config/promote',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Copy the values one environment overrides into another as one version',
        body: {
          type: 'object',
          properties: {
            from: { type: 'string', maxLength: 50 },
            to: { type: 'string', maxLength: 50 },
            keys: { type: 'array', items: { type: 'string', maxLength: 300 }, maxItems: 500 },
            reason,
          },
          required: ['from', 'to', 'reason'],
        },
        response: { 200: versionResult, ...writeErrors },
      },
    },
    async (req) => ({
      version: await service.promote(req.body.from, req.body.to, req.body.keys, who(req, req.body.reason)),
    }),
  );

  app.get<{ Querystring: { all?: boolean; report?: boolean } }>(
    '/admin/config/canaries',
    {
      schema: {
        tags,
        security,
        summary: 'Active canaries (all with `all`), with quotes and VaR side by side when `report`',
        querystring: {
          type: 'object',
          properties: {
            all: { type: 'boolean', default: false },
            report: { type: 'boolean', default: false },
          },
        },
        response: {
          200: { type: 'object', properties: { canaries: { type: 'array', items: canarySchema } } },
          ...writeErrors,
        },
      },
    },
    async (req) => {
      const list = await canaries.list(req.query.all);
      const out = [];
      for (const c of list) {
        const report =
          req.query.report && c.status === 'active' && c.env === store.env
            ? await guardDb('canary report', () => canaryReport(deps.db, c, store))
            : null;
        out.push({ ...c, report });
      }
      return { canaries: out };
    },
  );

  app.post<{ Params: { id: number; action: 'promote' | 'rollback' }; Body: { reason: string } }>(
    '/admin/config/canaries/:id/:action',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Promote a canary to everyone (one version) or roll it back',
        params: {
          type: 'object',
          properties: {
            id: { type: 'integer', minimum: 1 },
            action: { type: 'string', enum: ['promote', 'rollback'] },
          },
          required: ['id', 'action'],
        },
        body: { type: 'object', properties: { reason }, required: ['reason'] },
        response: {
          200: {
            type: 'object',
            properties: { canary: canarySchema, version: { anyOf: [versionSchema, { type: 'null' }] } },
          },
          ...writeErrors,
        },
      },
    },
    async (req) => {
      const ctx = who(req, req.body.reason);
      return req.params.action === 'promote'
        ? canaries.promote(req.params.id, ctx)
        : canaries.rollback(req.params.id, ctx);
    },
  );

  app.get<{ Querystring: { head?: string } }>(
    '/admin/audit/verify',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Recompute the audit chain: ok, entries, first_bad_id',
        querystring: { type: 'object', properties: { head: { type: 'string', pattern: '^[0-9a-f]{64}$' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              ok: { type: 'boolean' },
              entries: { type: 'integer' },
              first_bad_id: { type: 'integer' },
              problem: { type: 'string' },
              head_hash: { type: 'string' },
            },
          },
          ...writeErrors,
        },
      },
    },
    async (req) => guardDb('verify the audit chain', () => verifyChain(deps.db, req.query.head)),
  );

  app.get<{ Querystring: { from?: string; to?: string; format?: 'jsonl' | 'csv' } }>(
    '/admin/audit/export',
    {
      preHandler: admin,
      schema: {
        tags,
        security,
        summary: 'Audit entries in a date range as JSON lines or CSV, ending with the chain head hash',
        querystring: {
          type: 'object',
          properties: {
            from: { type: 'string', maxLength: 40 },
            to: { type: 'string', maxLength: 40 },
            format: { type: 'string', enum: ['jsonl', 'csv'], default: 'jsonl' },
          },
        },
        response: { 200: { type: 'string' }, ...writeErrors },
      },
    },
    async (req, reply) => {
      const format = req.query.format ?? 'jsonl';
      const x = await guardDb('export the audit chain', () =>
        exportChain(deps.db, { from: req.query.from, to: req.query.to }),
      );
      return reply
        .header(
          'content-type',
          format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        )
        .header('x-audit-head-hash', x.head_hash)
        .send(formatExport(x, format));
    },
  );
};
