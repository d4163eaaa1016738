/**
 * Number and time formatting for display only (values are never rounded before this).
 *
 * One convention everywhere: thousands separators (en-US), the typographic minus U+2212 for every negative
 * number (never an ASCII hyphen beside it), no "−0" (a value that rounds to zero is shown unsigned), fractions
 * shown as percentages with a space before "%", durations in d/h/m.
 */

/** The minus sign every formatter uses (U+2212 MINUS SIGN, as wide as "+"; tables line up). */
export const MINUS = '\u2212';

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * `v` with exactly `digits` decimals, thousands separators and U+2212 for negatives; a value that rounds to
 * zero loses its sign ("0.00", not "−0.00").
 */
export function fixed(v: number, digits: number): string {
  if (!isNum(v)) return '—';
  const s = Math.abs(v).toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  const zero = !/[1-9]/.test(s);
  return v < 0 && !zero ? `${MINUS}${s}` : s;
}

/** Asset classes quoted to 4+ decimals whatever their size: a stablecoin's 0.9987 or EUR/USD's 1.0843. */
const FINE_CLASSES = new Set(['stablecoin', 'fx', 'forex', 'currency']);

/**
 * Decimals for a price of this size (or of this instrument): from the tick size when known (0.01 → 2,
 * 0.0001 → 4), else at least 4 for stablecoins and FX, else by magnitude (≥ 1: 2, ≥ 0.01: 4, below: 6,
 * below 0.0001: 8). A column of one instrument uses one precision, chosen from a typical value.
 */
export function priceDecimals(
  v: number,
  instrument: { assetClass?: string | null; tick?: number | null } = {},
) {
  const tick = instrument.tick;
  if (isNum(tick) && tick > 0) {
    // The decimals of the tick itself: 0.25 → 2, 0.0001 → 4, 1 → 0.
    for (let d = 0; d < 10; d++) {
      const scaled = tick * 10 ** d;
      if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * scaled) return d;
    }
    return 10;
  }
  const a = Math.abs(v);
  const byMagnitude = a >= 1 || a === 0 ? 2 : a >= 0.01 ? 4 : a >= 0.0001 ? 6 : 8;
  const cls = instrument.assetClass?.toLowerCase() ?? '';
  return FINE_CLASSES.has(cls) ? Math.max(4, byMagnitude) : byMagnitude;
}

/** A price: 120,000.00 · 1.0003 (stablecoin, FX) · 0.000421; `assetClass` or `tick` set the precision. */
export function price(
  v: unknown,
  instrument: { assetClass?: string | null; tick?: number | null } = {},
): string {
  if (!isNum(v)) return '—';
  return fixed(v, priceDecimals(v, instrument));
}

/** Money in USD, compact above a thousand: $1.25M, −$3.4k. */
export function usd(v: unknown): string {
  if (!isNum(v)) return '—';
  const a = Math.abs(v);
  const [scaled, unit, digits] =
    a >= 1e9 ? [a / 1e9, 'B', 2] : a >= 1e6 ? [a / 1e6, 'M', 2] : a >= 1e3 ? [a / 1e3, 'k', 1] : [a, '', 2];
  const s = fixed(scaled, digits);
  const zero = !/[1-9]/.test(s);
  return `${v < 0 && !zero ? MINUS : ''}$${s}${unit}`;
}

/** A fraction as a percentage: 0.0123 → "1.23 %", −0.4 → "−40.00 %". */
export function pct(v: unknown, digits = 2): string {
  if (!isNum(v)) return '—';
  return `${fixed(v * 100, digits)} %`;
}

/** A signed percentage change from a fraction: +1.23 % / −0.40 % / 0.00 %. */
export function change(v: unknown, digits = 2): string {
  if (!isNum(v)) return '—';
  const s = fixed(v * 100, digits);
  return /[1-9]/.test(s) && v > 0 ? `+${s} %` : `${s} %`;
}

/** A plain number with exactly `digits` decimals (ratios, correlations, scores): 1.50 · −0.42 · 0.00. */
export function num(v: unknown, digits = 2): string {
  if (!isNum(v)) return '—';
  return fixed(v, digits);
}

export function int(v: unknown): string {
  if (!isNum(v)) return '—';
  return fixed(Math.round(v), 0);
}

/**
 * Seconds as a duration in d/h/m with two units at most: "45 s", "12 m", "3 h 20 m", "2 d 4 h",
 * "1,068 d 7 h".
 */
export function duration(seconds: unknown): string {
  if (!isNum(seconds)) return '—';
  const neg = seconds < 0;
  const total = Math.round(Math.abs(seconds));
  let out: string;
  if (total < 60) out = `${total} s`;
  else {
    const minutes = Math.round(total / 60);
    const d = Math.floor(minutes / 1440);
    const h = Math.floor((minutes % 1440) / 60);
    const m = minutes % 60;
    if (d > 0) out = h > 0 ? `${int(d)} d ${h} h` : `${int(d)} d`;
    else if (h > 0) out = m > 0 ? `${h} h ${m} m` : `${h} h`;
    else out = `${m} m`;
  }
  return neg && total > 0 ? `${MINUS}${out}` : out;
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

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A chart axis label in UTC that always names the month: "10 Mar", "Mar 2023", "2023", "10 Mar 07:00". */
export function axisLabel(ms: number, unit: 'year' | 'month' | 'day' | 'time'): string {
  const d = new Date(ms);
  const month = MONTHS[d.getUTCMonth()] ?? '';
  if (unit === 'year') return String(d.getUTCFullYear());
  if (unit === 'month') return `${month} ${d.getUTCFullYear()}`;
  const day = `${d.getUTCDate()} ${month}`;
  if (unit === 'day') return day;
  return `${day} ${d.toISOString().slice(11, 16)}`;
}

/**
 * How long ago, from now: `5 m ago`, `3 h 10 m ago`.
 * @public Used as `f.ago` in .vue templates, which knip does not read.
 */
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
