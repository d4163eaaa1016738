import {
  AreaSeries,
  ColorType,
  createChart,
  type IChartApi,
  type ISeriesApi,
  LineSeries,
  type SeriesType,
  type UTCTimestamp,
} from 'lightweight-charts';
import { axisLabel, fixed } from './format.ts';

/** One line of a `LinesChart`: points in epoch ms. */
interface Line {
  name: string;
  color: string;
  points: Array<{ t: number; v: number }>;
  /** Fill down to zero (a drawdown). */
  area?: boolean;
}

export interface LinesInput {
  lines: Line[];
  /** `percent`: values are fractions shown as %; `money`: plain numbers with separators. */
  unit: 'percent' | 'money';
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** Equity curves and drawdowns (Backtests page): lines on a time axis whose dates name their month. */
export class LinesChart {
  private chart: IChartApi;
  private series: Array<ISeriesApi<SeriesType>> = [];
  private readonly ro: ResizeObserver;

  constructor(el: HTMLElement) {
    const line = cssVar('--line', '#dde1e7');
    this.chart = createChart(el, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: 'transparent' },
        textColor: cssVar('--text', '#14181f'),
        fontSize: 11,
      },
      grid: { vertLines: { color: line }, horzLines: { color: line } },
      rightPriceScale: { borderColor: line },
      timeScale: {
        borderColor: line,
        tickMarkFormatter: (time: unknown, type: number) => {
          const ms = typeof time === 'number' ? time * 1000 : Date.parse(String(time));
          return axisLabel(ms, type === 0 ? 'year' : type === 1 ? 'month' : 'day');
        },
      },
      localization: {
        timeFormatter: (time: unknown) =>
          axisLabel(typeof time === 'number' ? time * 1000 : Date.parse(String(time)), 'day'),
      },
    });
    this.ro = new ResizeObserver(() => this.chart.timeScale().fitContent());
    this.ro.observe(el);
  }

  /** Draws the lines; returns the names of those drawn (at least one point each). */
  draw(input: LinesInput): string[] {
    for (const s of this.series) this.chart.removeSeries(s);
    this.series = [];
    const formatter =
      input.unit === 'percent' ? (v: number) => `${fixed(v * 100, 1)} %` : (v: number) => fixed(v, 0);
    const drawn: string[] = [];
    for (const l of input.lines) {
      const data: Array<{ time: UTCTimestamp; value: number }> = [];
      let last = -1;
      for (const p of l.points) {
        const s = Math.floor(p.t / 1000);
        if (s <= last || !Number.isFinite(p.v)) continue;
        data.push({ time: s as UTCTimestamp, value: p.v });
        last = s;
      }
      if (data.length === 0) continue;
      const common = {
        title: l.name,
        lineWidth: 2 as const,
        priceFormat: { type: 'custom' as const, formatter, minMove: input.unit === 'percent' ? 0.0001 : 1 },
      };
      const s = l.area
        ? this.chart.addSeries(AreaSeries, {
            ...common,
            lineColor: l.color,
            topColor: `${l.color}22`,
            bottomColor: `${l.color}55`,
            invertFilledArea: true,
          })
        : this.chart.addSeries(LineSeries, { ...common, color: l.color });
      s.setData(data);
      this.series.push(s);
      drawn.push(l.name);
    }
    this.chart.timeScale().fitContent();
    return drawn;
  }

  destroy(): void {
    this.ro.disconnect();
    this.chart.remove();
  }
}
