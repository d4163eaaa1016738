/**
 * Reliability (calibration) curve of probability forecasts: forecasts grouped into equal-width bins of
 * the predicted probability; in each bin the mean forecast beside the observed frequency of the event.
 * A calibrated model's points lie on the diagonal.
 */
export interface CalibrationBin {
  lo: number;
  hi: number;
  count: number;
  mean_p: number | null;
  observed: number | null;
}

export function calibrationBins(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): CalibrationBin[] {
  if (p.length !== y.length)
    throw new RangeError(`probabilities (${p.length}) and labels (${y.length}) differ in length`);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  const count = new Uint32Array(bins);
  for (let i = 0; i < p.length; i++) {
    const v = p[i] as number;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(v * bins)));
    sumP[b] = (sumP[b] as number) + v;
    sumY[b] = (sumY[b] as number) + (y[i] as number);
    count[b] = (count[b] as number) + 1;
  }
  return Array.from({ length: bins }, (_, b) => {
    const n = count[b] as number;
    return {
      lo: b / bins,
      hi: (b + 1) / bins,
      count: n,
      mean_p: n === 0 ? null : (sumP[b] as number) / n,
      observed: n === 0 ? null : (sumY[b] as number) / n,
    };
  });
}
