/**
 * A config canary side by side: quotes and VaR computed under the current values and under the canary's,
 * so an operator sees what the change does before promoting it.
 */
import type { Canary } from '../config/canary-repo.ts';
import type { ConfigStore } from '../config/store.ts';
import { describeError } from '../core/errors.ts';
import type { Db } from '../store/db.ts';
import { quote, runVar } from './service.ts';

interface SideBySideQuote {
  asset: string;
  amount: number;
  days: number;
  old_premium: number | null;
  new_premium: number | null;
  old_rate: number | null;
  new_rate: number | null;
  error?: string;
}

interface SideBySideVar {
  old: { var_95: number; var_99: number; cvar_95: number } | null;
  new: { var_95: number; var_99: number; cvar_95: number } | null;
  simulations: number;
  seed: number;
  error?: string;
}

export interface CanaryReport {
  quotes: SideBySideQuote[];
  var: SideBySideVar;
}

export interface CanaryReportOptions {
  /** Assets quoted. @defaultValue those whose base rate the canary changes, else USDC */
  assets?: string[];
  /** Cover amount (USD). @defaultValue 1000000 */
  amount?: number;
  /** Cover period (days). @defaultValue 30 */
  days?: number;
  /** Monte Carlo paths per side (the same seed on both sides). @defaultValue 2000 */
  simulations?: number;
  /** @defaultValue 42 */
  seed?: number;
}

/** Quotes and VaR under `current` (the canary's environment as everyone else serves it) and with the canary applied. */
export async function canaryReport(
  db: Db,
  canary: Canary,
  current: ConfigStore,
  options: CanaryReportOptions = {},
): Promise<CanaryReport> {
  const candidate = current.withValues(canary.changes);
  const touched = canary.changes
    .filter(
      (c) => c.category === 'pricing' && c.key.startsWith('base_rate_') && c.key !== 'base_rate_default',
    )
    .map((c) => c.key.slice('base_rate_'.length));
  const assets = options.assets ?? (touched.length ? touched : ['USDC']);
  const amount = options.amount ?? 1_000_000;
  const days = options.days ?? 30;
  const quotes: SideBySideQuote[] = [];
  for (const asset of assets) {
    try {
      const [o, n] = await Promise.all([
        quote(db, { asset, amount, days, config: current }),
        quote(db, { asset, amount, days, config: candidate }),
      ]);
      quotes.push({
        asset,
        amount,
        days,
        old_premium: o.premium,
        new_premium: n.premium,
        old_rate: o.rate,
        new_rate: n.rate,
      });
    } catch (err) {
      const e = describeError(err);
      quotes.push({
        asset,
        amount,
        days,
        old_premium: null,
        new_premium: null,
        old_rate: null,
        new_rate: null,
        error: e,
      });
    }
  }
  const simulations = options.simulations ?? 2000;
  const seed = options.seed ?? 42;
  let v: SideBySideVar = { old: null, new: null, simulations, seed };
  try {
    const pick = (r: Awaited<ReturnType<typeof runVar>>) => ({
      var_95: r.result.var_95,
      var_99: r.result.var_99,
      cvar_95: r.result.cvar_95,
    });
    const o = await runVar(db, { simulations, seed, store: false, config: current });
    const n = await runVar(db, { simulations, seed, store: false, config: candidate });
    v = { old: pick(o), new: pick(n), simulations, seed };
  } catch (err) {
    v = { ...v, error: describeError(err) };
  }
  return { quotes, var: v };
}
