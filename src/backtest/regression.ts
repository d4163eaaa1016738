/** Ordinary least squares of y on x with intercept: y ≈ alpha + beta·x. */
export function ols(x: ArrayLike<number>, y: ArrayLike<number>): { alpha: number; beta: number } {
  const n = Math.min(x.length, y.length);
  let sx = 0;
  let sy = 0;
  for (let k = 0; k < n; k++) {
    sx += x[k] ?? 0;
    sy += y[k] ?? 0;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (let k = 0; k < n; k++) {
    const dx = (x[k] ?? 0) - mx;
    sxy += dx * ((y[k] ?? 0) - my);
    sxx += dx * dx;
  }
  const beta = sxx === 0 ? 0 : sxy / sxx;
  return { alpha: my - beta * mx, beta };
}
