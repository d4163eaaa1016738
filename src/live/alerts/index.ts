/**
 * The live listeners the stream runner feeds with composite ticks: depeg alerts and live risk. Everything
 * they use is passed in (the runtime builds it once per process).
 */
import type { PubSub } from '../../cache/index.ts';
import type { Logger } from '../../core/log.ts';
import { monteCarloVar } from '../../risk/montecarlo.ts';
import { portfolioAssets } from '../../risk/portfolio.ts';
import { loadPortfolio, loadVarInputs, type RiskParams } from '../../risk/service.ts';
import type { Settings } from '../../settings.ts';
import type { Db } from '../../store/db.ts';
import { listInstruments } from '../../store/repos/instruments.ts';
import type { CompositeListener } from '../types.ts';
import { DepegMonitor } from './depeg-monitor.ts';
import { AlertNotifier } from './notifier.ts';
import { type LiveVar, RiskMonitor } from './risk-monitor.ts';
import { type LiveClock, type ParamReader, realClock } from './timers.ts';
import { VarWorker } from './var-worker-client.ts';

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
  /**
   * Where the live VaR simulation runs: `worker` (a worker thread, the stream's event loop stays free) or
   * `thread` (the stream's own thread; the bench compares both). @defaultValue 'worker'
   */
  liveVarIn?: 'worker' | 'thread';
}

/** Pegs of the active stablecoins with a peg target (`market_data.instruments.peg_target`). */
async function loadPegs(db: Db): Promise<Map<string, number>> {
  const rows = await listInstruments(db, { active: true });
  const pegs = new Map<string, number>();
  for (const r of rows) if (r.pegTarget != null && r.pegTarget > 0) pegs.set(r.symbol, r.pegTarget);
  return pegs;
}

/**
 * VaR of the stored portfolio from the risk service's inputs, not stored (the daily run keeps
 * `risk.var_results`); the simulation runs in `worker` when given, else on this thread.
 */
function liveVar(
  db: Db,
  config: RiskParams,
  simulations?: number,
  worker?: VarWorker,
): () => Promise<LiveVar> {
  return async () => {
    const inputs = await loadVarInputs(db, { store: false, simulations, config });
    const r = worker
      ? await worker.compute(inputs.portfolio, inputs.model, inputs.monteCarlo)
      : monteCarloVar(inputs.portfolio, inputs.model, inputs.monteCarlo);
    return {
      portfolio: inputs.portfolio.name,
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
  const varWorker = (deps.liveVarIn ?? 'worker') === 'worker' ? new VarWorker() : undefined;
  const risk = new RiskMonitor({
    symbols: new Set(portfolioAssets(portfolio)),
    computeVar: liveVar(deps.db, deps.config, deps.liveVarSimulations, varWorker),
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
  const closeRisk: CompositeListener = {
    onComposite: (t) => risk.onComposite(t),
    close: async () => {
      // terminating the worker first ends a long run in flight instead of waiting for it
      const stopped = risk.close();
      await varWorker?.close();
      await stopped;
    },
  };
  return { listeners: [closeDepeg, closeRisk], depeg, risk, notifier };
}
