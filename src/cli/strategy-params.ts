/**
 * `--params` of `backtest` and `trade run`, one syntax for both: a value starting with `{` is a JSON object
 * (`'{"fast":10,"slow":30}'`); anything else is `k=v` pairs separated by commas (`fast=10,slow=30`), where a
 * number becomes a number and `true`/`false` a boolean (every other value stays a string; a list such as a
 * pair's symbols needs the JSON form). Bad input is a UsageError: one line, exit 2.
 */
import { UsageError } from '../core/errors.ts';

export function parseStrategyParams(text: string): Record<string, unknown> {
  const t = text.trim();
  if (t.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (cause) {
      throw new UsageError(`--params: not valid JSON (${(cause as Error).message})`, { cause });
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new UsageError('--params: expected a JSON object');
    return v as Record<string, unknown>;
  }
  const out: Record<string, unknown> = {};
  if (t === '') return out;
  for (const part of t.split(',')) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (eq <= 0 || k === '')
      throw new UsageError(`--params: expected k=v[,k=v…] or a JSON object, got "${part.trim()}"`);
    out[k] =
      v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}
