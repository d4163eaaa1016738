import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { exportChain, formatExport, verifyChain } from '../../audit/chain.ts';
import { ConfigCanaries } from '../../config/canary.ts';
import { parseCanaryTarget } from '../../config/canary-repo.ts';
import { guardDb } from '../../config/db-errors.ts';
import { ConfigService } from '../../config/service.ts';
import type { ChangeContext } from '../../config/types.ts';
import { canaryReport } from '../../risk/canary-service.ts';
import { requireRole } from '../auth.ts';
import { adminConfigVersionRoutes as contract } from '../contract/admin-config-versions.ts';
import type { RouteOptions } from '../deps.ts';
import { useContract } from '../type-provider.ts';

/**
 * Admin API for config versions (history, diff, rollback), change sets, environments (promote), canaries
 * and the audit chain (verify, export). Reads need a valid JWT, writes and the audit chain the admin role.
 */

function who(req: FastifyRequest, reasonText: string, env?: string): ChangeContext {
  return { who: req.user?.user ?? 'unknown', reason: reasonText, clientIp: req.ip, env };
}

export const adminConfigVersionRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  const store = deps.config;
  const service = deps.configService ?? new ConfigService(deps.db, store);
  const canaries = new ConfigCanaries(deps.db, store);
  const admin = requireRole('admin');

  app.get('/admin/config/versions', { schema: contract.versions }, async (req) => ({
    versions: await service.history(req.query),
  }));

  app.get('/admin/config/diff', { schema: contract.diff }, async (req) => ({
    from: req.query.from,
    to: req.query.to,
    changes: await service.diff(req.query.from, req.query.to),
  }));

  app.post('/admin/config/rollback', { preHandler: admin, schema: contract.rollback }, async (req) => ({
    version: await service.rollback(req.body.to, who(req, req.body.reason)),
  }));

  app.post('/admin/config/changes', { preHandler: admin, schema: contract.changes }, async (req) => {
    const ctx = who(req, req.body.reason, req.body.env ?? store.env);
    if (req.body.canary !== undefined) {
      return { canary: await canaries.start(req.body.changes, parseCanaryTarget(req.body.canary), ctx) };
    }
    return { version: await service.apply(req.body.changes, ctx) };
  });

  app.post('/admin/config/promote', { preHandler: admin, schema: contract.promote }, async (req) => ({
    version: await service.promote(req.body.from, req.body.to, req.body.keys, who(req, req.body.reason)),
  }));

  app.get('/admin/config/canaries', { schema: contract.canaries }, async (req) => {
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
  });

  app.post(
    '/admin/config/canaries/:id/:action',
    { preHandler: admin, schema: contract.canaryAction },
    async (req) => {
      const ctx = who(req, req.body.reason);
      return req.params.action === 'promote'
        ? canaries.promote(req.params.id, ctx)
        : canaries.rollback(req.params.id, ctx);
    },
  );

  app.get('/admin/audit/verify', { preHandler: admin, schema: contract.verify }, async (req) =>
    guardDb('verify the audit chain', () => verifyChain(deps.db, req.query.head)),
  );

  app.get('/admin/audit/export', { preHandler: admin, schema: contract.export }, async (req, reply) => {
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
  });
};
