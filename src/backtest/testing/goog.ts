import { readFileSync } from 'node:fs';
import type { BarColumns } from '../types.ts';

/**
 * GOOG daily bars 2004-08-19 → 2013-03-01 (samples/GOOG_daily_2004-2013.csv, backtesting.py's test data), the
 * series behind backtesting.py's published quick-start results.
 */
export function googSample(): BarColumns {
  const file = new URL('../../../samples/GOOG_daily_2004-2013.csv', import.meta.url);
  const rows = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));
  const col = (i: number): Float64Array => Float64Array.from(rows, (r) => Number(r[i]));
  return {
    symbol: 'GOOG',
    ts: Float64Array.from(rows, (r) => Date.parse(`${r[0]}T00:00:00Z`)),
    open: col(1),
    high: col(2),
    low: col(3),
    close: col(4),
    volume: col(5),
  };
}
