import { UsageError } from '../core/errors.ts';
import { isIsoDate } from '../pipeline/feeds/quarantine-records.ts';

/** A date flag's value (`--since`, `--from`…) when it is YYYY-MM-DD; otherwise bad usage (exit 2). */
export function dateOption(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isIsoDate(value)) throw new UsageError(`${what}: expected a YYYY-MM-DD date, got "${value}"`);
  return value;
}
