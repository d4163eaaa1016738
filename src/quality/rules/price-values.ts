import type { Bar } from '../../core/types.ts';
import { RULES, type Violation } from './rule.ts';

const positive = (x: number): boolean => Number.isFinite(x) && x > 0;

/** A price point must be a positive finite number; volume, when given, finite and ≥ 0. */
export function checkPriceValue(price: number, volume?: number | null): Violation | null {
  if (!positive(price))
    return { rule: RULES.finite, reason: `Price ${price} is not a positive finite number` };
  if (volume !== undefined && volume !== null && !(Number.isFinite(volume) && volume >= 0)) {
    return { rule: RULES.volume, reason: `Volume ${volume} is negative or not finite` };
  }
  return null;
}

/** OHLC prices positive and finite, low ≤ open, close ≤ high, volume finite and ≥ 0. */
export function checkBarValues(bar: Bar): Violation | null {
  for (const field of ['open', 'high', 'low', 'close'] as const) {
    if (!positive(bar[field])) {
      return { rule: RULES.finite, reason: `${field} ${bar[field]} is not a positive finite number` };
    }
  }
  const { open, high, low, close } = bar;
  if (low > high) return { rule: RULES.ohlc, reason: `low ${low} > high ${high}` };
  if (open < low || open > high)
    return { rule: RULES.ohlc, reason: `open ${open} outside [low ${low}, high ${high}]` };
  if (close < low || close > high) {
    return { rule: RULES.ohlc, reason: `close ${close} outside [low ${low}, high ${high}]` };
  }
  if (!(Number.isFinite(bar.volume) && bar.volume >= 0)) {
    return { rule: RULES.volume, reason: `Volume ${bar.volume} is negative or not finite` };
  }
  return null;
}
