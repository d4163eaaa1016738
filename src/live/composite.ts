/**
 * The composite price of an instrument: the median of its venues' fresh USD prices. A median ignores one
 * wild venue among three or more; with two venues it would be their mean, so when two disagree by more than
 * `maxSpread` the one closer to the previous composite wins.
 */
export interface VenuePrice {
  /** USD price (quote converted). */
  price: number;
  /** Venue trade time, epoch ms. */
  ts: number;
}

export interface CompositeOptions {
  /** A venue whose last trade is older than the newest venue's by more than this is left out (ms). @defaultValue 60000 */
  freshMs?: number;
  /** Relative disagreement of two venues beyond which the mean is not trusted. @defaultValue 0.02 */
  maxSpread?: number;
}

export interface CompositeValue {
  price: number;
  ts: number;
  venues: string[];
}

/** Median of fresh venue prices; undefined when no venue has a price. */
export function compositeOf(
  prices: ReadonlyMap<string, VenuePrice>,
  previous: number | undefined,
  options: CompositeOptions = {},
): CompositeValue | undefined {
  const freshMs = options.freshMs ?? 60_000;
  let newest = Number.NEGATIVE_INFINITY;
  for (const p of prices.values()) if (p.ts > newest) newest = p.ts;
  const fresh: Array<[string, number]> = [];
  for (const [venue, p] of prices) if (p.ts >= newest - freshMs) fresh.push([venue, p.price]);
  if (fresh.length === 0) return undefined;
  fresh.sort((a, b) => a[1] - b[1]);
  const venues = fresh.map(([v]) => v).sort();
  const first = fresh[0];
  const last = fresh[fresh.length - 1];
  if (first === undefined || last === undefined) return undefined;
  if (fresh.length === 2 && (last[1] - first[1]) / first[1] > (options.maxSpread ?? 0.02)) {
    const pick =
      previous === undefined || Math.abs(first[1] - previous) <= Math.abs(last[1] - previous) ? first : last;
    return { price: pick[1], ts: newest, venues: [pick[0]] };
  }
  const mid = fresh.length >> 1;
  const upper = fresh[mid];
  const lower = fresh[mid - 1];
  if (upper === undefined) return undefined;
  const price = fresh.length % 2 === 1 || lower === undefined ? upper[1] : (lower[1] + upper[1]) / 2;
  return { price, ts: newest, venues };
}
