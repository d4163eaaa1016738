/** A chart the dashboard can draw for a query result, or null when a table says it best. */
export interface ChartSuggestion {
  type: 'line' | 'bar';
  /** Column on the x axis (time for line charts, a label for bar charts). */
  x: string;
  /** Numeric columns, one series each (at most 4). */
  y: string[];
}

const TIME_NAME = /^(ts|time|timestamp|date|day|week|month|year|datetime|.*_at|.*_date|.*_time)$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

function isNumeric(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v));
}

/**
 * Line chart when a time column and numeric columns are present; bar chart for a label column and
 * numeric columns over at most 50 rows; otherwise null.
 */
export function suggestChart(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): ChartSuggestion | null {
  if (rows.length < 2 || columns.length < 2) return null;
  const sample = rows.slice(0, 20);
  const numeric = columns.filter((c) => sample.every((r) => r[c] === null || isNumeric(r[c])));
  const time = columns.find(
    (c) =>
      TIME_NAME.test(c) &&
      sample.every((r) => r[c] === null || (typeof r[c] === 'string' && ISO_DATE.test(r[c] as string))),
  );
  if (time) {
    const y = numeric.filter((c) => c !== time).slice(0, 4);
    return y.length > 0 ? { type: 'line', x: time, y } : null;
  }
  const label = columns.find((c) => !numeric.includes(c));
  if (label && rows.length <= 50) {
    const y = numeric.slice(0, 4);
    return y.length > 0 ? { type: 'bar', x: label, y } : null;
  }
  return null;
}
