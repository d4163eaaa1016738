import type { Instrument, Interval } from '../core/types.ts';
import { ProviderAuthError, ProviderUnavailableError, RateLimitedError } from '../sources/errors.ts';
import { SOURCE_PREFERENCE } from '../sources/source.ts';
import type { Source } from '../sources/types.ts';

/**
 * Whether a provider error means it could not be asked (network, 5xx after retries, rejected key, quota) as
 * opposed to answering with bad data. A load where every item ended like this did nothing through no fault
 * of the data: jobs record it `skipped` instead of failed.
 */
export function isUnreachable(err: unknown): boolean {
  return (
    err instanceof ProviderUnavailableError ||
    err instanceof ProviderAuthError ||
    err instanceof RateLimitedError
  );
}

/** Preferred sources that would carry `inst` (at `interval`) but are not configured: their key is missing. */
export function unconfigured(
  sources: Readonly<Record<string, Source>>,
  inst: Instrument,
  interval?: Interval,
  only?: string,
): string[] {
  const names = only !== undefined ? [only] : SOURCE_PREFERENCE[inst.assetClass];
  return names.filter((n) => {
    const s = sources[n];
    return s !== undefined && !s.configured && s.supports(inst, interval);
  });
}
