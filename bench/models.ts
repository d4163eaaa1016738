/**
 * Predictive models on the shipped real series (samples/: USDC, USDT, DAI 2022–2023, UST 2022, BTC):
 * time to fit each model on every labelled sample, time to score all samples, and the whole walk-forward
 * evaluation (monthly refits, quarterly for the LSTM, + 1,000 block-bootstrap resamples), each beside the deviation-only logistic
 * baseline measured in the same run (the floor). Prints the walk-forward table, model vs baseline.
 *
 * Run alone: node --import tsx bench/models.ts
 */
import { MODEL_CATALOG } from '../src/models/catalog.ts';
import {
  DEPEG_BASELINE,
  type DepegSpec,
  evaluateDepeg,
  fitDepeg,
  predictDepeg,
} from '../src/models/depeg.ts';
import { depegSamples } from '../src/models/features.ts';
import type { ClassifierMetrics, Estimate } from '../src/models/metrics.ts';
import { evaluateRegimes } from '../src/models/regime-model.ts';
import { correlationObservations, fitHmm2, highRegimeProbability } from '../src/models/regimes.ts';
import {
  alignedSampleReturns,
  SAMPLE_BTC,
  sampleCloses,
  samplePanel,
  sampleReturns,
} from '../src/models/testing.ts';
import { evaluateVol } from '../src/models/vol-model.ts';
import { volatilityWalkForward } from '../src/models/volatility.ts';

function median(fn: () => void, reps: number): number {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)] ?? Number.NaN;
}

const ci = (e: Estimate) => `${e.value.toFixed(4)} [${e.lo.toFixed(4)}, ${e.hi.toFixed(4)}]`;
const row = (label: string, m: ClassifierMetrics) =>
  `${label.padEnd(28)} ${ci(m.auc).padEnd(26)} ${ci(m.brier).padEnd(26)} ${ci(m.log_loss).padEnd(26)} ${m.n} / ${m.positives}`;

export async function run(): Promise<void> {
  const t0 = performance.now();
  const panel = samplePanel();
  const samples = depegSamples(panel);
  const labelled = samples.filter((s) => s.y !== null);
  const featMs = performance.now() - t0;
  process.stdout.write(`${labelled.length} labelled samples, features in ${featMs.toFixed(1)} ms\n\n`);
  const specs: [string, DepegSpec][] = [
    ['baseline (logistic, dev_abs)', DEPEG_BASELINE],
    ...Object.entries(MODEL_CATALOG).flatMap(([n, e]) =>
      e.task === 'depeg' ? [[n, e.spec] as [string, DepegSpec]] : [],
    ),
  ];
  const timings: { name: string; fit: number; predict: number; wf: number }[] = [];
  const tables: string[] = [];
  for (const [name, spec] of specs) {
    // The LSTM's fit is ~100× the others': timed once.
    const fit = median(() => fitDepeg(spec, labelled, 1), spec.kind === 'lstm' ? 1 : 3);
    const m = fitDepeg(spec, labelled, 1);
    const predict = median(() => {
      for (const s of samples) predictDepeg(m, s);
    }, 5);
    const w0 = performance.now();
    const ev = evaluateDepeg(panel, spec, { seed: 1, resamples: 1000, samples });
    const wf = performance.now() - w0;
    timings.push({ name, fit, predict, wf });
    if (spec !== DEPEG_BASELINE) {
      tables.push(row(`${name}`, ev.metrics), row('  baseline', ev.baseline));
      if (ev.metrics.onset && ev.baseline.onset)
        tables.push(
          row(`  ${name} (on peg at t)`, ev.metrics.onset),
          row('  baseline (on peg at t)', ev.baseline.onset),
        );
      tables.push(`  better_than_baseline: ${ev.better_than_baseline}, ${ev.folds.length} folds`);
    }
  }
  const floor = timings[0];
  process.stdout.write(
    'model                         fit ms    ×floor   predict ms  ×floor   walk-forward ms  ×floor\n',
  );
  for (const t of timings) {
    const r = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(1)}×` : '-');
    process.stdout.write(
      `${t.name.padEnd(28)} ${t.fit.toFixed(1).padStart(8)} ${r(t.fit, floor?.fit).padStart(8)} ${t.predict.toFixed(1).padStart(11)} ${r(t.predict, floor?.predict).padStart(7)} ${t.wf.toFixed(0).padStart(16)} ${r(t.wf, floor?.wf).padStart(7)}\n`,
    );
  }
  process.stdout.write(
    `\nwalk-forward (expanding window, refit every 30 days after 180 days, the LSTM every 90; 95 % moving-block bootstrap intervals, seed 1)\n${'model'.padEnd(28)} ${'AUC'.padEnd(26)} ${'Brier'.padEnd(26)} ${'log-loss'.padEnd(26)} n / positives\n${tables.join('\n')}\n`,
  );
  process.stdout.write(
    '\nvolatility, one-day variance forecasts vs r² (walk-forward: 250-day start, GARCH/HAR refit every 21 days)\n',
  );
  process.stdout.write('series      model   QLIKE        MSE          QLIKE−EWMA   ms\n');
  for (const [label, file] of [
    ['BTC', SAMPLE_BTC],
    ['SPY', 'daily/SPY_yahoo_daily_2021-2026.csv'],
  ] as const) {
    const r = sampleReturns(file);
    const v0 = performance.now();
    const wf = volatilityWalkForward(r);
    const ms = performance.now() - v0;
    for (const k of ['ewma', 'garch', 'har'] as const) {
      const sc = wf[k];
      process.stdout.write(
        `${label.padEnd(11)} ${k.padEnd(7)} ${sc.qlike.toFixed(4).padStart(9)}  ${sc.mse.toExponential(3).padStart(11)}  ${(sc.qlike - wf.ewma.qlike).toFixed(4).padStart(9)}   ${k === 'ewma' ? ms.toFixed(0) : ''}   n=${sc.n}\n`,
      );
    }
  }
  const files = [
    'daily/BTC_yahoo_daily_2021-2025.csv',
    'daily/ETH_yahoo_daily_2021-2026.csv',
    'daily/SPY_yahoo_daily_2021-2026.csv',
  ];
  const h0 = performance.now();
  const obs = correlationObservations(alignedSampleReturns(files), 30);
  const hmm = fitHmm2(obs);
  const pNext = highRegimeProbability(hmm, obs, 5);
  process.stdout.write(
    `\ncorrelation regimes (BTC, ETH, SPY; 30-day average correlation and dispersion; 2-state HMM), ${(performance.now() - h0).toFixed(0)} ms\n` +
      `  low regime mean corr ${hmm.mean[0][0]?.toFixed(3)}, high ${hmm.mean[1][0]?.toFixed(3)}; stay low ${hmm.a[0].toFixed(3)}, stay high ${hmm.a[3].toFixed(3)}\n` +
      `  P(high-correlation regime 5 trading days after ${obs.length} observations) = ${pNext.toFixed(3)}\n`,
  );
  // The registry models as `models train` evaluates them (95 % bootstrap intervals, seed 1).
  process.stdout.write(
    '\nregistry models, walk-forward beside the baseline (as `models train`; 95 % intervals, seed 1)\n',
  );
  const btc = sampleCloses(SAMPLE_BTC);
  for (const name of ['vol', 'vol-har'] as const) {
    const e = MODEL_CATALOG[name];
    if (e?.task !== 'vol') continue;
    const t = performance.now();
    const ev = evaluateVol(btc, e.spec, 'BTC', { seed: 1, resamples: 1000 });
    const ms = performance.now() - t;
    process.stdout.write(
      `${name.padEnd(8)} BTC  QLIKE ${ci(ev.metrics.qlike)}  EWMA ${ci(ev.baseline.qlike)}  MSE ${ev.metrics.mse.value.toExponential(3)} vs ${ev.baseline.mse.value.toExponential(3)}  n=${ev.metrics.n}  better=${ev.better_than_baseline}  ${ms.toFixed(0)} ms\n`,
    );
  }
  const reg = MODEL_CATALOG.regimes;
  if (reg?.task === 'regimes') {
    const series = files.map(sampleCloses);
    const maps = series.map((c) => new Map(c.ts.map((t, i) => [t, c.close[i] as number])));
    const ts = [...(maps[0]?.keys() ?? [])].filter((t) => maps.every((m) => m.has(t)));
    const t = performance.now();
    const ev = evaluateRegimes(
      { assets: ['BTC', 'ETH', 'SPY'], ts, closes: maps.map((m) => ts.map((d) => m.get(d) as number)) },
      reg.spec,
      { seed: 1, resamples: 1000 },
    );
    const ms = performance.now() - t;
    process.stdout.write(
      `${row('regimes (HMM)', ev.metrics)}\n${row('  baseline (persistence)', ev.baseline)}\n  better_than_baseline: ${ev.better_than_baseline}, ${ev.folds.length} folds, ${ms.toFixed(0)} ms\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
