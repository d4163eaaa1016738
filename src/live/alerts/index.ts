/**
 * The live listeners the stream runner feeds with composite ticks: depeg alerts and live risk. Everything
 * they use is passed in (the runtime builds it once per process).
 */
import type { PubSub } from '../../cache/index.ts';
import type { Logger } from '../../core/log.ts';
import { portfolioAssets } from '../../risk/portfolio.ts';
import { loadPortfolio, type RiskParams, runVar } from '../../risk/service.ts';
import type { Settings } from '../../settings.ts';
import type { Db } from '../../store/db.ts';
import { listInstruments } from '../../store/repos/instruments.ts';
import type { CompositeListener } from '../types.ts';
import { DepegMonitor } from './depeg-monitor.ts';
import { AlertNotifier } from './notifier.ts';
import { type LiveVar, RiskMonitor } from './risk-monitor.ts';
import { type LiveClock, type ParamReader, realClock } from './timers.ts';

export interface AlertListenerDeps {
  db: Db;
  /** `depeg_alerts` and `risk_updates` are published here (absent: alerts are only stored and sent). */
  pubsub?: PubSub;
  /** The process's ConfigStore: `alerts.*` parameters are read on every tick, so changes apply live. */
  config: ParamReader & RiskParams;
  settings: Pick<Settings, 'alertWebhookUrl' | 'smtpUrl' | 'alertRecipients'>;
  log: Logger;
  /** @defaultValue realClock */
  clock?: LiveClock;
  /** Monte Carlo paths of a live VaR (fewer than the daily run keeps it quick). @defaultValue the config's */
  liveVarSimulations?: number;
}

/** Pegs of the active stablecoins with a peg target (`market_data.instruments.peg_target`). */
async function loadPegs(db: Db): Promise<Map<string, number>> {
  const rows = await listInstruments(db, { active: true });
  const pegs = new Map<string, number>();
  for (const r of rows) if (r.pegTarget != null && r.pegTarget > 0) pegs.set(r.symbol, r.pegTarget);
  return pegs;
}

/** VaR of the stored portfolio from the risk service, not stored (the daily run keeps `risk.var_results`). */
function liveVar(db: Db, config: RiskParams, simulations?: number): () => Promise<LiveVar> {
  return async () => {
    const run = await runVar(db, { store: false, simulations, config });
    const r = run.result;
    return {
      portfolio: run.portfolio.name,
      var_95: r.var_95,
      var_99: r.var_99,
      cvar_95: r.cvar_95,
      expected_loss: r.expected_loss,
      worst_case: r.worst_case,
      best_case: r.best_case,
      simulations: r.simulations,
      horizon_days: r.horizon_days,
      simulation_time_ms: r.simulation_time_ms,
    };
  };
}

export interface AlertListeners {
  /** Give both to the stream runner: it calls `onComposite` on every composite tick and `close` at the end. */
  listeners: CompositeListener[];
  depeg: DepegMonitor;
  risk: RiskMonitor;
  notifier: AlertNotifier;
}

/**
 * Builds the depeg monitor (with its notifier: store, `depeg_alerts`, webhook, email) and the live risk
 * monitor (VaR of the stored portfolio on `risk_updates`). Reads the pegs and the portfolio once.
 */
export async function createAlertListeners(deps: AlertListenerDeps): Promise<AlertListeners> {
  const clock = deps.clock ?? realClock;
  const notifier = new AlertNotifier({
    db: deps.db,
    pubsub: deps.pubsub,
    log: deps.log,
    webhookUrl: deps.settings.alertWebhookUrl,
    smtp: deps.settings.smtpUrl
      ? { url: deps.settings.smtpUrl, recipients: deps.settings.alertRecipients }
      : undefined,
  });
  const depeg = new DepegMonitor({
    pegs: await loadPegs(deps.db),
    config: deps.config,
    clock,
    onEvent: (e) => notifier.handle(e),
    onArm: (asset) => notifier.prepare(asset),
  });
  const portfolio = await loadPortfolio(deps.db);
  const risk = new RiskMonitor({
    symbols: new Set(portfolioAssets(portfolio)),
    computeVar: liveVar(deps.db, deps.config, deps.liveVarSimulations),
    config: deps.config,
    clock,
    pubsub: deps.pubsub,
    log: deps.log,
  });
  const closeDepeg: CompositeListener = {
    onComposite: (t) => depeg.onComposite(t),
    close: async () => {
      await depeg.close();
      await notifier.flush();
    },
  };
  return { listeners: [closeDepeg, risk], depeg, risk, notifier };
}
