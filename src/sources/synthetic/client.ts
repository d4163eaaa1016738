/** The synthetic source: offline mode (`USE_MOCK_DATA=true`, `--source synthetic`) and the demo. */
import {
  ASSET_CLASSES,
  type AssetClass,
  type Bar,
  INTERVAL_MS,
  INTERVALS,
  type Instrument,
  type Interval,
  type TimeRange,
} from '../../core/types.ts';
import type { Clock } from '../rate-limit.ts';
import { systemClock } from '../rate-limit.ts';
import type { FetchOptions, LatestResult, Source, SourceCheck } from '../types.ts';
import { type SyntheticOptions, SyntheticSeries, syntheticBars, syntheticSupports } from './generator.ts';

export interface SyntheticSourceOptions extends SyntheticOptions {
  /** Bars per yielded page. @defaultValue 5000 */
  pageSize?: number;
  /** "Now": bars still forming are left out, latest prices are taken here. @defaultValue systemClock */
  clock?: Clock;
}

export class SyntheticSource implements Source {
  readonly name = 'synthetic';
  readonly assetClasses: readonly AssetClass[] = ASSET_CLASSES.filter(syntheticSupports);
  readonly intervals = INTERVALS;
  readonly testSymbol = 'SYNTH';
  readonly configured = true;
  private readonly clock: Clock;
  private readonly pageSize: number;

  constructor(private readonly options: SyntheticSourceOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.pageSize = Math.max(1, options.pageSize ?? 5000);
  }

  /** Any symbol works: the synthetic market invents a price for it. */
  providerSymbol(instrument: Instrument): string {
    return instrument.symbol;
  }

  supports(instrument: Instrument, interval?: Interval): boolean {
    return (
      syntheticSupports(instrument.assetClass) &&
      (interval === undefined || this.intervals.includes(interval))
    );
  }

  async *fetchBars(
    instrument: Instrument,
    interval: Interval,
    range: TimeRange,
    options: FetchOptions = {},
  ): AsyncIterable<Bar[]> {
    const now = this.clock.now();
    const bars = syntheticBars(
      instrument,
      interval,
      { from: range.from, to: Math.min(range.to, now) },
      this.options,
    );
    const complete = bars.filter((bar) => bar.ts + INTERVAL_MS[interval] <= now);
    for (let i = 0; i < complete.length; i += this.pageSize) {
      options.signal?.throwIfAborted();
      yield complete.slice(i, i + this.pageSize);
    }
  }

  async fetchLatest(instruments: readonly Instrument[], options: FetchOptions = {}): Promise<LatestResult> {
    options.signal?.throwIfAborted();
    const now = this.clock.now();
    const minute = Math.floor(now / 60_000);
    const result: LatestResult = { items: [], errors: [] };
    for (const instrument of instruments) {
      if (!syntheticSupports(instrument.assetClass)) {
        result.errors.push({
          symbol: instrument.symbol,
          error: new Error(`synthetic: no prices for ${instrument.assetClass} series`),
        });
        continue;
      }
      const price = new SyntheticSeries(instrument, this.options).priceAtMinute(minute);
      result.items.push({ symbol: instrument.symbol, ts: minute * 60_000, price, source: this.name });
    }
    return result;
  }

  async check(): Promise<SourceCheck> {
    return { source: this.name, ok: true, latency_ms: 0, authenticated: true, test_symbol: this.testSymbol };
  }
}
