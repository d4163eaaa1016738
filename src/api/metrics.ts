import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, type Histogram, Registry } from 'prom-client';
import type { Cache } from '../cache/index.ts';
import { publishFailureCounts } from '../cache/outages.ts';
import { countQuarantineByRule } from '../quality/quarantine.ts';
import type { Db } from '../store/db.ts';
import type { AppDeps } from './deps.ts';

/**
 * Prometheus metrics of one app: HTTP latency histograms (by route template, so the label set stays
 * bounded), cache hits/misses and hit rate, job runs and ingested rows (from `ops.job_runs`), pending
 * quarantine rows per rule, WebSocket clients. Store-backed values are read at scrape time; a store that
 * does not answer sets `marketpipe_db_up 0` instead of failing the scrape.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly http: RequestHistogram;
  readonly wsClients: Gauge<'stream'>;
  readonly wsDropped: Counter<'stream' | 'reason'>;
  readonly wsMessages: Counter<'stream'>;
  private processMetrics = false;

  constructor(db: Db, cache: Cache) {
    const registers = [this.registry];
    this.http = new RequestHistogram(
      'marketpipe_http_request_duration_seconds',
      'HTTP request latency by route template',
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    );
    this.registry.registerMetric(this.http as unknown as Histogram);
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
    // Outages are absorbed (a failed cache call is a miss, a failed publish is dropped) so they only show here.
    new Counter({
      name: 'marketpipe_cache_failures_total',
      help: 'Cache calls that failed (backend unreachable or too slow) and were answered as misses',
      labelNames: ['backend'],
      registers,
      collect() {
        const s = cache.stats();
        this.reset();
        this.inc({ backend: s.backend }, s.errors);
      },
    });
    new Counter({
      name: 'marketpipe_publish_failures_total',
      help: 'Pub/sub messages dropped because the broker was unreachable (the data they announce is stored)',
      labelNames: ['channel'],
      registers,
      collect() {
        this.reset();
        for (const [channel, n] of publishFailureCounts()) this.inc({ channel }, n);
      },
    });

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

/** The app's metrics (one registry per app, so tests can build many apps in one process). */
export function metricsOf(deps: AppDeps): ApiMetrics {
  let m = metrics.get(deps);
  if (!m) {
    m = new ApiMetrics(deps.db, deps.cache);
    metrics.set(deps, m);
  }
  return m;
}

/** Times every request (root-level hook, so every route module is covered). */
export function installHttpMetrics(app: FastifyInstance, deps: AppDeps): void {
  const m = metricsOf(deps);
  app.addHook('onResponse', (req, reply, done) => {
    m.http.observe(
      req.method,
      req.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}

interface Series {
  labels: { method: string; route: string; status_code: string };
  /** Observations per bucket (not cumulative); the last slot is above every bound (+Inf only). */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram of request durations labelled by method, route template and status, built for the
 * request path: one string key and a short bucket scan per observation (prom-client's own Histogram
 * validates and hashes the label object on every call, a few µs per request). It exposes the same text as a
 * prom-client Histogram (`_bucket{le=…}` cumulative, `_sum`, `_count`) through the registry it is added to.
 */
export class RequestHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {}

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let s = this.series.get(key);
    if (!s) {
      s = {
        labels: { method, route, status_code: String(status) },
        counts: new Array<number>(this.bounds.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      this.series.set(key, s);
    }
    let i = 0;
    for (const bound of this.bounds) {
      if (seconds <= bound) break;
      i++;
    }
    s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += seconds;
    s.count++;
  }

  /** Observations so far of one label set (tests). */
  count(method: string, route: string, status: number): number {
    return this.series.get(`${method} ${status} ${route}`)?.count ?? 0;
  }

  reset(): void {
    this.series.clear();
  }

  /** The registry's view (the shape prom-client's metrics return). */
  async get() {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.counts[i] ?? 0;
        values.push({ labels: { le, ...s.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
