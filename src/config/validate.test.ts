import { describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors.ts';
import { checkRule, coerceValue, parseCliValue, parseRule, validateValue } from './validate.ts';

describe('coerceValue', () => {
  it('accepts numbers and numeric text for float and int', () => {
    expect(coerceValue('p.x', 'float', 0.05)).toBe(0.05);
    expect(coerceValue('p.x', 'float', ' 0.05 ')).toBe(0.05);
    expect(coerceValue('p.x', 'float', '1e-3')).toBe(0.001);
    expect(coerceValue('p.x', 'int', '42')).toBe(42);
  });

  it('refuses text that is not a number, naming the parameter and the value', () => {
    expect(() => coerceValue('pricing.base_rate_USDC', 'float', 'not_a_number')).toThrow(
      'pricing.base_rate_USDC must be a float, got "not_a_number"',
    );
    expect(() => coerceValue('p.x', 'float', '')).toThrow(ValidationError);
    expect(() => coerceValue('p.x', 'float', null)).toThrow(ValidationError);
    expect(() => coerceValue('p.x', 'float', Number.NaN)).toThrow(ValidationError);
    expect(() => coerceValue('p.x', 'float', true)).toThrow(ValidationError);
  });

  it('refuses fractions for int and non-strings for string', () => {
    expect(() => coerceValue('r.n', 'int', 1.5)).toThrow('r.n must be an int, got 1.5');
    expect(() => coerceValue('t.c', 'string', 3)).toThrow('t.c must be a string, got 3');
  });

  it('takes any JSON value for json, parsing CLI text', () => {
    expect(coerceValue('s.e', 'json', false)).toBe(false);
    expect(parseCliValue('s.e', 'json', '{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(parseCliValue('t.c', 'string', 'Linear')).toBe('Linear');
    expect(() => parseCliValue('s.e', 'json', '{nope')).toThrow('s.e must be JSON');
  });
});

describe('checkRule', () => {
  it('enforces inclusive min and max', () => {
    expect(() => checkRule('p.r', 0, { min: 0, max: 1 })).not.toThrow();
    expect(() => checkRule('p.r', 1, { min: 0, max: 1 })).not.toThrow();
    expect(() => checkRule('p.r', -0.01, { min: 0, max: 1 })).toThrow('p.r must be ≥ 0, got -0.01');
    expect(() => checkRule('p.r', 1.5, { min: 0, max: 1 })).toThrow('p.r must be ≤ 1, got 1.5');
  });

  it('enforces allowed values compared as JSON', () => {
    const rule = { allowed: ['Flat', 'Linear'] };
    expect(() => checkRule('t.c', 'Linear', rule)).not.toThrow();
    expect(() => checkRule('t.c', 'Cubic', rule)).toThrow('t.c must be one of "Flat", "Linear", got "Cubic"');
    expect(() => checkRule('s.e', false, { allowed: [true, false] })).not.toThrow();
  });

  it('validateValue coerces then checks', () => {
    expect(validateValue('p.r', 'float', { min: 0, max: 1 }, '0.07')).toBe(0.07);
    expect(() => validateValue('p.r', 'float', { min: 0, max: 1 }, '7')).toThrow('must be ≤ 1');
  });
});

describe('parseRule', () => {
  it('accepts min, max, allowed and refuses anything else', () => {
    expect(parseRule(undefined)).toEqual({});
    expect(parseRule({ min: 0, max: 2 })).toEqual({ min: 0, max: 2 });
    expect(() => parseRule({ min: 3, max: 2 })).toThrow('validation.min 3 is above validation.max 2');
    expect(() => parseRule({ regex: 'x' })).toThrow('validation.regex is not a rule');
    expect(() => parseRule([1])).toThrow('validation must be an object');
  });
});
