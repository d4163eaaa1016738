import type { Db, Queryable } from '../store/db.ts';
import type { Clock } from './types.ts';

/**
 * Test helpers: a manual clock (time moves only when told) and a Db wrapper counting queries in flight,
 * so a test can advance simulated time only once everything the last instant started has settled.
 */

interface Waiter {
  at: number;
  seq: number;
  resolve: () => void;
}

export interface ManualClock extends Clock {
  /** Sleeps registered and not yet woken. */
  waiting(): number;
  /** The earliest wake-up time, or null. */
  nextWake(): number | null;
  /** Sets the time to `t` (never backwards) and wakes every sleeper due. */
  set(t: number): void;
}

export function manualClock(start: number): ManualClock {
  let now = start;
  let seq = 0;
  const waiters = new Set<Waiter>();
  return {
    now: () => now,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (ms <= 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const w: Waiter = {
          at: now + ms,
          seq: seq++,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = (): void => {
          waiters.delete(w);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.add(w);
      });
    },
    waiting: () => waiters.size,
    nextWake() {
      let min: number | null = null;
      for (const w of waiters) if (min === null || w.at < min) min = w.at;
      return min;
    },
    set(t) {
      now = Math.max(now, t);
      const due = [...waiters].filter((w) => w.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq);
      for (const w of due) {
        waiters.delete(w);
        w.resolve();
      }
    },
  };
}

export interface CountingDb extends Db {
  inFlight(): number;
  /** Queries started so far. */
  started(): number;
}

/** `db` with a count of the queries in flight (transactions count as one). */
export function countingDb(db: Db): CountingDb {
  let active = 0;
  let total = 0;
  const wrap = async <T>(p: () => Promise<T>): Promise<T> => {
    active++;
    total++;
    try {
      return await p();
    } finally {
      active--;
    }
  };
  const q: Queryable = {
    query: (sql, params) => wrap(() => db.query(sql, params)),
    exec: (sql) => wrap(() => db.exec(sql)),
    copyRows: (t, c, r) => wrap(() => db.copyRows(t, c, r)),
  };
  return {
    ...q,
    kind: db.kind,
    features: db.features,
    transaction: (fn) => wrap(() => db.transaction(fn)),
    listen: (ch, fn) => db.listen(ch, fn),
    notify: (ch, payload) => wrap(() => db.notify(ch, payload)),
    close: () => db.close(),
    inFlight: () => active,
    started: () => total,
  } as CountingDb;
}

/** Resolves once `busy()` has stayed false over `turns` consecutive event-loop turns. */
export async function settle(busy: () => boolean, turns = 5): Promise<void> {
  let quiet = 0;
  while (quiet < turns) {
    await new Promise((r) => setImmediate(r));
    quiet = busy() ? 0 : quiet + 1;
  }
}

/**
 * Plays simulated time up to `end`: settle, jump to the next wake-up, repeat. `busy` says whether work
 * started at the current instant is still going (queries in flight, queue calls…).
 */
export async function playUntil(clock: ManualClock, end: number, busy: () => boolean): Promise<void> {
  for (;;) {
    await settle(busy);
    const next = clock.nextWake();
    if (next === null || next > end) break;
    clock.set(next);
  }
  clock.set(end);
  await settle(busy);
}
