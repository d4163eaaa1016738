/**
 * A correlation matrix must be square, finite, within [−1, 1], symmetric (|ρij − ρji| < 1e-4) and have a
 * unit diagonal (1 ± 0.01). Returns every problem, at most `limit` of them, naming the cell.
 */
import type { QualityThresholds } from '../thresholds.ts';
import { RULES, type Violation } from './rule.ts';

export function checkCorrelationMatrix(
  matrix: ReadonlyArray<ArrayLike<number>>,
  t: Pick<QualityThresholds, 'correlationSymmetryTolerance' | 'correlationDiagonalTolerance'>,
  labels?: readonly string[],
  limit = 20,
): Violation[] {
  const out: string[] = [];
  const n = matrix.length;
  const name = (i: number): string => labels?.[i] ?? String(i);
  for (let i = 0; i < n; i++) {
    const row = matrix[i];
    if (!row || row.length !== n)
      out.push(`Matrix is not square: row ${name(i)} has ${row?.length ?? 0} values, expected ${n}`);
  }
  if (out.length) return out.map((reason) => ({ rule: RULES.correlation, reason }));
  const at = (i: number, j: number): number => matrix[i]?.[j] ?? Number.NaN;
  for (let i = 0; i < n && out.length < limit; i++) {
    for (let j = 0; j < n && out.length < limit; j++) {
      const v = at(i, j);
      if (!Number.isFinite(v)) out.push(`Correlation [${name(i)}, ${name(j)}] is ${v}`);
      else if (v < -1 || v > 1) out.push(`Correlation [${name(i)}, ${name(j)}] = ${v} outside [-1, 1]`);
      else if (i === j && Math.abs(v - 1) > t.correlationDiagonalTolerance) {
        out.push(`Diagonal [${name(i)}, ${name(i)}] = ${v}, expected 1 ± ${t.correlationDiagonalTolerance}`);
      } else if (j > i && Math.abs(v - at(j, i)) >= t.correlationSymmetryTolerance) {
        out.push(`Not symmetric: [${name(i)}, ${name(j)}] = ${v} but [${name(j)}, ${name(i)}] = ${at(j, i)}`);
      }
    }
  }
  return out.map((reason) => ({ rule: RULES.correlation, reason }));
}
