import type { Cache, PubSub } from '../cache/index.ts';
import type { ConfigStore } from '../config/store.ts';
import type { Logger } from '../core/log.ts';
import type { FeedClients } from '../pipeline/feeds/feed.ts';
import type { Settings } from '../settings.ts';
import type { Source } from '../sources/types.ts';
import type { Db } from '../store/db.ts';

/** Time as the orchestrator sees it; tests pass a manual or accelerated clock. */
export interface Clock {
  /** UTC epoch ms. */
  now(): number;
  /** Resolves after `ms` of this clock's time (rejects with the signal's reason when aborted). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * When a scheduled tick may fire, beyond its cron expression:
 * - `always`: every tick;
 * - `nyse_day`: only on NYSE trading days (New York date of the tick), holidays skipped;
 * - `nyse_session`: only while the NYSE session is open, open ≤ tick ≤ close (early closes honoured).
 */
export type MarketWindow = 'always' | 'nyse_day' | 'nyse_session';

/** Retry delay before attempt n+1: `min(baseMs · factor^(n-1), maxMs)`. */
export interface Backoff {
  /** @defaultValue 300000 (5 min) */
  baseMs: number;
  /** @defaultValue 2 */
  factor: number;
  /** @defaultValue 3600000 (1 h) */
  maxMs: number;
}

export interface JobSchedule {
  /** Five-field cron expression (minute hour day-of-month month day-of-week). */
  cron: string;
  /** IANA time zone the expression is read in. @defaultValue 'UTC' */
  timezone: string;
  window: MarketWindow;
}

/** What a handler gets besides its payload. */
export interface JobContext {
  db: Db;
  settings: Settings;
  sources: Readonly<Record<string, Source>>;
  /** The economic/news/events providers' clients, built once per process. */
  feedClients: () => Promise<FeedClients>;
  /** The process's config parameters (the runtime's `config()`). */
  config: () => Promise<ConfigStore>;
  cache?: Cache;
  pubsub?: PubSub;
  log: Logger;
  /** Aborted on timeout or shutdown; handlers pass it on to I/O. */
  signal: AbortSignal;
  /** The tick this run belongs to (UTC ms); for manual runs, the request time. */
  tick: number;
  attempt: number;
}

/**
 * A handler's result: `records` lands in `ops.job_runs.records`, the whole object in `summary`. `records`
 * counts rows this run actually wrote or changed (not rows read or left as they were).
 */
export interface JobResult {
  records?: number;
  /** Set when the run could do nothing, with why (no API key, provider unreachable): recorded `skipped`. */
  skipped?: string;
  [key: string]: unknown;
}

export interface JobDefinition<P = unknown> {
  name: string;
  description: string;
  /** Absent for jobs only run on demand. */
  schedule?: JobSchedule;
  /** Run time limit (ms); the run is aborted and recorded `timed_out`. */
  timeoutMs: number;
  /** Attempts after the first one. @defaultValue 3 */
  maxRetries: number;
  backoff: Backoff;
  /** How late a tick may still start (ms): 60 s for hourly and faster jobs, 5 min for daily and slower. */
  graceMs: number;
  /** Alert (log, `job_events` message `alert`, webhook) when the last attempt fails. @defaultValue true */
  alertOnFailure: boolean;
  /** Used when config has no `schedules.<name>.enabled`. @defaultValue true */
  enabledByDefault: boolean;
  /** The payload of a scheduled run of `tick`. */
  payload(tick: number): P;
  handler(ctx: JobContext, payload: P): Promise<JobResult>;
}

/** A definition with its payload type erased, as the runner and registry hold it. */
// biome-ignore lint/suspicious/noExplicitAny: payload types differ per job; `defineJob` keeps each one checked
export type AnyJob = JobDefinition<any>;

export type Registry = ReadonlyMap<string, AnyJob>;

export const DEFAULT_BACKOFF: Backoff = Object.freeze({ baseMs: 5 * 60_000, factor: 2, maxMs: 3_600_000 });
const DEFAULT_MAX_RETRIES = 3;

/** Fills the defaults of a definition; the payload type `P` is checked between `payload` and `handler`. */
export function defineJob<P>(
  def: Pick<JobDefinition<P>, 'name' | 'description' | 'payload' | 'handler'> &
    Partial<Omit<JobDefinition<P>, 'name' | 'description' | 'payload' | 'handler'>>,
): JobDefinition<P> {
  const schedule = def.schedule;
  return {
    timeoutMs: 30 * 60_000,
    maxRetries: DEFAULT_MAX_RETRIES,
    backoff: DEFAULT_BACKOFF,
    graceMs: schedule && isSubDaily(schedule.cron) ? 60_000 : 5 * 60_000,
    alertOnFailure: true,
    enabledByDefault: true,
    ...def,
    schedule,
  };
}

/** True when the cron expression fires more than once a day (its hour field is not a single number). */
function isSubDaily(cron: string): boolean {
  const hour = cron.trim().split(/\s+/)[1] ?? '*';
  return !/^\d+$/.test(hour);
}

/** Deterministic id of one run: `name:tickISO` (every attempt of the run shares it). */
export function runKey(name: string, tick: number): string {
  return `${name}:${new Date(tick).toISOString()}`;
}

/** BullMQ refuses ':' in custom ids; the queue id is the run key with ':' written as '_'. */
export function queueJobId(key: string): string {
  return key.replaceAll(':', '_');
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepReal(ms, signal),
};

export function sleepReal(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A clock running `speed` times faster than real time from `start` (UTC ms): one real second is `speed`
 * simulated seconds. Used to play a whole day of schedules in seconds.
 */
export function acceleratedClock(start: number, speed: number): Clock {
  const realStart = Date.now();
  return {
    now: () => start + (Date.now() - realStart) * speed,
    sleep: (ms, signal) => sleepReal(ms / speed, signal),
  };
}
