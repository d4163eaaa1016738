/** One injected fault and what became of it: the row the fault suite prints and the README quotes. */
export interface FaultRow {
  fault: string;
  injected: number;
  recovered: boolean;
  /** Rows that should be in the store and are not (must be 0). */
  rowsLost: number;
  note?: string;
}

/** A fixed-width text table of the rows (Markdown-compatible, so the README can quote it as is). */
export function formatFaultTable(rows: readonly FaultRow[]): string {
  const head = ['fault', 'injected', 'recovered', 'rows lost', 'note'];
  const body = rows.map((r) => [
    r.fault,
    String(r.injected),
    r.recovered ? 'yes' : 'NO',
    String(r.rowsLost),
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
