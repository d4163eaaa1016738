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
import type { Candle, Row } from './shapes.ts';
import { timeOf } from './shapes.ts';

/** Overlays drawn on the price pane and indicator panes drawn below it. */
export type Overlay = 'sma' | 'bollinger';
export type Pane = 'rsi' | 'atr' | 'hv';

export interface ChartInput {
  candles: Candle[];
  indicators: Row[];
  overlays: readonly Overlay[];
  panes: readonly Pane[];
  /** Draw a line instead of candles (single-price series, e.g. a depeg). */
  line?: boolean;
  /** A horizontal reference line (the peg). */
  reference?: number | null;
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
const PANE_COLUMNS: Record<Pane, { col: string[]; color: string }> = {
  rsi: { col: ['rsi_14', 'rsi'], color: '#8b5cf6' },
  atr: { col: ['atr_14', 'atr'], color: '#0ea5e9' },
  hv: { col: ['hv_20', 'hv', 'hv_50'], color: '#ef4444' },
};

function sec(ms: number): UTCTimestamp {
  return Math.floor(ms / 1000) as UTCTimestamp;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function lineData(rows: Row[], cols: string[]): Array<{ time: UTCTimestamp; value: number }> {
  const out: Array<{ time: UTCTimestamp; value: number }> = [];
  let last = -1;
  for (const r of rows) {
    const t = timeOf(r);
    if (t === null) continue;
    const s = sec(t);
    if (s <= last) continue;
    for (const c of cols) {
      const v = r[c];
      if (typeof v === 'number' && Number.isFinite(v)) {
        out.push({ time: s, value: v });
        last = s;
        break;
      }
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
      timeScale: { borderColor: line, timeVisible: true },
    });
    this.ro = new ResizeObserver(() => this.chart.timeScale().fitContent());
    this.ro.observe(el);
  }

  draw(input: ChartInput): void {
    for (const s of this.series) this.chart.removeSeries(s);
    this.series = [];
    while (this.chart.panes().length > 1) this.chart.removePane(this.chart.panes().length - 1);
    const up = cssVar('--up', '#0f8a4b');
    const down = cssVar('--down', '#c8312f');

    if (input.line) {
      const s = this.chart.addSeries(LineSeries, { color: '#2563eb', lineWidth: 2 });
      s.setData(input.candles.map((c) => ({ time: sec(c.t), value: c.close })));
      if (input.reference !== undefined && input.reference !== null) {
        s.createPriceLine({
          price: input.reference,
          color: '#94a3b8',
          lineStyle: 2,
          title: 'peg',
          lineWidth: 1,
        });
      }
      this.series.push(s);
    } else {
      const s = this.chart.addSeries(CandlestickSeries, {
        upColor: up,
        downColor: down,
        wickUpColor: up,
        wickDownColor: down,
        borderVisible: false,
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
      this.series.push(s);
      if (input.candles.some((c) => c.volume !== null && c.volume > 0)) {
        const v = this.chart.addSeries(HistogramSeries, {
          priceScaleId: 'vol',
          priceFormat: { type: 'volume' },
        });
        v.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
        v.setData(
          input.candles.map((c) => ({
            time: sec(c.t),
            value: c.volume ?? 0,
            color: c.close >= c.open ? `${up}66` : `${down}66`,
          })),
        );
        this.series.push(v);
      }
    }
    for (const o of input.overlays) {
      for (const { col, color } of OVERLAY_COLUMNS[o]) {
        const data = lineData(input.indicators, [col]);
        if (data.length === 0) continue;
        const s = this.chart.addSeries(LineSeries, {
          color,
          lineWidth: 1,
          priceLineVisible: false,
          lastValueVisible: false,
          title: col,
        });
        s.setData(data);
        this.series.push(s);
      }
    }
    let pane = 1;
    for (const p of input.panes) {
      const { col, color } = PANE_COLUMNS[p];
      const data = lineData(input.indicators, col);
      if (data.length === 0) continue;
      const s = this.chart.addSeries(LineSeries, { color, lineWidth: 1, title: p.toUpperCase() }, pane);
      s.setData(data);
      this.series.push(s);
      pane++;
    }
    const panes = this.chart.panes();
    panes[0]?.setStretchFactor(3);
    for (let i = 1; i < panes.length; i++) panes[i]?.setStretchFactor(1);
    this.chart.timeScale().fitContent();
  }

  destroy(): void {
    this.ro.disconnect();
    this.chart.remove();
  }
}
