import { ValidationError } from '../../core/errors.ts';

/** Reads typed strategy parameters with defaults, naming the strategy and key in errors. */
export class Params {
  constructor(
    readonly strategy: string,
    readonly raw: Record<string, unknown> = {},
  ) {}

  num(key: string, fallback: number, check: (v: number) => boolean = Number.isFinite): number {
    const v = this.raw[key] ?? fallback;
    if (typeof v !== 'number' || !check(v))
      throw new ValidationError(`${this.strategy}: param ${key} is invalid (${JSON.stringify(v)})`);
    return v;
  }

  int(key: string, fallback: number): number {
    return this.num(key, fallback, (v) => Number.isInteger(v) && v > 0);
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw[key] ?? fallback;
    if (typeof v !== 'boolean')
      throw new ValidationError(`${this.strategy}: param ${key} must be true or false`);
    return v;
  }

  str<T extends string>(key: string, fallback: T, allowed: readonly T[]): T {
    const v = this.raw[key] ?? fallback;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      throw new ValidationError(`${this.strategy}: param ${key} must be one of ${allowed.join(', ')}`);
    }
    return v as T;
  }

  /** Symbols from `key` (array or comma list), else the first `count` of the run's symbols. */
  symbols(key: string, available: readonly string[], count: number): string[] {
    const v = this.raw[key];
    const list =
      v === undefined ? available.slice(0, count) : Array.isArray(v) ? v.map(String) : String(v).split(',');
    if (list.length < count) {
      throw new ValidationError(
        `${this.strategy} needs ${count} symbol(s), got ${list.length} (${list.join(',') || 'none'})`,
      );
    }
    return list.slice(0, count);
  }
}
