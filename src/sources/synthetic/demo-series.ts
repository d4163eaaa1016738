/**
 * What the demo stores for each instrument and interval: every bar time the market calendar expects over
 * the demo's span, the real sample's bar where it has one (under its real source) and the synthetic
 * market's bar everywhere else (source `synthetic`). A series is therefore gap-free by construction, and
 * its synthetic stretches join the real ones (the synthetic market is anchored to the real closes).
 *
 * Spans: daily bars from DEMO_START to the last complete UTC day for every priced instrument. Hourly bars
 * for 24/7 markets over the last DEMO_HOURLY_DAYS days, reaching back to the start of any real hourly
 * sample of the instrument (so the USDC, USDT and DAI depeg hours join today's bars without a hole); FX
 * pairs hourly over the real OANDA window (every pair, so each cross has its legs); SPY hourly over its
 * real sample only.
 */
import { expectedBarTimes } from '../../core/calendar.ts';
import { DAY_MS } from '../../core/time.ts';
import type { Bar, Instrument, Interval, StoredBar, TimeRange } from '../../core/types.ts';
import { INTERVAL_MS } from '../../core/types.ts';
import { type SyntheticOptions, SyntheticSeries } from './generator.ts';
import { loadRealSamples, type RealSamples } from './real-samples.ts';

/**
 * First day of the demo's daily history: 18 months and growing, enough for the one-year correlation windows
 * and the risk scenarios while keeping `npm start` fast (each stored bar costs time in the load, the
 * analytics and the validation). Instruments with real daily samples reach back to the
 * samples' start (from HISTORY_START), so their real history (and the stablecoins' real depegs: USDT after
 * Terra, May 2022; USDC and DAI after SVB, March 2023) is stored whole.
 */
const DEMO_START = Date.UTC(2025, 5, 1);
const HISTORY_START = Date.UTC(2022, 0, 1);
/** Days of hourly bars for 24/7 instruments (the dashboard's 1D and 1W views read them). */
const DEMO_HOURLY_DAYS = 14;
/** Hourly windows closer than this are joined by synthetic hours; farther ones are not (too many rows). */
const MAX_JOIN_MS = 400 * DAY_MS;

const SYNTHETIC_SOURCE = 'synthetic';

export interface DemoSeriesPlan {
  instrument: Instrument;
  interval: Interval;
  /** Expected bar open times, ascending. */
  times: number[];
  /** Real bars by open time, with their source. */
  real: Map<number, { bar: Bar; source: string }>;
}

/** The demo's series (instrument × interval) and their expected bar times at `now`. */
export function planDemoSeries(
  instruments: readonly Instrument[],
  now: number,
  samples: RealSamples = loadRealSamples(),
): DemoSeriesPlan[] {
  const end = Math.floor(now / DAY_MS) * DAY_MS;
  const fxWindow = realWindow(samples, (s) => s.interval === '1h' && /^[A-Z]{3}_[A-Z]{3}$/.test(s.symbol));
  const plans: DemoSeriesPlan[] = [];
  for (const inst of instruments) {
    if (inst.assetClass === 'economic') continue;
    const mine = samples.series.filter((s) => s.symbol === inst.symbol);
    const dailyStart = Math.min(
      DEMO_START,
      ...mine
        .filter((s) => s.interval === '1d')
        .map((s) => Math.max(HISTORY_START, s.bars[0]?.ts ?? DEMO_START)),
    );
    const ranges: Array<[Interval, TimeRange | null]> = [['1d', { from: dailyStart, to: end }]];
    const hourlyReal = mine.filter((s) => s.interval === '1h').map((s) => window(s.bars, HOUR_MS));
    if (inst.assetClass === 'crypto' || inst.assetClass === 'stablecoin') {
      ranges.push([
        '1h',
        hourlySpan([...hourlyReal, { from: end - DEMO_HOURLY_DAYS * DAY_MS, to: end }], hourlyReal),
      ]);
    } else if (inst.assetClass === 'fx') ranges.push(['1h', fxWindow]);
    else ranges.push(['1h', hourlySpan(hourlyReal, hourlyReal)]);
    for (const [interval, range] of ranges) {
      if (range === null || range.to <= range.from) continue;
      const real = new Map<number, { bar: Bar; source: string }>();
      for (const s of samples.series) {
        if (s.symbol !== inst.symbol || s.interval !== interval) continue;
        for (const bar of s.bars) {
          if (bar.ts >= range.from && bar.ts < range.to && !real.has(bar.ts))
            real.set(bar.ts, { bar, source: s.source });
        }
      }
      plans.push({
        instrument: inst,
        interval,
        times: expectedBarTimes(inst.assetClass, interval, range),
        real,
      });
    }
  }
  return plans;
}

const HOUR_MS = 3_600_000;

function window(bars: readonly Bar[], step: number): TimeRange {
  return { from: bars[0]?.ts ?? 0, to: (bars.at(-1)?.ts ?? 0) + step };
}

/**
 * One hourly span per series (so it has no hole): the windows joined where they are close; of several
 * groups, the first holding real bars (a depeg episode beats the recent synthetic month).
 */
function hourlySpan(windows: readonly TimeRange[], real: readonly TimeRange[]): TimeRange | null {
  const sorted = [...windows].sort((a, b) => a.from - b.from);
  const groups: TimeRange[] = [];
  for (const w of sorted) {
    const last = groups.at(-1);
    if (last && w.from - last.to <= MAX_JOIN_MS) last.to = Math.max(last.to, w.to);
    else groups.push({ ...w });
  }
  return groups.find((g) => real.some((r) => r.from >= g.from && r.to <= g.to)) ?? groups[0] ?? null;
}

/** Span [first bar, end of last bar) of the real series matching `pick`, or null. */
function realWindow(
  samples: RealSamples,
  pick: (s: RealSamples['series'][number]) => boolean,
): TimeRange | null {
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const s of samples.series) {
    if (!pick(s)) continue;
    const first = s.bars[0];
    const last = s.bars.at(-1);
    if (!first || !last) continue;
    from = Math.min(from, first.ts);
    to = Math.max(to, last.ts + INTERVAL_MS[s.interval]);
  }
  return from < to ? { from, to } : null;
}

/** The bars of `plan` opening after `after` (all when null): real where the sample has them, else synthetic. */
export function demoBars(
  plan: DemoSeriesPlan,
  after: number | null,
  options: SyntheticOptions = {},
): StoredBar[] {
  const { instrument, interval } = plan;
  const series = new SyntheticSeries(instrument, options);
  const step = INTERVAL_MS[interval];
  const out: StoredBar[] = [];
  for (const ts of plan.times) {
    if (after !== null && ts <= after) continue;
    const real = plan.real.get(ts);
    const bar = real?.bar ?? (interval === '1d' ? series.dailyBar(ts) : series.intradayBar(ts, step));
    out.push({ ...bar, ts, symbol: instrument.symbol, interval, source: real?.source ?? SYNTHETIC_SOURCE });
  }
  return out;
}
