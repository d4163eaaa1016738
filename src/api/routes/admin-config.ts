import type { FastifyPluginAsync } from 'fastify';
import { appendAuditNow } from '../../audit/chain.ts';
import { PublishGuard } from '../../cache/outages.ts';
import { ConfigService } from '../../config/service.ts';
import { CONFIG_CHANNEL, parameterJson } from '../../config/types.ts';
import { NotFoundError, UnavailableError } from '../../core/errors.ts';
import { requireRole } from '../auth.ts';
import { adminConfigRoutes as contract } from '../contract/admin-config.ts';
import type { RouteOptions } from '../deps.ts';
import { useContract } from '../type-provider.ts';

/**
 * Admin API for configuration parameters. Reads come from the in-memory store, so they keep answering
 * while the database is down; writes go through the ConfigService (validated, audited with the user,
 * reason and client IP) and answer 503 while the database is down.
 */

export const adminConfigRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  const store = deps.config;
  const configNotices = new PublishGuard({ what: 'store notifications', log: app.log });
  const service = deps.configService ?? new ConfigService(deps.db, store);
  const admin = requireRole('admin');

  app.get('/admin/config', { schema: contract.list }, async (req) => {
    const st = store.stats();
    return {
      parameters: store.list(req.query.category).map(parameterJson),
      source: st.source,
      degraded: st.degraded,
    };
  });

  app.get('/admin/config/audit', { schema: contract.audit }, async (req) => ({
    entries: await service.audit(req.query),
  }));

  app.get('/admin/config/stats', { schema: contract.stats }, async () => store.stats());

  app.post('/admin/config/reload', { preHandler: admin, schema: contract.reload }, async (req) => {
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
  });

  app.get('/admin/config/:category/:key', { schema: contract.get }, async (req) => {
    const { category, key } = req.params;
    const hit = store.find(category, key);
    if (!hit) throw new NotFoundError(`no parameter ${category}.${key}`);
    return parameterJson(hit);
  });

  app.put('/admin/config/:category/:key', { preHandler: admin, schema: contract.set }, async (req) => {
    const { category, key } = req.params;
    return service.set(category, key, req.body.value, {
      who: req.user?.user ?? 'unknown',
      reason: req.body.reason,
      clientIp: req.ip,
      dryRun: req.body.dry_run,
      env: store.env,
    });
  });

  app.post('/admin/config', { preHandler: admin, schema: contract.create }, async (req, reply) => {
    const { reason, dry_run: dryRun, ...input } = req.body;
    const result = await service.create(input, {
      who: req.user?.user ?? 'unknown',
      reason,
      clientIp: req.ip,
      dryRun,
    });
    return reply.status(result.applied ? 201 : 200).send(result);
  });

  app.delete('/admin/config/:category/:key', { preHandler: admin, schema: contract.remove }, async (req) => {
    const { category, key } = req.params;
    return service.remove(category, key, {
      who: req.user?.user ?? 'unknown',
      reason: req.query.reason,
      clientIp: req.ip,
      dryRun: req.query.dry_run,
      env: store.env,
    });
  });
};
