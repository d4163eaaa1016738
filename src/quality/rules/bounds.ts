import type { AssetClass } from '../../core/types.ts';
import { fmtPrice, type QualityThresholds } from '../thresholds.ts';
import { RULES, type Violation } from './rule.ts';

/**
 * Price within the bounds configured for the asset class. For pegged instruments the bounds are relative to
 * the peg (a EUR coin pegged at 1.08 is checked against 0.54–1.62); the seed's USD stablecoins have peg 1.
 * Message as the seed writes it: `Price 1.55 outside stablecoin bounds [0.50, 1.50]`.
 */
export function checkBounds(
  price: number,
  assetClass: AssetClass,
  thresholds: Pick<QualityThresholds, 'bounds'>,
  pegTarget?: number | null,
): Violation | null {
  const b = thresholds.bounds[assetClass];
  if (!b) return null;
  const scale = assetClass === 'stablecoin' && pegTarget && pegTarget > 0 ? pegTarget : 1;
  const min = b.min * scale;
  const max = b.max * scale;
  if (price >= min && price <= max) return null;
  return {
    rule: RULES.bounds,
    reason: `Price ${fmtPrice(price)} outside ${assetClass} bounds [${fmtPrice(min)}, ${fmtPrice(max)}]`,
  };
}
