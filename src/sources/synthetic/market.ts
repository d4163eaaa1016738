/**
 * The synthetic market: common factors (equity market, sectors, crypto, USD, rates…) whose daily moves are
 * the real ones where the samples have them (SPY's returns drive the market, BTC's the crypto factor, the
 * OANDA legs the dollar) and seeded draws elsewhere; each instrument's log price is its loadings times the
 * factors plus its own noise, pulled onto its real closes. FX pairs are built from currency values in USD,
 * so every cross equals the ratio of its legs exactly. Deterministic in (seed, samples).
 */
import { isNyseTradingDay } from '../../core/calendar.ts';
import { DAY_MS } from '../../core/time.ts';
import type { Instrument } from '../../core/types.ts';
import { type Calibration, calibrate, dailyCloses } from './calibrate.ts';
import { type FactorName, instrumentModel } from './exposures.ts';
import {
  CURRENCIES,
  factorSpec,
  KNOWN_LEVELS,
  PEG_HALF_LIFE_DAYS,
  PEG_NOISE,
  SECTOR_SHARE,
  type StepCalendar,
} from './model.ts';
import { HOUR_MS, type HourShape, Path, unitBridge } from './path.ts';
import { hash2, hashString, normalAt, uniformAt } from './random.ts';
import type { RealSamples } from './real-samples.ts';

/** First day of the model (earlier times get no bars) and the day its level tables refer to. */
export const SYNTHETIC_START = Date.UTC(2010, 0, 1);
const ORIGIN_DAY = SYNTHETIC_START / DAY_MS;
const LEVEL_DAY = Date.UTC(2024, 0, 1) / DAY_MS;
/** Days computed from the origin (to 2032; later days repeat the last close). */
const SPAN_DAYS = Date.UTC(2032, 0, 1) / DAY_MS - ORIGIN_DAY;
/** Daily pull of factors and own noise back to their mean: keeps decades-long walks in a believable band. */
const REVERSION = 1 / 500;
/** Days of factor bridges kept per factor (≈ 0.5 MB each). */
const BRIDGE_CACHE_DAYS = 2600;

/** A traded series: the sum of signed log paths (one path, or base currency minus quote currency). */
export interface SeriesModel {
  legs: ReadonlyArray<{ path: Path; sign: 1 | -1 }>;
  /** Real median volume when the samples know the instrument. */
  volume?: number;
}

const stepCache = new Map<StepCalendar, Uint8Array>();
function steps(calendar: StepCalendar): Uint8Array {
  const hit = stepCache.get(calendar);
  if (hit) return hit;
  const out = new Uint8Array(SPAN_DAYS);
  for (let i = 0; i < SPAN_DAYS; i += 1) {
    const day = (ORIGIN_DAY + i) * DAY_MS;
    const wd = new Date(day).getUTCDay();
    out[i] =
      calendar === 'daily'
        ? 1
        : calendar === 'fx'
          ? Number(wd !== 0 && wd !== 6)
          : Number(isNyseTradingDay(day));
  }
  stepCache.set(calendar, out);
  return out;
}

/** Real daily log returns of `symbol` on day `day` vs its previous close at or before `prevDay`. */
function logCloses(samples: RealSamples, symbol: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const [day, close] of dailyCloses(samples, symbol)) out.set(day, Math.log(close));
  return out;
}

export class SyntheticMarket {
  readonly calibration: Calibration;
  private readonly seed: number;
  private readonly factors = new Map<FactorName, { levels: Float64Array; shocks: Float64Array }>();
  private readonly paths = new Map<string, Path>();
  private readonly series = new Map<string, SeriesModel>();
  private readonly bridges = new Map<string, Map<number, Float64Array>>();
  private readonly closesBySymbol = new Map<string, Map<number, number>>();

  constructor(
    private readonly samples: RealSamples,
    seed = 0,
  ) {
    this.seed = seed;
    this.calibration = calibrate(samples);
  }

  /** The model of `instrument`'s price (economic series have none). */
  model(instrument: Instrument): SeriesModel {
    const hit = this.series.get(instrument.symbol);
    if (hit) return hit;
    const volume = this.realVolume(instrument.symbol);
    let model: SeriesModel;
    if (instrument.assetClass === 'fx') {
      const [base = 'EUR', quote = 'USD'] = instrument.symbol.split('_');
      const legs: Array<{ path: Path; sign: 1 | -1 }> = [];
      if (base !== 'USD') legs.push({ path: this.currency(base), sign: 1 });
      if (quote !== 'USD') legs.push({ path: this.currency(quote), sign: -1 });
      model = { legs, volume };
    } else {
      model = { legs: [{ path: this.instrumentPath(instrument), sign: 1 }], volume };
    }
    this.series.set(instrument.symbol, model);
    return model;
  }

  private realVolume(symbol: string): number | undefined {
    const daily = this.samples.series.find((s) => s.symbol === symbol && s.interval === '1d');
    if (!daily || daily.bars.length === 0) return undefined;
    const v = daily.bars.map((b) => b.volume).sort((a, b) => a - b);
    return v[v.length >> 1];
  }

  private closes(symbol: string): Map<number, number> {
    let hit = this.closesBySymbol.get(symbol);
    if (!hit) {
      hit = logCloses(this.samples, symbol);
      this.closesBySymbol.set(symbol, hit);
    }
    return hit;
  }

  /** Factor levels (cumulative log moves) by day index, real where a proxy has consecutive closes. */
  private factor(name: FactorName): { levels: Float64Array; shocks: Float64Array } {
    const hit = this.factors.get(name);
    if (hit) return hit;
    const spec = factorSpec(name, this.calibration);
    const step = steps(spec.calendar);
    const parents = (spec.parents ?? []).map((p) => ({ beta: p.beta, f: this.factor(p.factor) }));
    const proxies = (spec.proxies ?? []).map((p) => ({ scale: p.scale, closes: this.closes(p.symbol) }));
    const levels = new Float64Array(SPAN_DAYS);
    const shocks = new Float64Array(SPAN_DAYS);
    const seed = hash2(hashString(`factor:${name}`), this.seed);
    let prevStep = 0;
    for (let i = 1; i < SPAN_DAYS; i += 1) {
      const prev = levels[i - 1] ?? 0;
      if (!step[i]) {
        levels[i] = prev;
        continue;
      }
      const day = ORIGIN_DAY + i;
      let real = 0;
      let n = 0;
      for (const p of proxies) {
        const a = p.closes.get(day);
        const b = p.closes.get(ORIGIN_DAY + prevStep);
        if (a === undefined || b === undefined) continue;
        real += p.scale * (a - b);
        n += 1;
        if (spec.proxyMode !== 'mean') break;
      }
      let shock: number;
      if (n > 0) shock = real / n;
      else {
        shock = spec.vol * normalAt(seed, i) - REVERSION * prev;
        for (const p of parents) shock += p.beta * (p.f.shocks[i] ?? 0);
      }
      shocks[i] = shock;
      levels[i] = prev + shock;
      prevStep = i;
    }
    const out = { levels, shocks };
    this.factors.set(name, out);
    return out;
  }

  /** A factor's intraday shape: one unit bridge per day, shared by everything loading on it. */
  private shape(name: FactorName, beta: number): HourShape {
    let cache = this.bridges.get(name);
    if (!cache) {
      cache = new Map();
      this.bridges.set(name, cache);
    }
    const store = cache;
    const seed = hash2(hashString(`bridge:${name}`), this.seed);
    const spec = factorSpec(name, this.calibration);
    return {
      scale: beta * spec.vol,
      bridge: (day) => {
        const hit = store.get(day);
        if (hit) return hit;
        const b = unitBridge(seed, day);
        // Many instruments share a factor: keep years of its days (25 floats each) before starting over.
        if (store.size > BRIDGE_CACHE_DAYS) store.clear();
        store.set(day, b);
        return b;
      },
    };
  }

  /** Builds an anchored path from loadings, own noise and real log closes. */
  private buildPath(opts: {
    key: string;
    logLevel: number;
    exposures: ReadonlyArray<{ factor: FactorName; beta: number }>;
    ownVol: number;
    reversion: number;
    calendar: StepCalendar;
    anchors: ReadonlyMap<number, number>;
    pegged?: boolean;
    hourAnchors?: ReadonlyMap<number, number>;
  }): Path {
    const seed = hash2(hashString(opts.key), this.seed);
    const step = steps(opts.calendar);
    const factors = opts.exposures.map((e) => ({ beta: e.beta, f: this.factor(e.factor) }));
    const levelIdx = LEVEL_DAY - ORIGIN_DAY;
    let base = opts.logLevel;
    for (const f of factors) base -= f.beta * (f.f.levels[levelIdx] ?? 0);
    const closes = new Float64Array(SPAN_DAYS);
    let own = 0;
    for (let i = 0; i < SPAN_DAYS; i += 1) {
      if (step[i] && i > 0) own = (1 - opts.reversion) * own + opts.ownVol * normalAt(seed, i);
      let x = base + own;
      for (const f of factors) x += f.beta * (f.f.levels[i] ?? 0);
      closes[i] = x;
    }
    anchor(closes, opts.anchors, opts.pegged === true);
    let totalVar = opts.ownVol ** 2;
    for (const e of opts.exposures) totalVar += (e.beta * factorSpec(e.factor, this.calibration).vol) ** 2;
    return new Path({
      closes,
      originDay: ORIGIN_DAY,
      seed,
      ownVol: opts.ownVol,
      totalVol: Math.sqrt(totalVar),
      shapes: opts.exposures.map((e) => this.shape(e.factor, e.beta)),
      hourAnchors: opts.hourAnchors,
    });
  }

  private instrumentPath(instrument: Instrument): Path {
    const hit = this.paths.get(instrument.symbol);
    if (hit) return hit;
    const c = this.calibration;
    const symbol = instrument.symbol;
    const anchors = new Map(this.closes(symbol));
    if (symbol === 'SPX') for (const [ts, v] of this.samples.spx) anchors.set(ts / DAY_MS, Math.log(v));
    let path: Path;
    if (instrument.assetClass === 'stablecoin') {
      path = this.buildPath({
        key: symbol,
        logLevel: Math.log(instrument.pegTarget ?? 1),
        exposures: [],
        ownVol: PEG_NOISE.vol,
        reversion: PEG_NOISE.reversion,
        calendar: 'daily',
        anchors,
        pegged: true,
        hourAnchors: this.hourAnchors(symbol),
      });
    } else {
      const m = instrumentModel(symbol, instrument.assetClass, c);
      const residual = instrument.assetClass === 'crypto' ? c.altResidualVol : c.equityResidualVol;
      const ownVol =
        'vol' in m.idio
          ? m.idio.vol
          : m.idio.scale * residual * (instrument.assetClass === 'crypto' ? 1 : Math.sqrt(1 - SECTOR_SHARE));
      path = this.buildPath({
        key: symbol,
        logLevel: Math.log(levelOf(symbol, instrument.assetClass, hash2(hashString(symbol), this.seed))),
        exposures: m.exposures,
        ownVol,
        // Index and ETF tracking noise is pulled back fast: they stay on what they track.
        reversion: 'vol' in m.idio ? 0.2 : REVERSION,
        calendar: instrument.assetClass === 'crypto' ? 'daily' : 'nyse',
        anchors,
        hourAnchors: this.hourAnchors(symbol),
      });
    }
    this.paths.set(symbol, path);
    return path;
  }

  /** A currency's value in USD (log), loading on USD strength; anchored on the real OANDA legs. */
  private currency(code: string): Path {
    const key = `ccy:${code}`;
    const hit = this.paths.get(key);
    if (hit) return hit;
    const spec = CURRENCIES[code] ?? { usdValue: 1, usdBeta: 1 };
    const anchors = new Map<number, number>();
    const hourAnchors = new Map<number, number>();
    for (const [pair, sign] of [
      [`${code}_USD`, 1],
      [`USD_${code}`, -1],
    ] as const) {
      for (const [day, v] of this.closes(pair)) anchors.set(day, sign * v);
      for (const [t, v] of this.hourAnchors(pair)) hourAnchors.set(t, sign * v);
    }
    // The OANDA legs end in 2020: the 2024 level holds the currency near today's range after them.
    if (![...anchors.keys()].some((d) => d >= LEVEL_DAY)) anchors.set(LEVEL_DAY, Math.log(spec.usdValue));
    const c = this.calibration;
    const path = this.buildPath({
      key,
      logLevel: Math.log(spec.usdValue),
      exposures: [{ factor: 'usd', beta: -spec.usdBeta }],
      ownVol: c.fxVol * Math.sqrt(1 - c.fxCommonShare),
      reversion: REVERSION,
      calendar: 'fx',
      anchors,
      hourAnchors,
    });
    this.paths.set(key, path);
    return path;
  }

  /**
   * Real hourly closes of `symbol` at each bar's end (log), with the hours the real series skips inside its
   * span held at the previous close, so a path through them stays flat rather than jumping.
   */
  private hourAnchors(symbol: string): Map<number, number> {
    const out = new Map<number, number>();
    for (const s of this.samples.series) {
      if (s.symbol !== symbol || s.interval !== '1h') continue;
      let prevEnd: number | undefined;
      let prevLog = 0;
      for (const b of s.bars) {
        if (prevEnd !== undefined)
          for (let t = prevEnd + HOUR_MS; t <= b.ts; t += HOUR_MS) out.set(t, prevLog);
        const open = b.ts;
        if (!out.has(open)) out.set(open, Math.log(b.open));
        prevEnd = b.ts + HOUR_MS;
        prevLog = Math.log(b.close);
        out.set(prevEnd, prevLog);
      }
    }
    return out;
  }
}

/**
 * Pulls `closes` onto the real log closes in `anchors` (day → log close): the difference at each real day
 * is interpolated linearly between real days and held beyond the last one (for pegged coins it decays to
 * the peg with PEG_HALF_LIFE_DAYS).
 */
function anchor(closes: Float64Array, anchors: ReadonlyMap<number, number>, pegged: boolean): void {
  if (anchors.size === 0) return;
  const days = [...anchors.keys()].map((d) => d - ORIGIN_DAY).filter((i) => i >= 0 && i < closes.length);
  days.sort((a, b) => a - b);
  const first = days[0];
  const last = days.at(-1);
  if (first === undefined || last === undefined) return;
  const offset = (i: number): number => (anchors.get(ORIGIN_DAY + i) ?? 0) - (closes[i] ?? 0);
  const offsets = days.map(offset);
  const decay = Math.log(2) / PEG_HALF_LIFE_DAYS;
  const o0 = offsets[0] ?? 0;
  const oN = offsets.at(-1) ?? 0;
  for (let i = 0; i < first; i += 1)
    closes[i] = (closes[i] ?? 0) + (pegged ? o0 * Math.exp(-decay * (first - i)) : o0);
  let j = 0;
  for (let i = first; i <= last; i += 1) {
    while ((days[j + 1] ?? Number.POSITIVE_INFINITY) <= i) j += 1;
    const a = days[j] ?? i;
    const b = days[j + 1] ?? a;
    const oa = offsets[j] ?? 0;
    const ob = offsets[j + 1] ?? oa;
    closes[i] = (closes[i] ?? 0) + (b === a ? oa : oa + ((i - a) / (b - a)) * (ob - oa));
  }
  for (let i = last + 1; i < closes.length; i += 1)
    closes[i] = (closes[i] ?? 0) + (pegged ? oN * Math.exp(-decay * (i - last)) : oN);
}

function levelOf(symbol: string, assetClass: Instrument['assetClass'], seed: number): number {
  const known = KNOWN_LEVELS[symbol];
  if (known !== undefined) return known;
  const u = uniformAt(seed, 7);
  // Log-uniform levels by class: equities $10–$500, crypto $0.1–$1000.
  return assetClass === 'crypto' ? 0.1 * 10_000 ** u : 10 * 50 ** u;
}
