/**
 * Small helpers in place of `!` non-null assertions and `as` casts on indexed reads
 * (`noUncheckedIndexedAccess` is on: `a[i]` is `T | undefined`).
 *
 * Use them at boundaries and in cold code. Hot numeric loops read their arrays directly and handle the
 * `undefined` locally (`a[i] ?? Number.NaN` where a NaN already reaches a finite-check or means "missing",
 * or a length check before the loop): a shared helper would see every array type its callers pass and its
 * element loads would go megamorphic.
 */

/** @public STYLE.md's replacement for `!`; kept for callers to come. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

export function ensureDefined<T>(value: T | null | undefined, what = 'value'): T {
  if (value === undefined || value === null) throw new Error(`assertion failed: ${what} is ${value}`);
  return value;
}

/** @public Exhaustiveness check for unions (STYLE.md); kept for callers to come. */
export function ensureNever(value: never, what = 'value'): never {
  throw new Error(`assertion failed: unexpected ${what} ${String(value)}`);
}

/** `a[i]`, or a RangeError naming the array when `i` is outside it (or a hole). Negative `i` counts from the end. */
export function at<T>(a: ArrayLike<T>, i: number, what = 'array'): T {
  const v = a[i < 0 ? a.length + i : i];
  if (v === undefined) throw new RangeError(`${what}[${i}] is out of range (length ${a.length})`);
  return v;
}
