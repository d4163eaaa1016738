import { escapeHtml } from '../../risk/report/svg.ts';
import type { DailyReport } from '../types.ts';

/**
 * The report's charts as data, drawn twice: as inline SVG for the HTML (no scripts, no external assets)
 * and with PDFKit primitives for the attachment (see pdf.ts).
 */

export interface SignedBar {
  label: string;
  value: number;
}

export interface LineSeries {
  label: string;
  /** Values rebased to 100 at the first point. */
  values: number[];
}

export const UP = '#1a7f37';
export const DOWN = '#cf222e';
export const PALETTE = ['#0969da', '#8250df', '#bf8700', '#1a7f37', '#cf222e', '#57606a'];

/** Day change of the movers (gainers then losers), fractions. */
export function moverBars(r: DailyReport): SignedBar[] {
  return [...r.movers.gainers, ...[...r.movers.losers].reverse()].map((m) => ({
    label: m.symbol,
    value: m.change ?? 0,
  }));
}

export function classBars(r: DailyReport): SignedBar[] {
  return r.market
    .filter((m) => m.avg_change !== null)
    .map((m) => ({ label: m.asset_class, value: m.avg_change ?? 0 }));
}

/** Label positions near `ys` but at least `gap` apart (end-of-line labels of a line chart). */
export function spreadLabels(ys: readonly number[], gap: number): number[] {
  const order = ys.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  const out = new Array<number>(ys.length).fill(0);
  let prev = Number.NEGATIVE_INFINITY;
  for (const o of order) {
    const y = Math.max(o.y, prev + gap);
    out[o.i] = y;
    prev = y;
  }
  return out;
}

const fmtPct = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}%`;

/** Horizontal bars around a zero line: rises to the right in green, falls to the left in red. */
export function signedBarsSvg(bars: readonly SignedBar[], title: string, width = 640): string {
  const row = 22;
  const labelW = 110;
  const valueW = 70;
  const plot = width - labelW - valueW;
  const max = Math.max(1e-9, ...bars.map((b) => Math.abs(b.value)));
  const zero = labelW + plot / 2;
  const h = bars.length * row + 30;
  const items = bars
    .map((b, i) => {
      const w = (Math.abs(b.value) / max) * (plot / 2);
      const y = 24 + i * row;
      const x = b.value >= 0 ? zero : zero - w;
      return (
        `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${escapeHtml(b.label)}</text>` +
        `<rect x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 8}" fill="${b.value >= 0 ? UP : DOWN}"/>` +
        `<text x="${width - 4}" y="${y + 14}" text-anchor="end">${fmtPct(b.value)}</text>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" viewBox="0 0 ${width} ${h}" font-family="sans-serif" font-size="12" role="img" aria-label="${escapeHtml(title)}">` +
    `<text x="0" y="14" font-weight="bold">${escapeHtml(title)}</text>` +
    `<line x1="${zero}" y1="20" x2="${zero}" y2="${h - 4}" stroke="#8c959f"/>${items}</svg>`
  );
}

/** Rebased closes of up to `n` instruments over the last `days` closes (one per asset class first). */
export function rebasedLines(
  r: DailyReport,
  closes: ReadonlyMap<string, number[]>,
  n = 5,
  days = 30,
): LineSeries[] {
  const picked: string[] = [];
  for (const m of r.market) {
    const first = r.instruments.find(
      (i) => i.asset_class === m.asset_class && !i.stale && closes.has(i.symbol),
    );
    if (first && picked.length < n) picked.push(first.symbol);
  }
  return picked.map((symbol) => {
    const all = closes.get(symbol) ?? [];
    const tail = all.slice(-days);
    const base = tail[0] ?? 1;
    return { label: symbol, values: tail.map((v) => (v / base) * 100) };
  });
}

export function linesSvg(series: readonly LineSeries[], title: string, width = 640, height = 220): string {
  const pad = { l: 40, r: 90, t: 24, b: 20 };
  const all = series.flatMap((s) => s.values);
  if (all.length === 0) return '';
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const span = hi - lo || 1;
  const len = Math.max(...series.map((s) => s.values.length));
  const x = (i: number) => pad.l + (i / Math.max(1, len - 1)) * (width - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - (v - lo) / span) * (height - pad.t - pad.b);
  const labelY = spreadLabels(
    series.map((s) => y(s.values[s.values.length - 1] ?? 100)),
    12,
  );
  const paths = series
    .map((s, k) => {
      const color = PALETTE[k % PALETTE.length];
      const d = s.values
        .map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`)
        .join('');
      const last = s.values[s.values.length - 1] ?? 100;
      return (
        `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>` +
        `<text x="${width - pad.r + 6}" y="${(labelY[k] ?? 0).toFixed(1)}" fill="${color}">${escapeHtml(s.label)} ${last.toFixed(1)}</text>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11" role="img" aria-label="${escapeHtml(title)}">` +
    `<text x="0" y="14" font-weight="bold" font-size="12">${escapeHtml(title)}</text>` +
    `<text x="${pad.l - 4}" y="${y(hi) + 4}" text-anchor="end">${hi.toFixed(0)}</text>` +
    `<text x="${pad.l - 4}" y="${y(lo)}" text-anchor="end">${lo.toFixed(0)}</text>` +
    `<line x1="${pad.l}" y1="${y(100)}" x2="${width - pad.r}" y2="${y(100)}" stroke="#d0d7de" stroke-dasharray="3,3"/>${paths}</svg>`
  );
}
