import { ValidationError } from '../core/errors.ts';
import { type JsonValue, VALUE_TYPES, type ValidationRule, type ValueType } from './types.ts';

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NAME_CATEGORY = /^[a-z][a-z0-9_]*$/;
const NAME_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function isValueType(v: unknown): v is ValueType {
  return typeof v === 'string' && (VALUE_TYPES as readonly string[]).includes(v);
}

export function checkName(category: string, key: string): void {
  if (!NAME_CATEGORY.test(category)) {
    throw new ValidationError(`category ${show(category)} must be lower-case letters, digits and _`);
  }
  if (!NAME_KEY.test(key)) throw new ValidationError(`key ${show(key)} must be letters, digits, _ . and -`);
}

/**
 * Turns an input into a value of `type`, or throws a ValidationError naming the parameter. Numbers may
 * arrive as JSON numbers or as numeric text (the CLI passes text); anything else is refused, e.g.
 * `pricing.base_rate_USDC must be a float, got "not_a_number"`.
 */
export function coerceValue(name: string, type: ValueType, input: unknown): JsonValue {
  switch (type) {
    case 'float':
    case 'int': {
      let n: number | undefined;
      if (typeof input === 'number') n = input;
      else if (typeof input === 'string' && NUMBER_TEXT.test(input.trim())) n = Number(input.trim());
      if (n === undefined || !Number.isFinite(n)) {
        throw new ValidationError(
          `${name} must be ${type === 'int' ? 'an int' : 'a float'}, got ${show(input)}`,
        );
      }
      if (type === 'int' && !Number.isSafeInteger(n)) {
        throw new ValidationError(`${name} must be an int, got ${show(input)}`);
      }
      return n;
    }
    case 'string':
      if (typeof input !== 'string')
        throw new ValidationError(`${name} must be a string, got ${show(input)}`);
      return input;
    case 'json':
      if (input === undefined) throw new ValidationError(`${name} needs a JSON value`);
      return input as JsonValue;
  }
}

/** Parses CLI text for a parameter of `type`: JSON for `json`, the text itself for `string`. */
export function parseCliValue(name: string, type: ValueType, text: string): JsonValue {
  if (type !== 'json') return coerceValue(name, type, text);
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new ValidationError(`${name} must be JSON, got ${show(text)}`);
  }
}

/** Throws a ValidationError when `value` breaks `rule` (min/max inclusive, allowed compared as JSON). */
export function checkRule(name: string, value: JsonValue, rule: ValidationRule): void {
  if (typeof value === 'number') {
    if (rule.min !== undefined && value < rule.min) {
      throw new ValidationError(`${name} must be ≥ ${rule.min}, got ${value}`);
    }
    if (rule.max !== undefined && value > rule.max) {
      throw new ValidationError(`${name} must be ≤ ${rule.max}, got ${value}`);
    }
  }
  if (rule.allowed && rule.allowed.length > 0) {
    const text = JSON.stringify(value);
    if (!rule.allowed.some((a) => JSON.stringify(a) === text)) {
      throw new ValidationError(
        `${name} must be one of ${rule.allowed.map(show).join(', ')}, got ${show(value)}`,
      );
    }
  }
}

/** Checks a rule is well formed (POST /admin/config creates rules). */
export function parseRule(input: unknown): ValidationRule {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input))
    throw new ValidationError('validation must be an object');
  const src = input as Record<string, unknown>;
  const rule: ValidationRule = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'min' || k === 'max') {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new ValidationError(`validation.${k} must be a number`);
      rule[k] = v;
    } else if (k === 'allowed') {
      if (!Array.isArray(v)) throw new ValidationError('validation.allowed must be an array');
      rule.allowed = v as JsonValue[];
    } else throw new ValidationError(`validation.${k} is not a rule (use min, max, allowed)`);
  }
  if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
    throw new ValidationError(`validation.min ${rule.min} is above validation.max ${rule.max}`);
  }
  return rule;
}

/** Coerces and checks in one step; what every write goes through. */
export function validateValue(
  name: string,
  type: ValueType,
  rule: ValidationRule,
  input: unknown,
): JsonValue {
  const value = coerceValue(name, type, input);
  checkRule(name, value, rule);
  return value;
}
