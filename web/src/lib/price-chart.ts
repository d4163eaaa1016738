import {
  CandlestickSeries,
  ColorType,
  createChart,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  LineSeries,
  type SeriesType,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { IndicatorRow } from '../../../src/api/contract/asset.ts';
import type { Candle } from './candles.ts';
import { axisLabel, fixed } from './format.ts';

/** Overlays drawn on the price pane and indicator panes drawn below it. */
export type Overlay = 'sma' | 'bollinger';
export type Pane = 'rsi' | 'atr' | 'hv';

export interface ChartInput {
  candles: Candle[];
  indicators: IndicatorRow[];
  overlays: readonly Overlay[];
  panes: readonly Pane[];
  /** Draw a line instead of candles (single-price series, e.g. a depeg). */
  line?: boolean;
  /** A horizontal reference line (the peg). */
  reference?: number | null;
  /** Decimals of the price axis (format.ts priceDecimals of the instrument); lightweight-charts' 2 otherwise. */
  decimals?: number;
  /** A time window to shade (a depeg event), epoch ms. */
  shade?: { from: number; to: number } | null;
  /** Point prices drawn as a line over the bars (a depeg's observations between bars). */
  points?: Array<{ t: number; price: number }>;
}

/** What one `draw` put on the chart: the e2e tests and the page read it from the element's data attributes. */
export interface Drawn {
  /** Titles of the drawn series: `price`, `volume`, `sma_20`, `sma_50`, `RSI`… */
  series: string[];
  /** Lowest price drawn (candle lows, line values, points), null when nothing is drawn. */
  min: number | null;
  panes: number;
}

const OVERLAY_COLUMNS: Record<Overlay, Array<{ col: string; color: string }>> = {
  sma: [
    { col: 'sma_20', color: '#f59e0b' },
    { col: 'sma_50', color: '#8b5cf6' },
  ],
  bollinger: [
    { col: 'bb_upper', color: '#64748b' },
    { col: 'bb_middle', color: '#94a3b8' },
    { col: 'bb_lower', color: '#64748b' },
  ],
};
/** The indicator column each pane draws (`GET /api/asset/:symbol/indicators` rows). */
const PANE_COLUMNS: Record<Pane, { col: string; color: string }> = {
  rsi: { col: 'rsi_14', color: '#8b5cf6' },
  atr: { col: 'atr_14', color: '#0ea5e9' },
  hv: { col: 'hv_20', color: '#ef4444' },
};

function sec(ms: number): UTCTimestamp {
  return Math.floor(ms / 1000) as UTCTimestamp;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** Rows with a time (`ts`: ISO text, or epoch ms) as a line of one column, one point per second, in order. */
function lineData(rows: readonly IndicatorRow[], col: string): Array<{ time: UTCTimestamp; value: number }> {
  const out: Array<{ time: UTCTimestamp; value: number }> = [];
  let last = -1;
  for (const r of rows) {
    const t = typeof r.ts === 'number' ? r.ts : typeof r.ts === 'string' ? Date.parse(r.ts) : Number.NaN;
    if (Number.isNaN(t)) continue;
    const s = sec(t);
    if (s <= last) continue;
    const v = r[col];
    if (typeof v === 'number' && Number.isFinite(v)) {
      out.push({ time: s, value: v });
      last = s;
    }
  }
  return out;
}

/** A lightweight-charts chart that is rebuilt from scratch on every `draw` (simple, and fast enough). */
export class PriceChart {
  private chart: IChartApi;
  private series: Array<ISeriesApi<SeriesType>> = [];
  private readonly ro: ResizeObserver;

  constructor(el: HTMLElement) {
    const text = cssVar('--text', '#14181f');
    const line = cssVar('--line', '#dde1e7');
    this.chart = createChart(el, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: text, fontSize: 11 },
      grid: { vertLines: { color: line }, horzLines: { color: line } },
      rightPriceScale: { borderColor: line },
      timeScale: {
        borderColor: line,
        timeVisible: true,
        // Every date on the axis names its month ("11 Mar", "Mar 2023"), never a bare day number; UTC.
        tickMarkFormatter: (time: unknown, type: number) => {
          const ms = typeof time === 'number' ? time * 1000 : Date.parse(String(time));
          if (type === 0) return axisLabel(ms, 'year');
          if (type === 1) return axisLabel(ms, 'month');
          if (type === 2) return axisLabel(ms, 'day');
          return new Date(ms).toISOString().slice(11, 16);
        },
      },
      localization: {
        timeFormatter: (time: unknown) =>
          axisLabel(typeof time === 'number' ? time * 1000 : Date.parse(String(time)), 'time'),
      },
    });
    this.ro = new ResizeObserver(() => this.chart.timeScale().fitContent());
    this.ro.observe(el);
  }

  draw(input: ChartInput): Drawn {
    for (const s of this.series) this.chart.removeSeries(s);
    this.series = [];
    while (this.chart.panes().length > 1) this.chart.removePane(this.chart.panes().length - 1);
    const up = cssVar('--up', '#0f8a4b');
    const down = cssVar('--down', '#c8312f');
    const drawn: string[] = [];
    const d = input.decimals ?? 2;
    // The axis reads like the tables: thousands separators, the instrument's decimals, U+2212.
    const priceFormat = { type: 'custom' as const, formatter: (v: number) => fixed(v, d), minMove: 10 ** -d };
    let min: number | null = null;
    const low = (v: number) => {
      if (Number.isFinite(v) && (min === null || v < min)) min = v;
    };

    const shade = input.shade;
    if (shade && input.candles.length > 0) {
      // The event window as a full-height band behind the prices: a histogram on its own hidden scale.
      const band = this.chart.addSeries(HistogramSeries, {
        priceScaleId: 'shade',
        color: 'rgba(239, 68, 68, 0.12)',
        priceLineVisible: false,
        lastValueVisible: false,
        base: 0,
      });
      band.priceScale().applyOptions({ scaleMargins: { top: 0, bottom: 0 }, visible: false });
      band.setData(
        input.candles.map((c) => ({ time: sec(c.t), value: c.t >= shade.from && c.t <= shade.to ? 1 : 0 })),
      );
      this.series.push(band);
      drawn.push('event');
    }

    if (input.line) {
      const s = this.chart.addSeries(LineSeries, { color: '#2563eb', lineWidth: 2, priceFormat, title: '' });
      s.setData(input.candles.map((c) => ({ time: sec(c.t), value: c.close })));
      for (const c of input.candles) low(c.close);
      this.series.push(s);
      drawn.push('price');
    } else {
      const s = this.chart.addSeries(CandlestickSeries, {
        upColor: up,
        downColor: down,
        wickUpColor: up,
        wickDownColor: down,
        borderVisible: false,
        priceFormat,
      });
      s.setData(
        input.candles.map((c) => ({
          time: sec(c.t),
          open: c.open,
          high: c.high,
          low: c.low,
          close: c.close,
        })),
      );
      for (const c of input.candles) low(c.low);
      this.series.push(s);
      drawn.push('price');
    }
    const main = this.series[this.series.length - 1];
    if (main && input.reference !== undefined && input.reference !== null) {
      main.createPriceLine({
        price: input.reference,
        color: '#94a3b8',
        lineStyle: 2,
        title: 'peg',
        lineWidth: 1,
      });
      drawn.push('peg');
    }
    if (input.points && input.points.length > 0) {
      const data = lineData(
        input.points.map((p) => ({ ts: p.t, price: p.price })),
        'price',
      );
      const s = this.chart.addSeries(LineSeries, {
        color: '#0ea5e9',
        lineWidth: 1,
        priceFormat,
        priceLineVisible: false,
        lastValueVisible: false,
        title: 'ticks',
      });
      s.setData(data);
      for (const p of data) low(p.value);
      this.series.push(s);
      drawn.push('points');
    }
    for (const o of input.overlays) {
      for (const { col, color } of OVERLAY_COLUMNS[o]) {
        const data = lineData(input.indicators, col);
        if (data.length === 0) continue;
        const s = this.chart.addSeries(LineSeries, {
          color,
          lineWidth: 1,
          priceFormat,
          priceLineVisible: false,
          lastValueVisible: false,
          title: col.replace('_', ' ').toUpperCase(),
        });
        s.setData(data);
        this.series.push(s);
        drawn.push(col);
      }
    }
    let pane = 1;
    // Volume in its own pane below the prices: its scale never shares (or hides) a price tick.
    if (!input.line && input.candles.some((c) => c.volume !== null && c.volume > 0)) {
      const v = this.chart.addSeries(
        HistogramSeries,
        {
          priceFormat: { type: 'volume' },
          priceLineVisible: false,
          lastValueVisible: false,
          title: 'Volume',
        },
        pane,
      );
      v.setData(
        input.candles.map((c) => ({
          time: sec(c.t),
          value: c.volume ?? 0,
          color: c.close >= c.open ? `${up}66` : `${down}66`,
        })),
      );
      this.series.push(v);
      drawn.push('volume');
      pane++;
    }
    for (const p of input.panes) {
      const { col, color } = PANE_COLUMNS[p];
      const data = lineData(input.indicators, col);
      if (data.length === 0) continue;
      const s = this.chart.addSeries(LineSeries, { color, lineWidth: 1, title: p.toUpperCase() }, pane);
      s.setData(data);
      this.series.push(s);
      drawn.push(p);
      pane++;
    }
    const panes = this.chart.panes();
    panes[0]?.setStretchFactor(4);
    for (let i = 1; i < panes.length; i++) panes[i]?.setStretchFactor(1);
    this.chart.timeScale().fitContent();
    return { series: drawn, min, panes: panes.length };
  }

  destroy(): void {
    this.ro.disconnect();
    this.chart.remove();
  }
}
