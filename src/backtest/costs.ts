/** Transaction cost models: a proportional fee plus a fixed fee per fill, and slippage against the trader. */

export interface CostModel {
  /** Fee in basis points of the traded notional. @defaultValue 0 */
  feeBps: number;
  /** Fixed fee per fill, in account currency. @defaultValue 0 */
  feeFixed: number;
  /** Slippage in basis points: buys pay price·(1+s), sells get price·(1−s). @defaultValue 0 */
  slippageBps: number;
}

export const ZERO_COSTS: Readonly<CostModel> = Object.freeze({ feeBps: 0, feeFixed: 0, slippageBps: 0 });

/** Price actually paid/received for a signed quantity at a quoted `price`. */
export function executionPrice(price: number, qty: number, costs: CostModel): number {
  const s = costs.slippageBps / 10_000;
  return qty > 0 ? price * (1 + s) : price * (1 - s);
}

/** Fee for a fill of signed `qty` at executed `price`. */
export function fillFee(price: number, qty: number, costs: CostModel): number {
  if (qty === 0) return 0;
  return Math.abs(qty * price) * (costs.feeBps / 10_000) + costs.feeFixed;
}
