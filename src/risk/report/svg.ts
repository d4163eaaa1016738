/** Tiny inline SVG charts for the HTML report (no scripts, no external assets). */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface BarItem {
  label: string;
  value: number;
  color?: string;
}

/** Horizontal bars, optional vertical reference line (e.g. 50 % of capital). */
export function barChart(
  items: readonly BarItem[],
  opts: { width?: number; format: (v: number) => string; reference?: { value: number; label: string } },
): string {
  const width = opts.width ?? 640;
  const row = 26;
  const labelW = 200;
  const valueW = 110;
  const plotW = width - labelW - valueW;
  const max = Math.max(1e-12, ...items.map((i) => Math.abs(i.value)), opts.reference?.value ?? 0);
  const h = items.length * row + 24;
  const bars = items
    .map((it, i) => {
      const w = (Math.max(0, it.value) / max) * plotW;
      const y = i * row + 4;
      return (
        `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${escapeHtml(it.label)}</text>` +
        `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${it.color ?? '#3b82f6'}"/>` +
        `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 15}">${escapeHtml(opts.format(it.value))}</text>`
      );
    })
    .join('');
  let ref = '';
  if (opts.reference) {
    const x = labelW + (opts.reference.value / max) * plotW;
    ref =
      `<line x1="${x.toFixed(1)}" y1="0" x2="${x.toFixed(1)}" y2="${h - 14}" stroke="#dc2626" stroke-dasharray="4 3"/>` +
      `<text x="${x.toFixed(1)}" y="${h - 2}" text-anchor="middle" fill="#dc2626">${escapeHtml(opts.reference.label)}</text>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" font-family="sans-serif" font-size="12">${bars}${ref}</svg>`;
}

/** A line over dated points with min/max labels. */
export function lineChart(
  points: readonly { label: string; value: number }[],
  opts: { width?: number; format: (v: number) => string },
): string {
  const width = opts.width ?? 640;
  const height = 200;
  const pad = { l: 90, r: 20, t: 16, b: 30 };
  if (points.length === 0) return '<p>No history yet.</p>';
  const vals = points.map((p) => p.value);
  let lo = Math.min(...vals);
  let hi = Math.max(...vals);
  if (hi === lo) {
    hi += Math.abs(hi) * 0.05 + 1;
    lo -= Math.abs(lo) * 0.05 + 1;
  }
  const x = (i: number) =>
    pad.l + (points.length === 1 ? 0 : (i / (points.length - 1)) * (width - pad.l - pad.r));
  const y = (v: number) => pad.t + (1 - (v - lo) / (hi - lo)) * (height - pad.t - pad.b);
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(' ');
  const dots = points
    .map((p, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="2.5" fill="#1d4ed8"/>`)
    .join('');
  const first = points[0];
  const last = points[points.length - 1];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">` +
    `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${height - pad.b}" stroke="#999"/>` +
    `<line x1="${pad.l}" y1="${height - pad.b}" x2="${width - pad.r}" y2="${height - pad.b}" stroke="#999"/>` +
    `<text x="${pad.l - 6}" y="${y(hi) + 4}" text-anchor="end">${escapeHtml(opts.format(hi))}</text>` +
    `<text x="${pad.l - 6}" y="${y(lo) + 4}" text-anchor="end">${escapeHtml(opts.format(lo))}</text>` +
    `<path d="${path}" fill="none" stroke="#1d4ed8" stroke-width="2"/>${dots}` +
    `<text x="${pad.l}" y="${height - 10}">${escapeHtml(first?.label ?? '')}</text>` +
    `<text x="${width - pad.r}" y="${height - 10}" text-anchor="end">${escapeHtml(last?.label ?? '')}</text>` +
    '</svg>'
  );
}
