import { ConfigStore } from '../config/store.ts';
import type { Settings } from '../settings.ts';
import type { ProviderLimits } from '../sources/http.ts';
import { rateLimiterFor } from '../sources/shared-rate-limit.ts';
import { createSources, SOURCE_NAMES, type Source } from '../sources/source.ts';
import type { Db } from '../store/db.ts';

/**
 * Request-rate limits per provider from the config parameters `rate_limits.<provider>_per_minute` (seeded
 * with the providers' documented free-tier limits; operators raise them for paid plans without a redeploy).
 */
export async function configuredLimits(db: Db | null): Promise<Record<string, Partial<ProviderLimits>>> {
  const config = await ConfigStore.open({ db, live: false });
  try {
    const limits: Record<string, Partial<ProviderLimits>> = {};
    for (const name of SOURCE_NAMES) {
      if (name === 'synthetic') continue;
      const perMinute = config.getInt('rate_limits', `${name}_per_minute`, 0);
      if (perMinute > 0) limits[name] = { rateLimit: { requests: perMinute, intervalMs: 60_000 } };
    }
    return limits;
  } finally {
    await config.close();
  }
}

/**
 * Every connector, configured from settings (base URLs, keys; all synthetic under USE_MOCK_DATA) and limits.
 * With `REDIS_URL` each provider's rate limit is one budget shared by every process (`rateLimiterFor`).
 */
export function buildSources(
  settings: Settings,
  limits: Record<string, Partial<ProviderLimits>> = {},
): Record<string, Source> {
  return createSources(
    { providers: settings.providers, useMockData: settings.useMockData, limits },
    { rateLimiter: rateLimiterFor(settings) },
  );
}

/** `buildSources` with the rate limits read from the store's config parameters. */
export async function buildSourcesFromConfig(settings: Settings, db: Db): Promise<Record<string, Source>> {
  return buildSources(settings, await configuredLimits(db));
}
