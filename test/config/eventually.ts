/** Waits until `check` holds, polling every 10 ms; fails after `ms`. Resolves to the wait in ms. */
export async function eventually(check: () => boolean, ms = 1000, what = 'condition'): Promise<number> {
  const t0 = performance.now();
  while (!check()) {
    if (performance.now() - t0 > ms) throw new Error(`expected ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - t0;
}
