/** A risk scenario as stored and as the risk engine uses it (shared by store/ and risk/). */
export interface Scenario {
  name: string;
  description: string;
  type: string;
  assetImpacts: Record<string, number>;
  btcImpact: number | null;
  /** Added to every off-diagonal correlation while the scenario holds. */
  correlationShift: number;
  /** Multiplies every asset's volatility while the scenario holds. */
  volatilityMultiplier: number;
  /** Chance the scenario happens within a year, 0..1. */
  probabilityAnnual: number;
  /** 1 (mild) .. 5 (extreme). */
  severityLevel: number;
  /** Relative emphasis; annual intensity used by Monte Carlo = probabilityAnnual × weight. */
  weight: number;
  enabled: boolean;
}
