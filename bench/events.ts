/**
 * Read-time price adjustment (analytics/adjust.ts): adjusting 1 million daily-keyed bars for 10 splits and
 * 80 quarterly dividends, against a bare loop that multiplies the same bars by precomputed factors (the
 * floor: one multiply per field) and a naive version that scans every event for every bar. Also the
 * near-duplicate title check (news/dedup.ts) per pair.
 */
import { adjustBars, adjustmentFactors, type CorporateActions } from '../src/analytics/adjust.ts';
import type { Bar } from '../src/core/types.ts';
import { sameStory, titleKey } from '../src/store/repos/news-dedup.ts';

const DAY = 86_400_000;

function bars(n: number): Bar[] {
  const out: Bar[] = new Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    p *= 1 + 0.01 * Math.sin(i * 12.9898);
    out[i] = {
      ts: Date.UTC(1900, 0, 1) + i * DAY,
      open: p,
      high: p * 1.01,
      low: p * 0.99,
      close: p,
      volume: 1000,
    };
  }
  return out;
}

function actions(first: number, n: number): CorporateActions {
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  return {
    splits: Array.from({ length: 10 }, (_, k) => ({
      exDate: iso(first + Math.floor(((k + 0.5) * n) / 10) * DAY),
      splitFrom: 1,
      splitTo: 2,
    })),
    dividends: Array.from({ length: 80 }, (_, k) => ({
      exDate: iso(first + Math.floor(((k + 0.3) * n) / 80) * DAY),
      amount: 0.5,
    })),
  };
}

function time(fn: () => void, reps = 5): number {
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

export async function run(): Promise<void> {
  const n = 1_000_000;
  const xs = bars(n);
  const acts = actions(xs[0]?.ts ?? 0, n);
  const { price, volume } = adjustmentFactors(xs, acts, 'adjusted');
  let sink = 0;
  const bare = time(() => {
    const out: Bar[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const b = xs[i] as Bar;
      const f = price[i] as number;
      out[i] = {
        ts: b.ts,
        open: b.open * f,
        high: b.high * f,
        low: b.low * f,
        close: b.close * f,
        volume: b.volume * (volume[i] as number),
      };
    }
    sink += out.length;
  });
  const ours = time(() => {
    sink += adjustBars(xs, acts, 'adjusted').length;
  });
  const naiveN = 100_000;
  const naiveBars = xs.slice(0, naiveN);
  const naive = time(() => {
    const events = [
      ...acts.splits.map((s) => ({ at: Date.parse(s.exDate), f: s.splitFrom / s.splitTo })),
      ...acts.dividends.map((d) => ({ at: Date.parse(d.exDate), f: 0.995 })),
    ];
    const out = naiveBars.map((b) => {
      let f = 1;
      for (const e of events) if (e.at > b.ts) f *= e.f;
      return { ...b, close: b.close * f };
    });
    sink += out.length;
  }, 3);
  const rate = (count: number, ms: number) => `${(((count / ms) * 1000) / 1e6).toFixed(1)} M bars/s`;
  const titles = Array.from({ length: 2000 }, (_, i) =>
    titleKey(`Company ${i % 97} shares surge after record quarter number ${i} - Wire`),
  );
  const dedup = time(() => {
    let same = 0;
    for (let i = 0; i < titles.length; i++)
      for (let j = i + 1; j < Math.min(titles.length, i + 50); j++)
        if (sameStory(titles[i] as string, titles[j] as string)) same++;
    sink += same;
  }, 3);
  const pairs = 2000 * 49 - (49 * 50) / 2;
  const rows = [
    [
      'adjustBars (adjusted, 1M bars, 90 events)',
      `${ours.toFixed(1)} ms`,
      rate(n, ours),
      `${(ours / bare).toFixed(2)}× bare loop`,
    ],
    ['bare loop, factors precomputed', `${bare.toFixed(1)} ms`, rate(n, bare), '1.00×'],
    [
      'naive: every event per bar (100k bars)',
      `${naive.toFixed(1)} ms`,
      rate(naiveN, naive),
      `${(naive / naiveN / (ours / n)).toFixed(1)}× ours per bar`,
    ],
    [
      'sameStory title pairs',
      `${dedup.toFixed(1)} ms`,
      `${(((pairs / dedup) * 1000) / 1e6).toFixed(2)} M pairs/s`,
      '',
    ],
  ];
  const w = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  for (const r of rows) process.stdout.write(`${r.map((cell, c) => cell.padEnd(w[c] ?? 0)).join('  ')}\n`);
  if (sink < 0) process.stdout.write('');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
