import { ConfigError, describeError } from '../core/errors.ts';
import type { Db } from '../store/db.ts';
import { canaryBucket, selectCanaries } from './canary-repo.ts';
import { DEFAULT_PARAMETERS } from './defaults.ts';
import { applyEnv, BASE_ENV, selectEnvValues } from './environments.ts';
import { selectParameters } from './repo.ts';
import { CONFIG_CHANNEL, type JsonValue, type Parameter, type ParameterDef } from './types.ts';

/** The part of a logger the store uses (pino's Logger fits). */
export interface ConfigLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface ConfigStoreOptions {
  /** Database holding `config.parameters`; `null` serves the built-in defaults only. */
  db: Db | null;
  /** Lifetime of the cached map: it is reloaded this often even without a change notice (ms). @defaultValue 60000 */
  ttlMs?: number;
  /** While the database does not answer, try again this often (ms). @defaultValue 5000 */
  retryMs?: number;
  /** Subscribe to `config_changed` and run the periodic reload; off for one-shot CLI use. @defaultValue true */
  live?: boolean;
  /** Built-in fallbacks. @defaultValue DEFAULT_PARAMETERS */
  defaults?: readonly ParameterDef[];
  log?: ConfigLog;
  /** Environment whose values are served (falling back to the base namespace). @defaultValue 'production' */
  env?: string;
  /** This process's name: a canary targeting it is served here. @defaultValue none */
  processName?: string;
}

/** A percentage canary as a store serves it: its share of requests and the values they get. */
interface ShareCanary {
  id: number;
  percent: number;
  table: Table;
  /** Built on first use. */
  reader?: ConfigStore;
}

export interface ConfigStats {
  entries: number;
  hits: number;
  misses: number;
  /** hits / (hits + misses); 1 before any read. */
  hit_rate: number;
  /** Last successful load from the database (ISO-8601), null when none yet. */
  last_reload: string | null;
  reload_failures: number;
  reloads: number;
  /** Where the values being served come from. */
  source: 'database' | 'defaults';
  /** The last reload failed: values are the last good ones. */
  degraded: boolean;
  /** Subscribed to change notices. */
  listening: boolean;
  env: string;
  /** Canaries this process serves: to all its requests (process) or to a share of them (percent). */
  canaries: Array<{ id: number; process?: string; percent?: number }>;
}

export interface ReloadOutcome {
  ok: boolean;
  entries: number;
  error?: string;
}

type Table = Map<string, Map<string, Parameter>>;

function buildTable(params: readonly Parameter[]): Table {
  const table: Table = new Map();
  for (const p of params) {
    let inner = table.get(p.category);
    if (!inner) {
      inner = new Map();
      table.set(p.category, inner);
    }
    inner.set(p.key, p);
  }
  return table;
}

const SILENT: ConfigLog = { info: () => undefined, warn: () => undefined };

/**
 * Parameters held in memory, read synchronously (a read is two Map lookups). The whole map is replaced
 * at once on each reload, so a reader never sees half of an update. Reloads happen on a change notice
 * (LISTEN `config_changed`, sent by a trigger on every write), every `ttlMs` as a safety net, and on
 * demand. When the database does not answer, the last good values (else the built-in defaults) keep
 * being served and one warning is logged per outage; the store recovers by itself.
 */
export class ConfigStore {
  private table: Table;
  private readonly defaults: Table;
  private readonly db: Db | null;
  private readonly ttlMs: number;
  private readonly retryMs: number;
  private readonly live: boolean;
  private readonly log: ConfigLog;
  private hits = 0;
  private misses = 0;
  private reloads = 0;
  private reloadFailures = 0;
  private lastReload: string | null = null;
  private fromDb = false;
  private outage = false;
  private closed = false;
  private unlisten: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<ReloadOutcome> | undefined;
  private queued: Promise<ReloadOutcome> | undefined;
  private subscribing: Promise<void> | undefined;
  private subscribeWarned = false;
  private readonly typeWarned = new Set<string>();
  readonly env: string;
  private readonly processName: string | undefined;
  private shares: ShareCanary[] = [];
  private servedCanaries: ConfigStats['canaries'] = [];

  constructor(options: ConfigStoreOptions) {
    this.env = options.env ?? BASE_ENV;
    this.processName = options.processName;
    this.db = options.db;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.retryMs = options.retryMs ?? 5_000;
    this.live = options.live ?? true;
    this.log = options.log ?? SILENT;
    const defs = options.defaults ?? DEFAULT_PARAMETERS;
    this.defaults = buildTable(
      defs.map((d) => ({ ...d, updatedAt: new Date(0).toISOString(), updatedBy: 'defaults' })),
    );
    this.table = this.defaults;
  }

  /** Creates a store, loads it once and (when live) subscribes to changes. Never throws on a down database. */
  static async open(options: ConfigStoreOptions): Promise<ConfigStore> {
    const store = new ConfigStore(options);
    await store.start();
    return store;
  }

  /** First load, then (when live) the change subscription. A down database only marks the store degraded. */
  async start(): Promise<void> {
    if (!this.db) return;
    const first = await this.reload();
    if (first.ok) await this.ensureSubscribed();
  }

  // ---- reads (synchronous, from memory) ----

  /** The stored parameter, or undefined (counted as a miss). */
  find(category: string, key: string): Parameter | undefined {
    const p = this.table.get(category)?.get(key);
    if (p === undefined) this.misses++;
    else this.hits++;
    return p;
  }

  getFloat(category: string, key: string, fallback?: number): number {
    const v = this.find(category, key)?.value;
    return typeof v === 'number' ? v : this.fallback(category, key, v, fallback, 'number');
  }

  getInt(category: string, key: string, fallback?: number): number {
    const v = this.find(category, key)?.value;
    return typeof v === 'number' && Number.isInteger(v)
      ? v
      : this.fallback(category, key, v, fallback, 'number');
  }

  getString(category: string, key: string, fallback?: string): string {
    const v = this.find(category, key)?.value;
    return typeof v === 'string' ? v : this.fallback(category, key, v, fallback, 'string');
  }

  getBool(category: string, key: string, fallback?: boolean): boolean {
    const v = this.find(category, key)?.value;
    return typeof v === 'boolean' ? v : this.fallback(category, key, v, fallback, 'boolean');
  }

  /** Any JSON value; the caller's type `T` is trusted (validate on write with `allowed`). */
  getJson<T = JsonValue>(category: string, key: string, fallback?: T): T {
    const p = this.find(category, key);
    if (p !== undefined) return p.value as T;
    if (fallback !== undefined) return fallback;
    const d = this.defaults.get(category)?.get(key);
    if (d !== undefined) return d.value as T;
    throw new ConfigError(`config ${category}.${key} is not set and has no default`);
  }

  /** Every parameter served now, optionally of one category, sorted. Does not count hits. */
  list(category?: string): Parameter[] {
    const out: Parameter[] = [];
    for (const [cat, inner] of this.table) {
      if (category !== undefined && cat !== category) continue;
      for (const p of inner.values()) out.push(p);
    }
    return out.sort((a, b) => (a.category === b.category ? cmp(a.key, b.key) : cmp(a.category, b.category)));
  }

  stats(): ConfigStats {
    let entries = 0;
    for (const inner of this.table.values()) entries += inner.size;
    const total = this.hits + this.misses;
    return {
      entries,
      hits: this.hits,
      misses: this.misses,
      hit_rate: total === 0 ? 1 : this.hits / total,
      last_reload: this.lastReload,
      reload_failures: this.reloadFailures,
      reloads: this.reloads,
      source: this.fromDb ? 'database' : 'defaults',
      degraded: this.outage,
      listening: this.unlisten !== undefined,
      env: this.env,
      canaries: this.servedCanaries,
    };
  }

  /**
   * The reader for one request: a store whose values are a percentage canary's when the request's hash
   * bucket (`canaryBucket(requestKey)`) falls in its share, else this store. Deterministic: the same key
   * gets the same values in every process.
   */
  forRequest(requestKey: string): ConfigStore {
    if (this.shares.length === 0) return this;
    const bucket = canaryBucket(requestKey);
    for (const s of this.shares) {
      if (bucket < s.percent) {
        s.reader ??= this.frozen(s.table);
        return s.reader;
      }
    }
    return this;
  }

  /** A store serving this one's values with `changes` applied (side-by-side reports of a change set). */
  withValues(changes: ReadonlyArray<{ category: string; key: string; value: JsonValue }>): ConfigStore {
    return this.frozen(overlay(this.table, changes, 'preview'));
  }

  private frozen(table: Table): ConfigStore {
    const params: ParameterDef[] = [];
    for (const inner of table.values()) for (const p of inner.values()) params.push(p);
    return new ConfigStore({ db: null, defaults: params, env: this.env, log: this.log });
  }

  /** True while the last reload failed (values served are the last good ones). */
  get degraded(): boolean {
    return this.outage;
  }

  private fallback<T>(
    category: string,
    key: string,
    found: unknown,
    fallback: T | undefined,
    kind: string,
  ): T {
    if (found !== undefined && !this.typeWarned.has(`${category}.${key}`)) {
      this.typeWarned.add(`${category}.${key}`);
      this.log.warn(
        { category, key, value: found },
        `config ${category}.${key} is not a ${kind}; using default`,
      );
    }
    if (fallback !== undefined) return fallback;
    const d = this.defaults.get(category)?.get(key)?.value;
    if (typeof d === kind) return d as T;
    throw new ConfigError(`config ${category}.${key} is not set and has no default`);
  }

  // ---- reloads ----

  /**
   * Loads every parameter and swaps the map. Calls during a load are coalesced into one more load after
   * it (a notice that arrives mid-load must not be lost). Never throws: a failure keeps the old map.
   */
  reload(): Promise<ReloadOutcome> {
    if (this.inflight) {
      this.queued ??= this.inflight.then(() => {
        this.queued = undefined;
        return this.reload();
      });
      return this.queued;
    }
    this.inflight = this.load().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async load(): Promise<ReloadOutcome> {
    const db = this.db;
    if (!db || this.closed) return { ok: false, entries: 0, error: 'no database' };
    try {
      const base = await selectParameters(db);
      const params = this.env === BASE_ENV ? base : applyEnv(base, await selectEnvValues(db, this.env));
      const canaries = (await selectCanaries(db, { env: this.env })).reverse();
      const served: ConfigStats['canaries'] = [];
      const shares: ShareCanary[] = [];
      let table = buildTable(params);
      for (const c of canaries) {
        if ('process' in c.target) {
          if (c.target.process !== this.processName) continue;
          table = overlay(table, c.changes, `canary ${c.id}`);
          served.push({ id: c.id, process: c.target.process });
        } else {
          shares.push({
            id: c.id,
            percent: c.target.percent,
            table: overlay(table, c.changes, `canary ${c.id}`),
          });
          served.push({ id: c.id, percent: c.target.percent });
        }
      }
      this.table = table;
      this.shares = shares;
      this.servedCanaries = served;
      this.fromDb = true;
      this.reloads++;
      this.lastReload = new Date().toISOString();
      if (this.outage) {
        this.outage = false;
        this.log.info({ entries: params.length }, 'config: database answers again, parameters reloaded');
        // The listening connection may have died with the outage: drop it and subscribe afresh.
        const old = this.unlisten;
        this.unlisten = undefined;
        if (old) void old().catch(() => undefined);
      }
      void this.ensureSubscribed();
      this.schedule(this.ttlMs);
      return { ok: true, entries: params.length };
    } catch (err) {
      this.reloadFailures++;
      if (!this.outage) {
        this.outage = true;
        this.log.warn(
          { err: describeError(err), serving: this.fromDb ? 'last good values' : 'defaults' },
          'config: database unavailable, serving cached parameters until it answers',
        );
      }
      this.schedule(this.retryMs);
      return { ok: false, entries: this.stats().entries, error: describeError(err) };
    }
  }

  private schedule(ms: number): void {
    if (!this.live || this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), ms);
    this.timer.unref();
  }

  /** Subscribes to change notices unless already subscribed; after subscribing, catches up once. */
  private ensureSubscribed(): Promise<void> {
    if (!this.live || !this.db || this.closed || this.unlisten) return Promise.resolve();
    this.subscribing ??= this.subscribe().finally(() => {
      this.subscribing = undefined;
    });
    return this.subscribing;
  }

  private async subscribe(): Promise<void> {
    const db = this.db;
    if (!db) return;
    try {
      this.unlisten = await db.listen(CONFIG_CHANNEL, () => void this.reload());
      this.subscribeWarned = false;
    } catch (err) {
      // Not fatal: the periodic reload still runs and the next successful one tries again.
      if (!this.subscribeWarned) {
        this.subscribeWarned = true;
        this.log.warn({ err: describeError(err) }, 'config: cannot subscribe to change notices');
      }
      return;
    }
    // A change committed between the last load and the subscription would otherwise wait for the TTL.
    await this.reload();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const un = this.unlisten;
    this.unlisten = undefined;
    if (un) await un().catch(() => undefined);
  }
}

/** A copy of `table` with `changes` applied to the parameters it has (unknown ones are ignored). */
function overlay(
  table: Table,
  changes: ReadonlyArray<{ category: string; key: string; value: JsonValue }>,
  by: string,
): Table {
  const out: Table = new Map([...table].map(([cat, inner]) => [cat, new Map(inner)]));
  for (const c of changes) {
    const inner = out.get(c.category);
    const p = inner?.get(c.key);
    if (inner && p) inner.set(c.key, { ...p, value: c.value, updatedBy: by });
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
