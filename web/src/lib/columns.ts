import * as f from './format.ts';

/** A table row: a record of an API answer's list (SortTable, autoColumns). */
export type Row = Record<string, unknown>;

export interface Column {
  key: string;
  label: string;
  numeric?: boolean;
  format?: (v: unknown, row: Row) => string;
  cls?: (v: unknown, row: Row) => string;
}

const ISO = /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?/;

/** Formats any JSON value for a table cell. */
export function cell(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? f.int(v) : f.num(v, Math.abs(v) < 1 ? 4 : 2);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return ISO.test(v) && v.length > 10 ? f.dateTime(v) : v;
  if (Array.isArray(v)) return v.length <= 3 ? v.map(cell).join(', ') : `${v.length} items`;
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Columns for rows whose exact shape the page does not fix: every scalar key of the first rows. */
export function autoColumns(rows: Row[], prefer: string[] = [], skip: string[] = []): Column[] {
  const keys: string[] = [];
  for (const r of rows.slice(0, 20)) for (const k of Object.keys(r)) if (!keys.includes(k)) keys.push(k);
  const ordered = [...prefer.filter((k) => keys.includes(k)), ...keys.filter((k) => !prefer.includes(k))];
  return ordered
    .filter((k) => !skip.includes(k))
    .map((k) => {
      const nums = rows
        .map((r) => r[k])
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      // One precision per column (never 0.1234 above 12.35): integers plain, else by the column's largest value.
      const digits = nums.every(Number.isInteger) ? 0 : Math.max(...nums.map(Math.abs)) < 1 ? 4 : 2;
      return {
        key: k,
        label: k.replace(/_/g, ' '),
        numeric: nums.length > 0,
        format: (v: unknown) => (typeof v === 'number' ? f.num(v, digits) : cell(v)),
      };
    });
}
