/**
 * StockCharts ChartSchool spreadsheets as shipped by bukosabino/ta (`test/data/cs-*.csv`, MIT), read from
 * ../shared. Their values are rounded; each column is compared at its printed precision.
 */

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../test/support/shared.ts';
import { at } from '../../core/assert.ts';
import { atr } from './atr.ts';
import { bollinger } from './bollinger.ts';
import { macd } from './macd.ts';

const DIR = sharedPath('fixtures', 'indicator_vectors', 'ta_stockcharts');

function table(name: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(`${DIR}/${name}`, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  return { header: (lines[0] ?? '').split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

function column(t: { header: string[]; rows: string[][] }, name: string): string[] {
  const j = t.header.indexOf(name);
  if (j < 0) throw new Error(`no column ${name}`);
  return t.rows.map((r) => r[j] ?? '');
}

function places(s: string): number {
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** Compares rows `from…` where the sheet has a value, at the sheet's precision (or `tolerance`). */
function expectColumn(
  label: string,
  ours: Float64Array,
  printed: string[],
  from: number,
  tolerance?: number,
): number {
  let compared = 0;
  printed.forEach((s, i) => {
    if (i < from || s === '') return;
    const tol = tolerance ?? 0.5 * 10 ** -places(s) + 1e-12;
    expect(
      Math.abs(at(ours, i) - Number(s)),
      `${label}[${i}] ours ${ours[i]} vs sheet ${s}`,
    ).toBeLessThanOrEqual(tol);
    compared++;
  });
  return compared;
}

const num = (xs: string[]) => Float64Array.from(xs, Number);

describe.runIf(existsSync(DIR))(
  'StockCharts ChartSchool sheets (ta library, MIT, read from ../shared)',
  () => {
    it('Bollinger(20, 2, population σ) matches cs-bbands to 6 decimals', () => {
      const t = table('cs-bbands.csv');
      const b = bollinger(num(column(t, 'Close')), 20, 2);
      expect(expectColumn('middle', b.middle, column(t, 'MiddleBand'), 19)).toBeGreaterThan(20);
      expectColumn('upper', b.upper, column(t, 'HighBand'), 19);
      expectColumn('lower', b.lower, column(t, 'LowBand'), 19);
    });

    // The sheets seed ATR with the mean of TR[0 … p−1] taking TR[0] = high − low (one bar earlier than TA-Lib,
    // which starts TR at the second bar). Both then run the same Wilder recursion on the same TRs, so the
    // gap must shrink by exactly (p−1)/p per bar: checked to 1e-9 (the sheet prints 10 decimals).
    it('ATR(14) and ATR(10): Wilder recursion matches cs-atr / cs-atr2, the seed gap decaying by (p−1)/p', () => {
      for (const [file, period] of [
        ['cs-atr.csv', 14],
        ['cs-atr2.csv', 10],
      ] as const) {
        const t = table(file);
        const out = atr(num(column(t, 'High')), num(column(t, 'Low')), num(column(t, 'Close')), period);
        const sheet = column(t, 'ATR').map(Number);
        const gap0 = at(out, period) - at(sheet, period);
        for (let i = period; i < sheet.length; i++) {
          const expectedGap = gap0 * ((period - 1) / period) ** (i - period);
          const gap = at(out, i) - at(sheet, i);
          expect(
            Math.abs(gap - expectedGap),
            `${file}[${i}] gap ${gap} vs ${expectedGap}`,
          ).toBeLessThanOrEqual(1e-9);
        }
      }
    });

    // cs-macd seeds its EMAs with the first close (TA-Lib: with an SMA), so early values differ by design;
    // after 100 bars the remaining seed effect, (11/13)^n and (25/27)^n of the initial gap, is below 2e-3.
    // (cs-rsi starts its averages at 0 and is 8 % off TA-Lib even at its last row, so it is not used.)
    it('MACD(12, 26, 9) converges to cs-macd once the seeds decay', () => {
      const m = table('cs-macd.csv');
      const out = macd(num(column(m, 'Close')));
      expectColumn('macd', out.macd, column(m, 'MACD_line'), 100, 2e-3);
      expectColumn('signal', out.signal, column(m, 'MACD_signal'), 100, 2e-3);
    });
  },
);
