import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ValidationError } from './core/errors.ts';
import { ASSET_CLASSES, type Instrument } from './core/types.ts';

/** The universe shipped with marketpipe: the seed systems' scope (stablecoins, crypto, FX, ETFs, equities, FRED). */
export const DEFAULT_UNIVERSE_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'universe',
  'default.json',
);

export const instrumentSchema = z.object({
  symbol: z
    .string()
    .trim()
    .min(1)
    .max(32)
    .regex(/^[A-Za-z0-9_.^=-]+$/, 'letters, digits and _ . ^ = - only'),
  assetClass: z.enum(ASSET_CLASSES),
  name: z.string().min(1),
  currency: z.string().min(3).max(5).default('USD'),
  exchange: z.string().nullish(),
  timezone: z.string().default('UTC'),
  pegTarget: z.number().positive().nullish(),
  sources: z.record(z.string(), z.string()).default({}),
  tags: z.array(z.string()).optional(),
});

const universeSchema = z.object({ instruments: z.array(instrumentSchema).min(1) });

export type UniverseInstrument = Instrument & { tags?: string[] };

/** Reads and validates a universe file; errors name the file and the offending entry. */
export function loadUniverse(file = DEFAULT_UNIVERSE_FILE): UniverseInstrument[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ValidationError(`${file}: cannot read universe (${(err as Error).message})`, { cause: err });
  }
  const parsed = universeSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const seen = new Set<string>();
  for (const inst of parsed.data.instruments) {
    if (seen.has(inst.symbol)) throw new ValidationError(`${file}: symbol ${inst.symbol} appears twice`);
    seen.add(inst.symbol);
  }
  return parsed.data.instruments.map((i) => ({
    ...i,
    exchange: i.exchange ?? null,
    pegTarget: i.pegTarget ?? null,
  }));
}

/**
 * The one-line way to add symbols a command did not find (they are not in this store's universe). `viaImport`
 * adds the `import … --create` form.
 */
export function addInstrumentHint(symbols: readonly string[], viaImport = false): string {
  const list = symbols.map((s) => `"${s}"`).join(', ');
  const first = symbols[0] ?? 'SYMBOL';
  const classes = ASSET_CLASSES.filter((c) => c !== 'economic').join('|');
  const how = viaImport
    ? `add it on the spot with --create --class ${classes}`
    : `add it with: marketpipe instruments add ${first} --class ${classes}`;
  return `unknown instrument ${list} (not in this store's universe): ${how}`;
}
