/** Connector options for the economic/news/events providers: base URL and key from settings, rate limit from config. */
import { ConfigStore } from '../config/store.ts';
import type { Provider, Settings } from '../settings.ts';
import { rateLimiterFor } from '../sources/shared-rate-limit.ts';
import type { ProviderOptions } from '../sources/support.ts';
import type { Db } from '../store/db.ts';

/**
 * `settings.providers[provider]` plus `rate_limits.<provider>_per_minute` from the config parameters
 * (seeded with the documented free tiers: FRED 120/min, NewsAPI 100, AlphaVantage 5, Polygon 5).
 */
export async function providerOptions(
  db: Db,
  settings: Settings,
  provider: Provider,
): Promise<ProviderOptions> {
  const config = await ConfigStore.open({ db, live: false });
  try {
    const perMinute = config.getInt('rate_limits', `${provider}_per_minute`, 0);
    const { baseUrl, apiKey } = settings.providers[provider];
    return {
      baseUrl,
      apiKey,
      rateLimiter: rateLimiterFor(settings),
      ...(perMinute > 0 ? { limits: { rateLimit: { requests: perMinute, intervalMs: 60_000 } } } : {}),
    };
  } finally {
    await config.close();
  }
}
