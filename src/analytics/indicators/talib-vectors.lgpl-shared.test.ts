/**
 * TA-Lib.NETCore test vectors (hmG3/TA-Lib.NETCore, LGPL-3.0): READ from /work/shared, never copied into the
 * project. The expected outputs are printed with 3–4 decimals, so each is compared at its own precision
 * (half a unit in the last printed place).
 */

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../test/support/shared.ts';
import { at } from '../../core/assert.ts';
import { atr } from './atr.ts';
import { bollinger } from './bollinger.ts';
import { ema } from './ema.ts';
import { macd } from './macd.ts';
import { rsi } from './rsi.ts';
import { sma } from './sma.ts';

const DIR = sharedPath('fixtures', 'indicator_vectors', 'talib_netcore');

interface Vector {
  name: string;
  inputs: number[][];
  options?: number[];
  outputs: number[][];
  range: string | number[];
}

function load(file: string): Vector[] {
  const text = readFileSync(`${DIR}/${file}`, 'utf8').replace(/^\uFEFF/, '');
  return (JSON.parse(text) as { _: Vector[] })._;
}

function vector(file: string, name: string): Vector {
  const found = load(file).find((v) => v.name === name);
  if (!found) throw new Error(`no ${name} vector in ${file}`);
  return found;
}

function begin(v: Vector): number {
  const range = typeof v.range === 'string' ? (JSON.parse(v.range) as number[]) : v.range;
  return range[0] ?? 0;
}

function decimals(x: number): number {
  const s = String(x);
  const dot = s.indexOf('.');
  return dot === -1 ? 0 : s.length - dot - 1;
}

/** Our series from `begin` must match the printed values at their precision. */
function expectMatches(label: string, ours: Float64Array, expected: number[], from: number): void {
  const places = Math.max(...expected.map(decimals));
  const tolerance = 0.5 * 10 ** -places + 1e-12;
  expect(Number.isNaN(ours[from - 1] ?? Number.NaN), `${label}: warm-up ends at ${from}`).toBe(true);
  expected.forEach((want, j) => {
    const got = at(ours, from + j);
    expect(Math.abs(got - want), `${label}[${from + j}] = ${got}, TA-Lib prints ${want}`).toBeLessThanOrEqual(
      tolerance,
    );
  });
}

describe.runIf(existsSync(DIR))('TA-Lib.NETCore vectors (LGPL, read from ../shared)', () => {
  it('SMA(5), EMA(5), RSI(5) on IBM closes (untest.json)', () => {
    for (const [name, fn] of [
      ['Sma', sma],
      ['Ema', ema],
      ['Rsi', rsi],
    ] as const) {
      const v = vector('untest.json', name);
      const period = v.options?.[0] ?? 0;
      expectMatches(name, fn(v.inputs[0] ?? [], period), v.outputs[0] ?? [], begin(v));
    }
  });

  it('Bollinger(5, 2, 2, SMA) on IBM closes (untest.json)', () => {
    const v = vector('untest.json', 'Bbands');
    const [period = 0, k = 0] = v.options ?? [];
    const bands = bollinger(v.inputs[0] ?? [], period, k);
    expectMatches('upper', bands.upper, v.outputs[0] ?? [], begin(v));
    expectMatches('middle', bands.middle, v.outputs[1] ?? [], begin(v));
    expectMatches('lower', bands.lower, v.outputs[2] ?? [], begin(v));
  });

  it('ATR(5) on IBM (untest.json) and ATR(1) on SPY (spy.json)', () => {
    for (const file of ['untest.json', 'spy.json']) {
      const v = vector(file, 'Atr');
      const [high = [], low = [], close = []] = v.inputs;
      expectMatches(`${file} Atr`, atr(high, low, close, v.options?.[0]), v.outputs[0] ?? [], begin(v));
    }
  });

  it('MACD(2, 5, 9) on IBM (untest.json) and MACD(26, 12, 9) with swapped periods on SPY (spy.json)', () => {
    for (const file of ['untest.json', 'spy.json']) {
      const v = vector(file, 'Macd');
      const [fast = 0, slow = 0, signal = 0] = v.options ?? [];
      const out = macd(v.inputs[0] ?? [], { fast, slow, signal });
      expectMatches(`${file} macd`, out.macd, v.outputs[0] ?? [], begin(v));
      expectMatches(`${file} signal`, out.signal, v.outputs[1] ?? [], begin(v));
      expectMatches(`${file} hist`, out.hist, v.outputs[2] ?? [], begin(v));
    }
  });
});
