/** Encodes JS values as PostgreSQL COPY CSV fields: null → unquoted empty, everything else quoted. */
function copyCsvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'number') {
    if (Number.isNaN(value)) return '"NaN"';
    if (value === Number.POSITIVE_INFINITY) return '"Infinity"';
    if (value === Number.NEGATIVE_INFINITY) return '"-Infinity"';
    return String(value);
  } else if (typeof value === 'string') text = value;
  else if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  else text = JSON.stringify(value);
  return `"${text.replaceAll('"', '""')}"`;
}

export function copyCsvLine(row: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) line += ',';
    line += copyCsvField(row[i]);
  }
  return `${line}\n`;
}
