/**
 * Counter-based randomness: the draw for (seed, index) is a pure hash, so any bar can be computed without
 * replaying the ones before it in the same stream, and every run gives the same numbers.
 */

/** FNV-1a 32-bit hash of a string (symbol → seed). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** 32-bit avalanche hash of two integers (murmur3 finalizer over a mix of both). */
export function hash2(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((b + 0x7f4a7c15) | 0, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform draw in (0, 1) for (seed, index). */
export function uniformAt(seed: number, index: number): number {
  return (hash2(seed, index) + 0.5) / 4_294_967_296;
}

/** Standard normal draw for (seed, index) by Box–Muller on two uniform draws. */
export function normalAt(seed: number, index: number): number {
  const u1 = uniformAt(seed, 2 * index);
  const u2 = uniformAt(seed, 2 * index + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
