import { describe, expect, it } from 'vitest';
import { type DepegPanel, depegSamples, PATH_CHANNELS, PATH_STEPS } from './features.ts';
import { samplePanel } from './testing.ts';

const slog = (v: number) => (Number.isFinite(v) ? Math.sign(v) * Math.log1p(100 * Math.abs(v)) : 0);

/**
 * The path as the features' doc defines it, day by day for one window (how features.ts built it before it
 * computed each day's row once per panel): signed deviation, the other coins' largest deviation, BTC's
 * log return, on the signed log scale; zeros before day 0 and on days without a bar.
 */
function referencePath(panel: DepegPanel, k: number, t: number): number[] {
  const out = new Array<number>(PATH_STEPS * PATH_CHANNELS).fill(0);
  const c = panel.coins[k];
  if (!c) throw new RangeError(`no coin ${k}`);
  for (let s = 0; s < PATH_STEPS; s++) {
    const j = t - (PATH_STEPS - 1) + s;
    if (j < 0) continue;
    const close = c.close[j] ?? Number.NaN;
    if (close > 0) out[s * PATH_CHANNELS] = slog(close / c.peg - 1);
    let other = 0;
    panel.coins.forEach((o, ko) => {
      const d = Math.abs((o.close[j] ?? Number.NaN) / o.peg - 1);
      if (ko !== k && d > other) other = d;
    });
    out[s * PATH_CHANNELS + 1] = slog(other);
    const a = panel.btc[j - 1] ?? Number.NaN;
    const b = panel.btc[j] ?? Number.NaN;
    out[s * PATH_CHANNELS + 2] = j >= 1 && a > 0 && b > 0 ? slog(Math.log(b / a)) : 0;
  }
  return out;
}

describe('depeg path (the LSTM input)', () => {
  it('equals the day-by-day definition for every sample of the shipped series, the first 13 days included', () => {
    const panel = samplePanel();
    const samples = depegSamples(panel);
    expect(samples.length).toBeGreaterThan(2000);
    const coinIndex = new Map(panel.coins.map((c, k) => [c.symbol, k]));
    for (const s of samples) {
      const k = coinIndex.get(s.coin) ?? -1;
      const t = panel.days.indexOf(s.ts);
      expect(Array.from(s.path), `${s.coin} ${new Date(s.ts).toISOString()}`).toEqual(
        referencePath(panel, k, t),
      );
    }
  });
});
