/** Renders rows as an aligned text table for terminals. Numbers are right-aligned. */
export function formatTable<T extends object>(
  rows: readonly T[],
  columns: ReadonlyArray<keyof T & string>,
): string {
  if (rows.length === 0) return '(none)';
  const get = (r: T, c: keyof T & string): unknown => (r as Record<string, unknown>)[c];
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(4);
    if (v instanceof Date) return v.toISOString();
    return String(v);
  };
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(get(r, c)).length)));
  const line = (values: string[], numeric: boolean[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const numeric = columns.map((c) => rows.every((r) => typeof get(r, c) === 'number' || get(r, c) === null));
  return [
    line([...columns], numeric),
    line(
      widths.map((w) => '-'.repeat(w)),
      numeric.map(() => false),
    ),
    ...rows.map((r) =>
      line(
        columns.map((c) => cell(get(r, c))),
        numeric,
      ),
    ),
  ].join('\n');
}
