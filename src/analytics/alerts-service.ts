import { type Cache, cacheKeys, type PubSub } from '../cache/index.ts';
import type { ConfigStore } from '../config/store.ts';
import { activeRegimeForecast, type RegimeForecast } from '../models/service.ts';
import type { Db } from '../store/db.ts';
import { latestVolatilityMetrics, readLatestCorrelations } from '../store/repos/derived.ts';
import { type AnalyticsSummary, runAllAnalytics } from './service.ts';

/** Contagion levels in rising order (analytics/pairs.ts): NORMAL < 0.7 ≤ ELEVATED < 0.8 ≤ HIGH < 0.9 ≤ CRITICAL. */
const LEVELS = ['NORMAL', 'ELEVATED', 'HIGH', 'CRITICAL'] as const;
const rank = (level: string | null | undefined) =>
  LEVELS.indexOf((level ?? 'NORMAL') as (typeof LEVELS)[number]);

/** Annualised 20-bar historical volatility above which a `volatility_alerts` message goes out. @defaultValue 0.8 */
const DEFAULT_HV_ALERT = 0.8;
/**
 * P(high-correlation regime next week) of the active regimes model at or above which contagion alerts
 * mention it (`alerts.regime_probability`). @defaultValue 0.5
 */
const DEFAULT_REGIME_ALERT = 0.5;
/** Correlation window watched for contagion crossings, days. */
const ALERT_WINDOW_DAYS = 30;

export interface AnalyticsAlerts {
  volatility: Array<{ symbol: string; hv_20: number; threshold: number }>;
  correlation: Array<{
    asset_1: string;
    asset_2: string;
    correlation: number | null;
    from: string;
    to: string;
  }>;
  /** The active regimes model's forecast when it is at or above `alerts.regime_probability`, else null. */
  regime: (RegimeForecast & { threshold: number }) | null;
}

/** The 30-day contagion level of every stored pair, taken before correlations are recomputed. */
export async function snapshotContagion(db: Db): Promise<Map<string, string | null>> {
  const rows = await readLatestCorrelations(db, ALERT_WINDOW_DAYS);
  return new Map(rows.map((p) => [`${p.asset_1}|${p.asset_2}`, p.risk_level]));
}

/** What publishing alerts needs from the process's runtime. */
interface AlertDeps {
  /** The config parameters (`alerts.volatility_hv20`). */
  config: Pick<ConfigStore, 'getFloat'>;
  pubsub?: PubSub;
  cache?: Cache;
}

/**
 * Tells the rest of the system about fresh analytics: cached results are dropped
 * (`correlation_matrix:{window}`, `best_pairs`, `metrics:{symbol}`) so the next read loads the new ones,
 * `volatility_alerts` go out for instruments whose HV(20) is above `alerts.volatility_hv20` (config, default
 * 0.8 = 80 % a year), `correlation_alerts` for pairs whose 30-day contagion level changed since `before`,
 * and one `data_ready`. When the active correlation-regime model's P(high-correlation regime next week) is
 * at or above `alerts.regime_probability` (default 0.5), every contagion alert carries it as `regime`, and
 * one `contagion_regime` message on `correlation_alerts` says so even when no pair crossed a level.
 */
export async function publishAnalyticsAlerts(
  db: Db,
  deps: AlertDeps,
  opts: { before?: Map<string, string | null>; windows?: readonly number[]; interval?: '1d' | '1h' } = {},
): Promise<AnalyticsAlerts> {
  const alerts: AnalyticsAlerts = { volatility: [], correlation: [], regime: null };
  const threshold = deps.config.getFloat('alerts', 'volatility_hv20', DEFAULT_HV_ALERT);
  const regimeThreshold = deps.config.getFloat('alerts', 'regime_probability', DEFAULT_REGIME_ALERT);
  const regime = await activeRegimeForecast(db);
  if (regime && regime.p_high_correlation_next_week >= regimeThreshold)
    alerts.regime = { ...regime, threshold: regimeThreshold };
  for (const row of await latestVolatilityMetrics(db, opts.interval ?? '1d')) {
    if (row.hv_20 !== null && row.hv_20 > threshold) {
      alerts.volatility.push({ symbol: row.symbol, hv_20: row.hv_20, threshold });
    }
  }
  if (opts.before) {
    for (const p of await readLatestCorrelations(db, ALERT_WINDOW_DAYS)) {
      const was = opts.before.get(`${p.asset_1}|${p.asset_2}`);
      if (was !== undefined && rank(was) !== rank(p.risk_level)) {
        alerts.correlation.push({
          asset_1: p.asset_1,
          asset_2: p.asset_2,
          correlation: p.correlation,
          from: was ?? 'NORMAL',
          to: p.risk_level ?? 'NORMAL',
        });
      }
    }
  }
  if (deps.cache) {
    for (const w of opts.windows ?? [30, 90, 365]) await deps.cache.del(cacheKeys.correlationMatrix(w));
    await deps.cache.del(cacheKeys.bestPairs());
    for (const v of alerts.volatility) await deps.cache.del(cacheKeys.metrics(v.symbol));
  }
  if (deps.pubsub) {
    for (const v of alerts.volatility)
      await deps.pubsub.publish('volatility_alerts', { type: 'volatility', ...v });
    for (const c of alerts.correlation) {
      await deps.pubsub.publish('correlation_alerts', {
        type: rank(c.to) > rank(c.from) ? 'contagion_up' : 'contagion_down',
        ...c,
        ...(alerts.regime ? { regime: alerts.regime } : {}),
      });
    }
    if (alerts.regime)
      await deps.pubsub.publish('correlation_alerts', { type: 'contagion_regime', ...alerts.regime });
    await deps.pubsub.publish('data_ready', { type: 'analytics' });
  }
  return alerts;
}

/** Every analytics step, then `publishAnalyticsAlerts` (the demo's and `analytics all`'s entry point). */
export async function runAnalyticsAndPublish(
  db: Db,
  deps: AlertDeps,
  opts: Parameters<typeof runAllAnalytics>[1] = {},
): Promise<AnalyticsSummary & { alerts: AnalyticsAlerts }> {
  const before = await snapshotContagion(db);
  const summary = await runAllAnalytics(db, opts);
  if (opts.dryRun) return { ...summary, alerts: { volatility: [], correlation: [], regime: null } };
  const windows = summary.correlations.map((w) => w.window_days);
  return { ...summary, alerts: await publishAnalyticsAlerts(db, deps, { before, windows }) };
}
