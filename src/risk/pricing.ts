/**
 * Premium for depeg cover: the buyer pays to be made whole if the asset trades below its peg during the
 * cover period.
 *
 *   raw     = amount × baseRate × riskWeight × modelMultiplier × sizeMultiplier × utilisationMultiplier × days/365
 *
 * modelMultiplier is 1 unless the request carries a depeg model's forecast (`depegModel`, off by default):
 * then it is P_model(depeg next day) / the model's base rate, how much likelier than usual a depeg is now.
 *   premium = max(raw, minPremium, amount × minPremiumRate × days/365)
 */
import { ValidationError } from '../core/errors.ts';
import { PRICING_DEFAULTS, type PricingParams } from './pricing-params.ts';

export interface QuoteRequest {
  asset: string;
  /** Cover amount, USD. */
  amount: number;
  /** @defaultValue 30 */
  days?: number;
  /** Share of cover capacity already sold, before this quote (0..1). @defaultValue 0 */
  utilization?: number;
  /** Cover capacity (USD); with it, utilisation after this quote is (utilization·capacity + amount)/capacity. */
  capacity?: number;
  /** The active depeg model's forecast for the asset; scales the risk weight by probability / baseRate. */
  depegModel?: { probability: number; baseRate: number };
}

interface QuoteBreakdown {
  base_rate: number;
  risk_weight: number;
  size_multiplier: number;
  utilization: number;
  utilization_multiplier: number;
  duration_factor: number;
  raw_premium: number;
  minimum_premium: number;
  minimum_applied: boolean;
  /** Present when a depeg model's forecast priced the quote: probability / base rate. */
  model_multiplier?: number;
}

export interface Quote {
  asset: string;
  amount: number;
  days: number;
  premium: number;
  /** Effective annual rate actually charged: premium / amount × 365 / days. */
  rate: number;
  breakdown: QuoteBreakdown;
}

function sizeMultiplier(amount: number, params: PricingParams): number {
  let best: { minAmount: number; multiplier: number } | null = null;
  for (const t of params.sizeTiers)
    if (amount >= t.minAmount && (best === null || t.minAmount > best.minAmount)) best = t;
  return best?.multiplier ?? 1;
}

function utilizationMultiplier(u: number, params: PricingParams): number {
  let best: { minUtilization: number; multiplier: number } | null = null;
  for (const s of params.utilizationSteps) {
    if (u >= s.minUtilization && (best === null || s.minUtilization > best.minUtilization)) best = s;
  }
  return best?.multiplier ?? 1;
}

export function quotePremium(req: QuoteRequest, params: PricingParams = PRICING_DEFAULTS): Quote {
  const asset = req.asset.toUpperCase();
  const days = req.days ?? 30;
  if (!(Number.isFinite(req.amount) && req.amount > 0))
    throw new ValidationError(`amount must be a positive number, got ${req.amount}`);
  if (!Number.isInteger(days) || days < params.minDays || days > params.maxDays) {
    throw new ValidationError(
      `days must be a whole number from ${params.minDays} to ${params.maxDays}, got ${days}`,
    );
  }
  const before = req.utilization ?? 0;
  if (!(before >= 0 && before <= 1))
    throw new ValidationError(`utilization must be within 0..1, got ${before}`);
  const utilization = req.capacity && req.capacity > 0 ? before + req.amount / req.capacity : before;
  const baseRate = params.baseRates[asset] ?? params.defaultBaseRate;
  const riskWeight = params.riskWeights[asset] ?? params.defaultRiskWeight;
  const m = req.depegModel;
  if (m && !(m.probability >= 0 && m.probability <= 1 && m.baseRate > 0 && m.baseRate <= 1))
    throw new ValidationError(
      `depeg model forecast must be a probability within 0..1 over a base rate within (0, 1], got ${m.probability} / ${m.baseRate}`,
    );
  const modelMultiplier = m ? m.probability / m.baseRate : 1;
  const size = sizeMultiplier(req.amount, params);
  const util = utilizationMultiplier(utilization, params);
  const duration = days / 365;
  const raw = req.amount * baseRate * riskWeight * modelMultiplier * size * util * duration;
  const floor = Math.max(params.minPremium, req.amount * params.minPremiumRate * duration);
  const premium = Math.max(raw, floor);
  return {
    asset,
    amount: req.amount,
    days,
    premium,
    rate: premium / req.amount / duration,
    breakdown: {
      base_rate: baseRate,
      risk_weight: riskWeight,
      size_multiplier: size,
      utilization,
      utilization_multiplier: util,
      duration_factor: duration,
      raw_premium: raw,
      minimum_premium: floor,
      minimum_applied: premium > raw,
      ...(m ? { model_multiplier: modelMultiplier } : {}),
    },
  };
}
