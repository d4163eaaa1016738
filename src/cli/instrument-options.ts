import { UsageError } from '../core/errors.ts';
import { ASSET_CLASSES, type AssetClass, type Instrument, isAssetClass } from '../core/types.ts';

/** `--class` checked against the asset classes; a bad value is a usage error naming the allowed ones. */
export function parseAssetClass(value: string, flag = '--class'): AssetClass {
  if (!isAssetClass(value)) {
    throw new UsageError(`${flag}: unknown asset class "${value}" (allowed: ${ASSET_CLASSES.join(', ')})`);
  }
  return value;
}

/** `--peg`: the price a stablecoin is pegged to, a positive number in its quote currency (1 for USD coins). */
export function parsePeg(value: string | undefined, flag = '--peg'): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${flag}: expected a positive number such as 1 or 1.0, got "${value}"`);
  }
  return n;
}

/** The flags `instruments add` and `import --create` take to describe a new instrument. */
export interface InstrumentFlags {
  class: string;
  name?: string;
  currency?: string;
  exchange?: string;
  timezone?: string;
  peg?: string;
  source?: string[];
}

/**
 * An instrument from command-line flags, checked (bad flags are usage errors naming what is allowed).
 * Defaults: the venue's time zone by class (New York for equities, ETFs, indices and FX, else UTC) and a peg
 * of 1 for stablecoins.
 */
export async function instrumentFromFlags(symbol: string, opts: InstrumentFlags): Promise<Instrument> {
  const assetClass = parseAssetClass(opts.class);
  const peg = parsePeg(opts.peg);
  const sources: Record<string, string> = {};
  for (const pair of opts.source ?? []) {
    // Split at the FIRST '=' only: provider symbols may hold one (Yahoo FX `USDGBP=X`, futures `ES=F`).
    const eq = pair.indexOf('=');
    const provider = eq < 0 ? '' : pair.slice(0, eq).trim();
    const providerSymbol = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (!provider || !providerSymbol)
      throw new UsageError(`--source: expected provider=symbol, got "${pair}"`);
    sources[provider] = providerSymbol;
  }
  const newYork =
    assetClass === 'equity' || assetClass === 'etf' || assetClass === 'index' || assetClass === 'fx';
  // The schema (zod) loads only when an instrument is built, not for `--help`.
  const { instrumentSchema } = await import('../universe.ts');
  const parsed = instrumentSchema.safeParse({
    symbol,
    assetClass,
    name: opts.name ?? symbol,
    currency: opts.currency ?? 'USD',
    exchange: opts.exchange,
    timezone: opts.timezone ?? (newYork ? 'America/New_York' : 'UTC'),
    pegTarget: peg ?? (assetClass === 'stablecoin' ? 1 : undefined),
    sources,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${issue?.path.join('.') || 'instrument'}: ${issue?.message ?? 'invalid'}`);
  }
  return { ...parsed.data, exchange: parsed.data.exchange ?? null, pegTarget: parsed.data.pegTarget ?? null };
}
