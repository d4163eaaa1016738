import { startOfUtcDay } from '../core/time.ts';
import { loadEconomicSamples } from '../economic/samples.ts';
import { loadEventSamples } from '../events/samples.ts';
import { loadNewsSamples } from '../news/samples.ts';
import { runLatest } from '../pipeline/latest.ts';
import { saveValidationReport, validateStore } from '../quality/validate.ts';
import { runAllAnalytics } from '../services/analytics.ts';
import { runDailyRisk } from '../services/risk.ts';
import { systemClock } from '../sources/rate-limit.ts';
import { SyntheticSource } from '../sources/synthetic/client.ts';
import type { Db } from '../store/db.ts';
import type { CommandContext } from './context.ts';

/**
 * The steps the demo runs after loading history, in order: the economic, news and events samples, an
 * ingest of latest prices (offline: the
 * synthetic source, its clock pinned to today's midnight UTC so a re-run the same day stores nothing new),
 * analytics, the quality gate over the store (report stored), then the risk report built on all of it.
 */
export function demoExtraSteps(
  c: CommandContext,
): Array<{ name: string; run: (db: Db) => Promise<Record<string, unknown>> }> {
  const today = startOfUtcDay(Date.now());
  return [
    {
      name: 'economic_news_events',
      run: async (db) => {
        const economic = await loadEconomicSamples(db);
        const news = await loadNewsSamples(db);
        const events = await loadEventSamples(db);
        return {
          economic: { stored: economic.stored, read: economic.read },
          news: { stored: news.stored, read: news.read },
          events: { stored: events.stored, read: events.read },
        };
      },
    },
    {
      name: 'latest',
      run: async (db) => {
        const synthetic = new SyntheticSource({ clock: { ...systemClock, now: () => today } });
        const s = await runLatest(db, { synthetic }, { source: 'synthetic', now: today });
        return { requested: s.requested, stored: s.stored, unchanged: s.unchanged, failed: s.failed };
      },
    },
    {
      name: 'analytics',
      run: async (db) => {
        const s = await runAllAnalytics(db);
        const usdc = s.depegs.events.filter((e) => e.asset === 'USDC');
        return {
          volatility_rows: s.volatility.rows,
          correlations: s.correlations,
          best_pairs: s.best_pairs,
          depeg_events: s.depegs.events.length,
          usdc_min_price: usdc.length ? Math.min(...usdc.map((e) => e.min_price)) : null,
          depegs: s.depegs.events.map((e) => ({
            asset: e.asset,
            start: e.start,
            min_price: e.min_price,
            duration_seconds: e.duration_seconds,
          })),
          errors: s.errors.length,
        };
      },
    },
    {
      name: 'validate',
      run: async (db) => {
        const report = await validateStore(db);
        await saveValidationReport(db, report);
        return {
          total_checks: report.total_checks,
          passed: report.passed,
          failed: report.failed,
          overall_valid: report.overall_valid,
          errors: report.errors.slice(0, 5),
        };
      },
    },
    {
      name: 'risk',
      run: async (db) => {
        const { report, files } = await runDailyRisk(db, { home: c.settings.home });
        return {
          date: report.date,
          var_95: report.var.var_95,
          cvar_95: report.var.cvar_95,
          alerts: report.alerts.length,
          report: files.html,
        };
      },
    },
  ];
}
