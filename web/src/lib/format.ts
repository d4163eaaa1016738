/** Number and time formatting for display only (values are never rounded before this). */

export function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** A price with digits that suit its size: 64,231.5 · 1.0003 · 0.000421. */
export function price(v: unknown): string {
  if (!isNum(v)) return '—';
  const a = Math.abs(v);
  const digits = a >= 1000 ? 2 : a >= 10 ? 2 : a >= 1 ? 4 : a >= 0.01 ? 5 : 8;
  return v.toLocaleString('en-US', {
    minimumFractionDigits: Math.min(digits, 2),
    maximumFractionDigits: digits,
  });
}

/** Money in USD, compact above a million: $1.25M. */
export function usd(v: unknown): string {
  if (!isNum(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1e9) return `$${(v / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `$${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `$${(v / 1e3).toFixed(1)}k`;
  return `$${v.toFixed(2)}`;
}

/** A fraction as a percentage: 0.0123 → 1.23 %. */
export function pct(v: unknown, digits = 2): string {
  if (!isNum(v)) return '—';
  return `${(v * 100).toFixed(digits)} %`;
}

/** A signed percentage change: +1.23 % / −0.40 %. */
export function change(v: unknown): string {
  if (!isNum(v)) return '—';
  const s = (v * 100).toFixed(2);
  return v > 0 ? `+${s} %` : v < 0 ? `−${s.slice(1)} %` : `${s} %`;
}

export function num(v: unknown, digits = 2): string {
  if (!isNum(v)) return '—';
  return v.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function int(v: unknown): string {
  if (!isNum(v)) return '—';
  return Math.round(v).toLocaleString('en-US');
}

/** Seconds as a short duration: 45 s, 12 min, 3.5 h, 2.1 d. */
export function duration(seconds: unknown): string {
  if (!isNum(seconds)) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

/** An ISO time as `2026-11-20 14:05` UTC (the product's time zone). */
export function dateTime(v: unknown): string {
  if (typeof v !== 'string' && !isNum(v)) return '—';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

export function date(v: unknown): string {
  if (typeof v !== 'string' && !isNum(v)) return '—';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return d.toISOString().slice(0, 10);
}

/** How long ago, from now: `5 min ago`, `3.0 h ago`. */
export function ago(v: unknown, now = Date.now()): string {
  if (typeof v !== 'string' && !isNum(v)) return '—';
  const t = new Date(v).getTime();
  if (Number.isNaN(t)) return '—';
  const s = Math.max(0, (now - t) / 1000);
  return `${duration(s)} ago`;
}

/** CSS class for a signed value. */
export function sign(v: unknown): string {
  if (!isNum(v) || v === 0) return '';
  return v > 0 ? 'up' : 'down';
}
