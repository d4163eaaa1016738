import type { PubSub } from '../../cache/index.ts';
import { describeError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { toIso } from '../../core/time.ts';
import type { VarRecord } from '../../core/var-record.ts';
import type { CompositeListener, CompositeTick } from '../types.ts';
import type { LiveClock, ParamReader } from './timers.ts';

/** `alerts.risk_move_threshold` when the config has none: a 1 % move. */
const DEFAULT_RISK_MOVE = 0.01;
/** `alerts.risk_min_interval_seconds` when the config has none. */
const DEFAULT_RISK_MIN_INTERVAL_SECONDS = 10;

/** The VaR figures a live update carries (the fields of `risk var --json` the Risk page shows). */
export interface LiveVar
  extends Pick<
    VarRecord,
    | 'var_95'
    | 'var_99'
    | 'cvar_95'
    | 'expected_loss'
    | 'worst_case'
    | 'best_case'
    | 'simulations'
    | 'horizon_days'
    | 'simulation_time_ms'
  > {
  portfolio: string;
}

/** What a significant move triggered, as published on `risk_updates` (`type: 'risk_update'`). */
export interface RiskUpdateMessage extends LiveVar {
  type: 'risk_update';
  ts: string;
  trigger: { symbol: string; price: number; reference: number; move: number };
}

export interface RiskMonitorOptions {
  /** Symbols the stored portfolio holds; moves of other symbols are ignored. */
  symbols: ReadonlySet<string>;
  /** Recomputes VaR of the stored portfolio (the risk service's `runVar`). */
  computeVar(): Promise<LiveVar>;
  config: ParamReader;
  clock: LiveClock;
  pubsub?: PubSub;
  log: Pick<Logger, 'warn'>;
}

/**
 * Live risk: when a held asset's composite price has moved by `alerts.risk_move_threshold` (relative) from
 * the price the last VaR saw, VaR of the stored portfolio is recomputed and published on `risk_updates`.
 * Recomputations are at least `alerts.risk_min_interval_seconds` apart: a move inside that window is
 * remembered and run when it ends (trailing edge), so the last move is never lost; one runs at a time.
 */
export class RiskMonitor implements CompositeListener {
  /** Price of each symbol that the last VaR (or the first tick) saw. */
  private readonly reference = new Map<string, number>();
  private pending: RiskUpdateMessage['trigger'] | undefined;
  private lastRunAt = Number.NEGATIVE_INFINITY;
  private cancelTimer: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  runs = 0;

  constructor(private readonly options: RiskMonitorOptions) {}

  onComposite(tick: CompositeTick): void {
    if (this.closed || !this.options.symbols.has(tick.symbol) || !(tick.price > 0)) return;
    const ref = this.reference.get(tick.symbol);
    if (ref === undefined) {
      this.reference.set(tick.symbol, tick.price);
      return;
    }
    const move = tick.price / ref - 1;
    const threshold = this.options.config.getFloat('alerts', 'risk_move_threshold', DEFAULT_RISK_MOVE);
    if (Math.abs(move) < threshold) return;
    this.reference.set(tick.symbol, tick.price);
    this.pending = { symbol: tick.symbol, price: tick.price, reference: ref, move };
    this.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelTimer?.();
    await this.running;
  }

  private schedule(): void {
    if (this.running || this.cancelTimer) return;
    const gapMs =
      this.options.config.getFloat('alerts', 'risk_min_interval_seconds', DEFAULT_RISK_MIN_INTERVAL_SECONDS) *
      1000;
    const wait = this.lastRunAt + gapMs - this.options.clock.now();
    if (wait <= 0) {
      this.run();
      return;
    }
    this.cancelTimer = this.options.clock.setTimer(() => {
      this.cancelTimer = undefined;
      if (!this.closed) this.run();
    }, wait);
  }

  private run(): void {
    const trigger = this.pending;
    if (!trigger) return;
    this.pending = undefined;
    this.lastRunAt = this.options.clock.now();
    this.runs++;
    this.running = this.recompute(trigger).finally(() => {
      this.running = undefined;
      // A move that arrived while VaR was being computed waits for the next slot.
      if (this.pending && !this.closed) this.schedule();
    });
  }

  private async recompute(trigger: RiskUpdateMessage['trigger']): Promise<void> {
    try {
      const v = await this.options.computeVar();
      const message: RiskUpdateMessage = {
        type: 'risk_update',
        ts: toIso(this.options.clock.now()),
        trigger,
        ...v,
      };
      await this.options.pubsub?.publish('risk_updates', { ...message });
    } catch (err) {
      // a run ended by close() (its worker terminated) is not a failure
      if (this.closed) return;
      this.options.log.warn({ err: describeError(err) }, 'live VaR recomputation failed');
    }
  }
}
