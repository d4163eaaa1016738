import { runAllAnalytics } from '../analytics/service.ts';
import { startOfUtcDay } from '../core/time.ts';
import { loadEconomicSamples } from '../pipeline/feeds/economic/samples.ts';
import { loadEventSamples } from '../pipeline/feeds/events/samples.ts';
import { loadNewsSamples } from '../pipeline/feeds/news/samples.ts';
import { runLatest } from '../pipeline/latest.ts';
import { saveValidationReport, validateStore } from '../quality/validate.ts';
import { runDailyRisk } from '../risk/service.ts';
import { systemClock } from '../sources/rate-limit.ts';
import { SyntheticSource } from '../sources/synthetic/client.ts';
import type { Db } from '../store/db.ts';
import type { CommandContext } from './context.ts';
import { type StepPrinter, stepPrinter } from './progress.ts';

/**
 * The steps the demo runs after loading history, in order: the economic, news and events samples, an
 * ingest of latest prices (offline: the
 * synthetic source, its clock pinned to today's midnight UTC so a re-run the same day stores nothing new),
 * analytics, the quality gate over the store (report stored), then the risk report built on all of it.
 */
export function demoExtraSteps(
  c: CommandContext,
  steps: StepPrinter = stepPrinter(false),
): Array<{ name: string; run: (db: Db) => Promise<Record<string, unknown>> }> {
  const today = startOfUtcDay(Date.now());
  return shown(steps, [
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
        const { report, files } = await runDailyRisk(db, {
          home: c.settings.home,
          config: await c.runtime.config(),
        });
        return {
          date: report.date,
          var_95: report.var.var_95,
          cvar_95: report.var.cvar_95,
          alerts: report.alerts.length,
          report: files.html,
        };
      },
    },
  ]);
}

/** What each extra step is called on the terminal. */
const TITLES: Readonly<Record<string, string>> = {
  economic_news_events: 'economic, news and events samples',
  latest: 'latest prices (synthetic)',
  analytics: 'analytics (volatility, correlations, best pairs, depegs)',
  validate: 'quality checks over the store',
  risk: 'risk report (VaR, stress tests)',
};

/**
 * The demo's `log` on a terminal: the loading steps runDemo runs before the extra ones (in its order) are
 * shown running, and each log line it writes when one finishes replaces that step's line; the line it writes
 * after an extra step (already shown by `shown`) is left out.
 */
export function demoLog(steps: StepPrinter): (message: string) => void {
  const loading = ['universe', 'synthetic history', 'real samples'];
  let index = 0;
  steps.begin(`demo: ${loading[0]}`);
  return (message) => {
    if (index >= loading.length) return; // an extra step's own line: `shown` printed its outcome
    steps.cancel();
    steps.note(message);
    index++;
    const next = loading[index];
    if (next) steps.begin(`demo: ${next}`);
  };
}

/** Wraps each step so the terminal shows it running and then its outcome (a no-op printer when piped). */
function shown(
  steps: StepPrinter,
  list: Array<{ name: string; run: (db: Db) => Promise<Record<string, unknown>> }>,
): Array<{ name: string; run: (db: Db) => Promise<Record<string, unknown>> }> {
  if (!steps.enabled) return list;
  return list.map((st) => ({
    name: st.name,
    run: async (db) => {
      steps.begin(TITLES[st.name] ?? st.name);
      try {
        const res = await st.run(db);
        steps.end();
        return res;
      } catch (err) {
        steps.end((err as Error).message, false);
        throw err;
      }
    },
  }));
}
