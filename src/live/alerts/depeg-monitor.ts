import type { CompositeListener, CompositeTick } from '../types.ts';
import type { LiveClock, ParamReader } from './timers.ts';

/** `alerts.depeg_threshold` when the config has none: 0.5 % off peg. */
const DEFAULT_DEPEG_THRESHOLD = 0.005;
/** `alerts.depeg_min_seconds` when the config has none. */
const DEFAULT_DEPEG_MIN_SECONDS = 5;

/**
 * A depeg episode starting (`depeg`) or ending (`recovery`). A stablecoin is *off peg* when its composite
 * price is more than `threshold` (relative) away from its peg, in either direction; the episode is raised
 * once the price has stayed off peg for the hold, and ends once it has stayed back inside for the same hold.
 */
export interface DepegEvent {
  kind: 'depeg' | 'recovery';
  asset: string;
  peg: number;
  threshold: number;
  holdSeconds: number;
  /** Clock time the hold elapsed (epoch ms): the alert's time. */
  at: number;
  /** Tick time (epoch ms) of the crossing that started the hold. */
  crossedAt: number;
  /** Composite price at that crossing. */
  price: number;
  /** Farthest price from the peg seen in the episode so far. */
  worst: number;
  /** Latest composite price. */
  last: number;
  venues: string[];
}

type Phase = 'inside' | 'leaving' | 'off' | 'returning';

interface Track {
  phase: Phase;
  crossedAt: number;
  price: number;
  worst: number;
  last: number;
  venues: string[];
  /** Threshold and hold in force when the episode was raised (reported again on recovery). */
  threshold: number;
  holdSeconds: number;
  cancel?: () => void;
}

export interface DepegMonitorOptions {
  /** Peg of each watched stablecoin (instruments' `peg_target`); other symbols are ignored. */
  pegs: ReadonlyMap<string, number>;
  config: ParamReader;
  clock: LiveClock;
  /** Called synchronously when an episode starts or ends; must not block (the notifier queues). */
  onEvent(event: DepegEvent): void;
  /** Called when a hold towards an alert starts (the notifier reserves the alert's id meanwhile). */
  onArm?(asset: string): void;
}

/**
 * Watches composite prices of stablecoins. Each tick is judged against the threshold read from the config
 * at that moment (so a change applies at once); a crossing arms a timer for the hold, so the alert is raised
 * on time even when trades stop while the price is off peg (the usual case on a bad night). A tick back
 * inside before the hold cancels it: nothing is raised.
 */
export class DepegMonitor implements CompositeListener {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly options: DepegMonitorOptions) {}

  onComposite(tick: CompositeTick): void {
    const peg = this.options.pegs.get(tick.symbol);
    if (peg === undefined || !Number.isFinite(tick.price) || peg <= 0) return;
    const threshold = this.options.config.getFloat('alerts', 'depeg_threshold', DEFAULT_DEPEG_THRESHOLD);
    const holdSeconds = this.options.config.getFloat(
      'alerts',
      'depeg_min_seconds',
      DEFAULT_DEPEG_MIN_SECONDS,
    );
    const off = Math.abs(tick.price - peg) / peg > threshold;
    let t = this.tracks.get(tick.symbol);
    if (!t) {
      t = {
        phase: 'inside',
        crossedAt: tick.ts,
        price: tick.price,
        worst: tick.price,
        last: tick.price,
        venues: tick.venues,
        threshold,
        holdSeconds,
      };
      this.tracks.set(tick.symbol, t);
    }
    t.last = tick.price;
    if (off && Math.abs(tick.price - peg) > Math.abs(t.worst - peg)) t.worst = tick.price;
    switch (t.phase) {
      case 'inside':
        if (off) this.arm(tick, t, 'leaving', peg, threshold, holdSeconds);
        break;
      case 'leaving':
        if (!off) this.disarm(t, 'inside');
        break;
      case 'off':
        if (!off) this.arm(tick, t, 'returning', peg, t.threshold, holdSeconds);
        break;
      case 'returning':
        if (off) this.disarm(t, 'off');
        break;
    }
  }

  /** Symbols whose episode is open (raised and not yet recovered). */
  openEpisodes(): string[] {
    return [...this.tracks].filter(([, t]) => t.phase === 'off' || t.phase === 'returning').map(([s]) => s);
  }

  /** Cancels pending holds (an open episode stays open in the store until a later run sees it recover). */
  async close(): Promise<void> {
    for (const t of this.tracks.values()) t.cancel?.();
  }

  private arm(
    tick: CompositeTick,
    t: Track,
    phase: 'leaving' | 'returning',
    peg: number,
    threshold: number,
    holdSeconds: number,
  ): void {
    t.phase = phase;
    t.crossedAt = tick.ts;
    t.price = tick.price;
    t.venues = tick.venues;
    if (phase === 'leaving') {
      this.options.onArm?.(tick.symbol);
      t.worst = tick.price;
      t.threshold = threshold;
      t.holdSeconds = holdSeconds;
    }
    t.cancel?.();
    t.cancel = this.options.clock.setTimer(() => this.elapse(tick.symbol, t, peg), holdSeconds * 1000);
  }

  private disarm(t: Track, phase: 'inside' | 'off'): void {
    t.cancel?.();
    t.cancel = undefined;
    t.phase = phase;
  }

  private elapse(asset: string, t: Track, peg: number): void {
    t.cancel = undefined;
    if (t.phase !== 'leaving' && t.phase !== 'returning') return;
    const kind = t.phase === 'leaving' ? 'depeg' : 'recovery';
    t.phase = kind === 'depeg' ? 'off' : 'inside';
    this.options.onEvent({
      kind,
      asset,
      peg,
      threshold: t.threshold,
      holdSeconds: t.holdSeconds,
      at: this.options.clock.now(),
      crossedAt: t.crossedAt,
      price: t.price,
      worst: t.worst,
      last: t.last,
      venues: [...t.venues],
    });
  }
}
