/**
 * Cache keys, TTLs and pub/sub channels: a contract (DESIGN.md) shared by every process and by users'
 * own programs reading Redis, so the names never change casually.
 */
export const CACHE_TTL_SECONDS = Object.freeze({
  latestPrice: 60,
  hourlyData: 120,
  metrics: 3600,
  correlationMatrix: 86_400,
  bestPairs: 86_400,
});

export const cacheKeys = Object.freeze({
  latestPrice: (symbol: string) => `latest_price:${symbol}`,
  hourlyData: (symbol: string) => `hourly_data:${symbol}:1D`,
  metrics: (symbol: string) => `metrics:${symbol}`,
  correlationMatrix: (windowDays: number) => `correlation_matrix:${windowDays}`,
  bestPairs: () => 'best_pairs',
});

const CHANNELS = [
  'price_updates',
  'volatility_alerts',
  'correlation_alerts',
  'depeg_alerts',
  'risk_updates',
  'supply_alerts',
  'data_ready',
  'job_events',
] as const;
export type Channel = (typeof CHANNELS)[number];

/** Every message on a channel is JSON with at least a `type` and an ISO-8601 `ts`. */
export interface ChannelMessage {
  type: string;
  ts: string;
  [key: string]: unknown;
}
