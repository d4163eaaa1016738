import { describe, expect, it } from 'vitest';
import { PRICING_DEFAULTS, resolvePricingParams } from '../risk/pricing-params.ts';
import { DEFAULT_PARAMETERS, TRANCHE_IDS } from './defaults.ts';
import {
  baseRate,
  paramGetter,
  sizeDiscount,
  trancheConfig,
  trancheConfigs,
  utilizationMultiplier,
} from './domain.ts';
import { ConfigStore } from './store.ts';
import type { ParameterDef } from './types.ts';

const defaults = new ConfigStore({ db: null });

describe('parameter catalogue', () => {
  it('has the seed system parameter counts', () => {
    const pricing = DEFAULT_PARAMETERS.filter((d) => d.category === 'pricing').map((d) => d.key);
    // issue 6: base rates for 15 assets (+ default), 5 risk weights, 6 size-discount, 6 utilisation parameters
    expect(pricing.filter((k) => k.startsWith('base_rate_') && k !== 'base_rate_default')).toHaveLength(15);
    expect(pricing.filter((k) => k.startsWith('risk_weight_'))).toHaveLength(5);
    expect(pricing.filter((k) => k.startsWith('size_discount_'))).toHaveLength(6);
    expect(pricing.filter((k) => k.startsWith('utilization_multiplier_'))).toHaveLength(6);
    expect(DEFAULT_PARAMETERS.filter((d) => d.category === 'tranches')).toHaveLength(6 * 5);
  });

  it('has unique keys, defaults that pass their own rules, and tranche allocations summing to 100 %', () => {
    const names = DEFAULT_PARAMETERS.map((d) => `${d.category}.${d.key}`);
    expect(new Set(names).size).toBe(names.length);
    const sum = TRANCHE_IDS.reduce((s, id) => s + trancheConfig(id, defaults).allocation_percent, 0);
    expect(sum).toBe(100);
    const weights = DEFAULT_PARAMETERS.filter((d) => d.key.startsWith('risk_weight_'));
    expect(weights.reduce((s, d) => s + Number(d.value), 0)).toBeCloseTo(1, 12);
  });
});

describe('domain helpers on the built-in defaults', () => {
  it('baseRate: per asset (case-insensitive), else the default rate', () => {
    // issue 6/7: USDC 4 %, USDT 6 %, DAI 5 %, default 10 %
    expect(baseRate('USDC', defaults)).toBe(0.04);
    expect(baseRate('usdt', defaults)).toBe(0.06);
    expect(baseRate('DAI', defaults)).toBe(0.05);
    expect(baseRate('NEWCOIN', defaults)).toBe(0.1);
  });

  it('sizeDiscount: the largest tier reached (≥ $10M × 0.80 per issue 7)', () => {
    expect(sizeDiscount(100_000, defaults)).toBe(1);
    expect(sizeDiscount(1_000_000, defaults)).toBe(0.95);
    expect(sizeDiscount(7_500_000, defaults)).toBe(0.9);
    expect(sizeDiscount(10_000_000, defaults)).toBe(0.8);
    expect(() => sizeDiscount(-1, defaults)).toThrow('amount must be ≥ 0');
  });

  it('utilizationMultiplier: the highest band reached, top band above 100 %', () => {
    expect(utilizationMultiplier(0, defaults)).toBe(1);
    expect(utilizationMultiplier(0.49, defaults)).toBe(1);
    expect(utilizationMultiplier(0.5, defaults)).toBe(1.1);
    expect(utilizationMultiplier(0.85, defaults)).toBe(1.5);
    expect(utilizationMultiplier(0.97, defaults)).toBe(3);
    expect(utilizationMultiplier(1.2, defaults)).toBe(3);
    expect(() => utilizationMultiplier(Number.NaN, defaults)).toThrow('utilisation must be ≥ 0');
  });

  it('trancheConfig: all six tranches; unknown ids are not found', () => {
    expect(trancheConfig('SURE_MEZZ', defaults)).toEqual({
      id: 'SURE_MEZZ',
      apy_min: 0.06,
      apy_max: 0.12,
      curve_type: 'Linear',
      allocation_percent: 25,
      risk_score: 4,
    });
    expect(trancheConfigs(defaults).map((t) => t.curve_type)).toEqual([
      'Flat',
      'Logarithmic',
      'Linear',
      'Sigmoidal',
      'Quadratic',
      'Exponential',
    ]);
    expect(() => trancheConfig('SURE_XYZ', defaults)).toThrow('unknown tranche SURE_XYZ');
  });

  it('paramGetter feeds the risk engine pricing by dotted key', () => {
    const params = resolvePricingParams(paramGetter(defaults));
    expect(params.baseRates.USDC).toBe(0.04);
    expect(params.defaultBaseRate).toBe(PRICING_DEFAULTS.defaultBaseRate);
    expect(paramGetter(defaults)('nodot')).toBeUndefined();
  });
});

describe('typed accessors', () => {
  const defs: ParameterDef[] = [
    { category: 'c', key: 'f', valueType: 'float', value: 1.5, description: '', validation: {} },
    { category: 'c', key: 's', valueType: 'string', value: 'x', description: '', validation: {} },
    { category: 'c', key: 'j', valueType: 'json', value: { a: 1 }, description: '', validation: {} },
  ];
  const store = new ConfigStore({ db: null, defaults: defs });

  it('return stored values, then caller defaults, else throw naming the key', () => {
    expect(store.getFloat('c', 'f')).toBe(1.5);
    expect(store.getString('c', 's')).toBe('x');
    expect(store.getJson('c', 'j')).toEqual({ a: 1 });
    expect(store.getInt('c', 'missing', 7)).toBe(7);
    expect(() => store.getFloat('c', 'missing')).toThrow('config c.missing is not set and has no default');
    // a value of the wrong type falls back rather than leaking a string into arithmetic
    expect(store.getFloat('c', 's', 2)).toBe(2);
  });

  it('count hits and misses', () => {
    const s = new ConfigStore({ db: null, defaults: defs });
    s.getFloat('c', 'f');
    s.getFloat('c', 'f');
    s.getFloat('c', 'nope', 0);
    const st = s.stats();
    expect([st.hits, st.misses, st.entries, st.source]).toEqual([2, 1, 3, 'defaults']);
    expect(st.hit_rate).toBeCloseTo(2 / 3, 12);
  });
});
