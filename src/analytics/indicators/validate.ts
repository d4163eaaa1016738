/** Input checks shared by the indicators: cheap up-front checks, and a post-hoc scan for bad values. */
import { ValidationError } from '../../core/errors.ts';

export function checkPeriod(indicator: string, name: string, period: number): void {
  if (!Number.isInteger(period) || period < 1) {
    throw new ValidationError(`${indicator}: ${name} must be an integer ≥ 1, got ${period}`);
  }
}

export function checkSameLength(indicator: string, arrays: Record<string, ArrayLike<number>>): number {
  let length = -1;
  for (const [name, values] of Object.entries(arrays)) {
    if (length === -1) length = values.length;
    else if (values.length !== length) {
      throw new ValidationError(`${indicator}: ${name} has ${values.length} values, expected ${length}`);
    }
  }
  return Math.max(length, 0);
}

/**
 * Called when a running state came out non-finite: a NaN or ±Infinity input poisons every later value of
 * a running sum, so the batch loops check their final state once instead of every input.
 */
export function rejectNonFinite(indicator: string, arrays: Record<string, ArrayLike<number>>): void {
  for (const [name, values] of Object.entries(arrays)) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === undefined || !Number.isFinite(v))
        throw new ValidationError(`${indicator}: ${name}[${i}] is ${v}, expected a finite number`);
    }
  }
}

export function checkFinite(indicator: string, value: number): void {
  if (!Number.isFinite(value))
    throw new ValidationError(`${indicator}: input ${value} is not a finite number`);
}
