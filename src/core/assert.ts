/** Small helpers in place of `!` non-null assertions. */

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

export function ensureDefined<T>(value: T | null | undefined, what = 'value'): T {
  if (value === undefined || value === null) throw new Error(`assertion failed: ${what} is ${value}`);
  return value;
}

export function ensureNever(value: never, what = 'value'): never {
  throw new Error(`assertion failed: unexpected ${what} ${String(value)}`);
}
