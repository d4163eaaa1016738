import type { FastifyPluginAsync } from 'fastify';
import { healthRoutes as contract } from '../contract/health.ts';
import type { RouteOptions } from '../deps.ts';
import { metricsOf } from '../metrics.ts';
import { useContract } from '../type-provider.ts';

/** How long `/ready` waits for the store (and the read replica) before calling it unreachable. */
const READY_DB_TIMEOUT_MS = 2000;
/** `/health` must answer fast whatever the store does: it waits this long for its probe of the store. */
const HEALTH_DB_TIMEOUT_MS = 250;
/** One store probe serves the `/health` calls of this many ms (a load balancer polls often). */
const HEALTH_PROBE_REUSE_MS = 1000;

async function pingDb(
  run: () => Promise<unknown>,
  timeoutMs: number,
): Promise<{ ok: boolean; latency_ms: number; error?: string }> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, latency_ms: performance.now() - t0 };
  } catch (err) {
    return { ok: false, latency_ms: performance.now() - t0, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Operations endpoints (no API key: load balancers and Prometheus call them): `/health` (the process is up), `/ready` (the store answers,
 * and the read replica too when there is one, since the read routes have no other store; the cache state is
 * reported but never makes the process unready, since requests fall back to the store) and `/metrics`
 * (Prometheus text).
 */
export const healthRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  let last: { at: number; result: Promise<{ ok: boolean; error?: string }> } | undefined;
  const probe = (): Promise<{ ok: boolean; error?: string }> => {
    const now = Date.now();
    if (!last || now - last.at > HEALTH_PROBE_REUSE_MS) {
      const result = pingDb(() => deps.db.query('SELECT 1'), HEALTH_DB_TIMEOUT_MS).then((r) => {
        // a failed probe also tells the config store, so its own state (and /admin/config) catches up
        if (!r.ok && !deps.config.stats().degraded) void deps.config.reload();
        return r;
      });
      last = { at: now, result };
    }
    return last.result;
  };
  app.get('/health', { schema: contract.health }, async () => {
    const db = await probe();
    const st = deps.config.stats();
    return {
      status: 'ok',
      uptime_s: process.uptime(),
      // The config store only notices an outage at its next reload (every minute): the probe says now.
      config: { source: st.source, degraded: st.degraded || !db.ok },
      db: db.ok ? { ok: true } : { ok: false, error: db.error ?? 'unknown' },
    };
  });

  app.get('/ready', { schema: contract.ready }, async (_req, reply) => {
    const { readDb } = deps;
    const [db, replica] = await Promise.all([
      pingDb(() => deps.db.query('SELECT 1'), READY_DB_TIMEOUT_MS),
      readDb && readDb !== deps.db ? pingDb(() => readDb.query('SELECT 1'), READY_DB_TIMEOUT_MS) : undefined,
    ]);
    const s = deps.cache.stats();
    const cache = { backend: s.backend, degraded: s.degraded, hit_rate: s.hit_rate };
    const stores = replica ? { db, read_db: replica } : { db };
    const down = [
      db.ok ? null : `database unreachable: ${db.error ?? 'unknown'}`,
      !replica || replica.ok
        ? null
        : `read replica (DATABASE_READ_URL) unreachable: ${replica.error ?? 'unknown'}`,
    ].filter((m) => m !== null);
    if (down.length > 0) {
      return reply.status(503).send({
        status: 'unavailable',
        error: 'unavailable',
        message: down.join('; '),
        ...stores,
        cache,
      });
    }
    return { status: 'ready' as const, ...stores, cache };
  });

  app.get('/metrics', { schema: contract.metrics }, async (_req, reply) => {
    const m = metricsOf(deps);
    const text = await m.text();
    return reply.type(m.registry.contentType).send(text);
  });
};
