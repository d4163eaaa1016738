import { describe, expect, it } from 'vitest';
import {
  axisLabel,
  change,
  duration,
  int,
  MINUS,
  num,
  pct,
  price,
  priceDecimals,
  usd,
} from '../../web/src/lib/format.ts';

/** The dashboard's number formats (web/src/lib/format.ts); the cases are the ones issue 18 reported. */

describe('price', () => {
  it('puts thousands separators in large prices ("BTC 120000.00" in issue 18)', () => {
    expect(price(120000)).toBe('120,000.00');
    expect(price(64231.5)).toBe('64,231.50');
  });

  it('quotes stablecoins and FX to at least 4 decimals (USDC showed only "1.00")', () => {
    expect(price(1, { assetClass: 'stablecoin' })).toBe('1.0000');
    expect(price(0.87412, { assetClass: 'stablecoin' })).toBe('0.8741');
    expect(price(1.08432, { assetClass: 'fx' })).toBe('1.0843');
    expect(price(141.9, { assetClass: 'fx' })).toBe('141.9000');
  });

  it('keeps the cents of a $75.50 ETF ("AGG 75.50" was cut to "AGG 75")', () => {
    expect(price(75.5, { assetClass: 'etf' })).toBe('75.50');
  });

  it('gives small prices the digits they need, by magnitude', () => {
    expect(price(0.5)).toBe('0.5000');
    expect(price(0.000421)).toBe('0.000421');
    expect(price(0.00000123)).toBe('0.00000123');
    expect(priceDecimals(0.00787507)).toBe(6);
  });

  it('takes the precision from the tick size when the instrument has one', () => {
    expect(price(4321.25, { tick: 0.25 })).toBe('4,321.25');
    expect(price(1.234567, { tick: 0.0001 })).toBe('1.2346');
    expect(price(101, { tick: 1 })).toBe('101');
  });

  it('prints a dash for a missing value', () => {
    expect(price(null)).toBe('—');
    expect(price(Number.NaN)).toBe('—');
  });
});

describe('signs', () => {
  it('uses U+2212 for every negative number, never an ASCII hyphen', () => {
    for (const s of [num(-0.42), pct(-0.4), change(-0.004), price(-12.5), usd(-3400), int(-1200)]) {
      expect(s.startsWith(MINUS), s).toBe(true);
      expect(s.includes('-'), s).toBe(false);
    }
    expect(num(-0.42)).toBe(`${MINUS}0.42`);
    expect(usd(-3400)).toBe(`${MINUS}$3.4k`);
  });

  it('never shows "−0" ("ρ -0" in issue 18)', () => {
    expect(num(-0.001, 2)).toBe('0.00');
    expect(num(-0, 2)).toBe('0.00');
    expect(pct(-0.00001)).toBe('0.00 %');
    expect(change(-0.00001)).toBe('0.00 %');
    expect(change(0.00001)).toBe('0.00 %');
    expect(int(-0.2)).toBe('0');
    expect(duration(-0.2)).toBe('0 s');
  });

  it('marks a rise with "+" and a fall with "−"', () => {
    expect(change(0.0123)).toBe('+1.23 %');
    expect(change(-0.004)).toBe(`${MINUS}0.40 %`);
  });
});

describe('percentages', () => {
  it('shows fractions as percentages ("return pct" showed 0.12 for 12 %)', () => {
    expect(pct(0.1234)).toBe('12.34 %');
    expect(pct(0.5, 1)).toBe('50.0 %');
    expect(pct(12.5)).toBe('1,250.00 %');
  });
});

describe('durations', () => {
  it('reads in d/h/m ("newest 1068.3 d old" in issue 18)', () => {
    expect(duration(45)).toBe('45 s');
    expect(duration(12 * 60)).toBe('12 m');
    expect(duration(3 * 3600 + 20 * 60)).toBe('3 h 20 m');
    expect(duration(2 * 86400)).toBe('2 d');
    expect(duration(1068.3 * 86400)).toBe('1,068 d 7 h');
  });
});

describe('axis labels', () => {
  it('always name the month (the depeg axis showed day numbers only)', () => {
    const t = Date.UTC(2023, 2, 11, 7);
    expect(axisLabel(t, 'day')).toBe('11 Mar');
    expect(axisLabel(t, 'time')).toBe('11 Mar 07:00');
    expect(axisLabel(t, 'month')).toBe('Mar 2023');
    expect(axisLabel(t, 'year')).toBe('2023');
  });
});
