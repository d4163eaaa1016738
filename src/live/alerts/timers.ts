/** Time as the live detectors see it; tests pass a manual clock so holds and throttles are deterministic. */
export interface LiveClock {
  /** UTC epoch ms. */
  now(): number;
  /** Runs `fn` after `ms` of this clock's time; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const realClock: LiveClock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

/** The part of the config store the detectors read on every tick (ConfigStore fits; hot-reloaded). */
export interface ParamReader {
  getFloat(category: string, key: string, fallback?: number): number;
}
