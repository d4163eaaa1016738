import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Cache } from '../cache/index.ts';
import { MemoryCache } from '../cache/memory.ts';
import { countQuarantineByRule } from '../quality/quarantine.ts';
import type { Db } from '../store/db.ts';
import type { AppDeps } from './app.ts';

/**
 * Prometheus metrics of one app: HTTP latency histograms (by route template, so the label set stays
 * bounded), cache hits/misses and hit rate, job runs and ingested rows (from `ops.job_runs`), pending
 * quarantine rows per rule, WebSocket clients. Store-backed values are read at scrape time; a store that
 * does not answer sets `marketpipe_db_up 0` instead of failing the scrape.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly http: Histogram<'method' | 'route' | 'status_code'>;
  readonly wsClients: Gauge<'stream'>;
  readonly wsDropped: Counter<'stream' | 'reason'>;
  readonly wsMessages: Counter<'stream'>;
  private processMetrics = false;

  constructor(db: Db, cache: Cache) {
    const registers = [this.registry];
    this.http = new Histogram({
      name: 'marketpipe_http_request_duration_seconds',
      help: 'HTTP request latency by route template',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    this.wsClients = new Gauge({
      name: 'marketpipe_ws_clients',
      help: 'Connected WebSocket clients',
      labelNames: ['stream'],
      registers,
    });
    this.wsDropped = new Counter({
      name: 'marketpipe_ws_dropped_total',
      help: 'WebSocket clients closed by the server (slow consumer, missed heartbeat)',
      labelNames: ['stream', 'reason'],
      registers,
    });
    this.wsMessages = new Counter({
      name: 'marketpipe_ws_messages_total',
      help: 'WebSocket messages sent',
      labelNames: ['stream'],
      registers,
    });
    const cacheStat = (name: string, help: string, pick: (s: ReturnType<Cache['stats']>) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['backend'],
        registers,
        collect() {
          const s = cache.stats();
          this.set({ backend: s.backend }, pick(s));
        },
      });
    cacheStat('marketpipe_cache_hits', 'Cache hits since start', (s) => s.hits);
    cacheStat('marketpipe_cache_misses', 'Cache misses since start', (s) => s.misses);
    cacheStat('marketpipe_cache_hit_ratio', 'Cache hits / (hits + misses)', (s) => s.hit_rate);
    cacheStat('marketpipe_cache_degraded', '1 while the cache backend is unreachable', (s) =>
      s.degraded ? 1 : 0,
    );

    // One store read per scrape feeds every store-backed gauge: each gauge's collect() awaits the same
    // refresh (the registry collects metrics concurrently), reused for 500 ms.
    let refreshed = 0;
    let refreshing: Promise<StoreSnapshot> | undefined;
    const snapshot = (): Promise<StoreSnapshot> => {
      if (!refreshing || Date.now() - refreshed > 500) {
        refreshed = Date.now();
        refreshing = readStoreSnapshot(db);
      }
      return refreshing;
    };
    new Gauge({
      name: 'marketpipe_db_up',
      help: '1 when the store answered the scrape',
      registers,
      async collect() {
        this.set((await snapshot()).up ? 1 : 0);
      },
    });
    new Gauge({
      name: 'marketpipe_job_runs',
      help: 'Job runs recorded in ops.job_runs by job and status',
      labelNames: ['job', 'status'],
      registers,
      async collect() {
        this.reset();
        for (const r of (await snapshot()).runs) this.set({ job: r.job, status: r.status }, r.n);
      },
    });
    new Gauge({
      name: 'marketpipe_ingest_rows',
      help: 'Rows written by completed job runs (ops.job_runs.records) by job',
      labelNames: ['job'],
      registers,
      async collect() {
        this.reset();
        const rows = new Map<string, number>();
        for (const r of (await snapshot()).runs) {
          if (r.status === 'completed') rows.set(r.job, (rows.get(r.job) ?? 0) + r.records);
        }
        for (const [job, n] of rows) this.set({ job }, n);
      },
    });
    new Gauge({
      name: 'marketpipe_quarantine_rows',
      help: 'Pending quarantined rows by rule',
      labelNames: ['rule'],
      registers,
      async collect() {
        this.reset();
        for (const [rule, n] of Object.entries((await snapshot()).quarantine)) this.set({ rule }, n);
      },
    });
  }

  /** Adds Node's process metrics (CPU, memory, event-loop lag); once per process, for `serve`. */
  enableProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** Prometheus text exposition. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }
}

interface StoreSnapshot {
  up: boolean;
  runs: Array<{ job: string; status: string; n: number; records: number }>;
  quarantine: Record<string, number>;
}

async function readStoreSnapshot(db: Db): Promise<StoreSnapshot> {
  try {
    const res = await db.query<{ job: string; status: string; n: number; records: number }>(
      `SELECT job, status, count(*)::float8 AS n, coalesce(sum(records), 0)::float8 AS records
         FROM ops.job_runs GROUP BY job, status`,
    );
    const runs = res.rows.map((r) => ({
      job: r.job,
      status: r.status,
      n: Number(r.n),
      records: Number(r.records),
    }));
    return { up: true, runs, quarantine: await countQuarantineByRule(db) };
  } catch {
    return { up: false, runs: [], quarantine: {} };
  }
}

const metrics = new WeakMap<AppDeps, ApiMetrics>();
const caches = new WeakMap<AppDeps, Cache>();

/** The app's cache: `deps.cache`, else one in-process memory cache per app. */
export function cacheOf(deps: AppDeps): Cache {
  if (deps.cache) return deps.cache;
  let c = caches.get(deps);
  if (!c) {
    c = new MemoryCache();
    caches.set(deps, c);
  }
  return c;
}

/** The app's metrics (one registry per app, so tests can build many apps in one process). */
export function metricsOf(deps: AppDeps): ApiMetrics {
  let m = metrics.get(deps);
  if (!m) {
    m = new ApiMetrics(deps.db, cacheOf(deps));
    metrics.set(deps, m);
  }
  return m;
}

/** Times every request (root-level hook, so every route module is covered). */
export function installHttpMetrics(app: FastifyInstance, deps: AppDeps): void {
  const m = metricsOf(deps);
  app.addHook('onResponse', (req, reply, done) => {
    m.http.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: reply.statusCode },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
