import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { parseTime } from '../../core/time.ts';
import type { Estimate } from '../../models/metrics.ts';
import type { ModelVersion } from '../../store/repos/models.ts';
import type { CommandContext } from '../context.ts';
import { formatTable } from '../table.ts';

const DAY_MS = 86_400_000;

/** A registry version as the CLI prints it (the serialised model only with `show`). */
function versionJson(v: ModelVersion, withModel = false) {
  return {
    name: v.name,
    version: v.version,
    task: v.task,
    active: v.active,
    better_than_baseline: v.betterThanBaseline,
    params: v.params,
    features: v.features,
    train_from: v.trainFrom === null ? null : new Date(v.trainFrom).toISOString(),
    train_to: v.trainTo === null ? null : new Date(v.trainTo).toISOString(),
    metrics: v.metrics,
    baseline: v.baseline,
    seed: v.seed,
    created_at: new Date(v.createdAt).toISOString(),
    ...(withModel ? { model: v.model } : {}),
  };
}

const fmt = (e: Estimate | undefined, digits = 4) =>
  e ? `${e.value.toFixed(digits)} [${e.lo.toFixed(digits)}, ${e.hi.toFixed(digits)}]` : '-';

type Scores = { auc?: Estimate; brier?: Estimate; log_loss?: Estimate; qlike?: Estimate; mse?: Estimate };

/** Classifier scores, or QLIKE and MSE for a volatility model (MSE of variances in scientific notation). */
function metricsTable(m: Scores, b: Scores): string {
  const vol = m.qlike !== undefined;
  const keys = vol ? (['qlike', 'mse'] as const) : (['auc', 'brier', 'log_loss'] as const);
  const f = (e: Estimate | undefined, k: string) =>
    k === 'mse' && e
      ? `${e.value.toExponential(3)} [${e.lo.toExponential(3)}, ${e.hi.toExponential(3)}]`
      : fmt(e);
  return formatTable(
    keys.map((k) => ({ metric: k, model: f(m[k], k), baseline: f(b[k], k) })),
    ['metric', 'model', 'baseline'],
  );
}

/** The score a model's activation is decided on: QLIKE for a volatility model, log-loss otherwise. */
const decisive = (m: Scores) => m.qlike ?? m.log_loss;

function versionNumber(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`VERSION: expected a positive integer, got "${text}"`);
  return n;
}

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  const cmd = program
    .command('models')
    .description('predictive models: train walk-forward, registry, predict');

  cmd
    .command('train <name>')
    .description('evaluate a model walk-forward beside its baseline and store it as a new version')
    .option('--from <date>', 'first day of data (default: all history)')
    .option('--to <date>', 'last day of data (a date includes that day)')
    .option('--seed <n>', 'seed of training and of the bootstrap intervals', '1')
    .option('--resamples <n>', 'bootstrap resamples of the metric intervals', '1000')
    .option('--asset <symbol>', 'the instrument of a volatility model (default: BTC)')
    .action(
      async (
        name: string,
        opts: { from?: string; to?: string; seed: string; resamples: string; asset?: string },
      ) => {
        const seed = Number(opts.seed);
        const resamples = Number(opts.resamples);
        if (!Number.isInteger(seed)) throw new UsageError(`--seed: expected an integer, got "${opts.seed}"`);
        if (!Number.isInteger(resamples) || resamples < 10 || resamples > 100_000)
          throw new UsageError(`--resamples: expected an integer in [10, 100000], got "${opts.resamples}"`);
        const from = opts.from === undefined ? undefined : parseTime(opts.from, '--from');
        let to = opts.to === undefined ? undefined : parseTime(opts.to, '--to');
        if (to !== undefined && opts.to && /^\d{4}-\d{2}-\d{2}$/.test(opts.to.trim())) to += DAY_MS;
        const c = await ctx();
        const { catalogEntry, trainModel } = await import('../../models/service.ts');
        catalogEntry(name);
        const out = await trainModel(c.db, name, { from, to, seed, resamples, asset: opts.asset });
        const rule = out.task === 'vol' ? 'lower QLIKE than EWMA' : 'lower log-loss and Brier';
        c.print(out, (r) =>
          [
            `${r.name} version ${r.version}${r.asset ? ` (${r.asset})` : ''}: ${r.samples} samples, ${r.folds} walk-forward folds (${r.train_from} → ${r.train_to})`,
            metricsTable(r.metrics as Scores, r.baseline as Scores),
            r.better_than_baseline
              ? `beats its baseline (${rule}): activate with \`marketpipe models activate ${r.name} ${r.version}\``
              : 'does NOT beat its baseline: it stays inactive',
          ].join('\n'),
        );
      },
    );

  cmd
    .command('list')
    .description('every stored version')
    .action(async () => {
      const c = await ctx();
      const { listModels } = await import('../../models/service.ts');
      const models = (await listModels(c.db)).map((v) => versionJson(v));
      c.print({ models }, (r) =>
        formatTable(
          r.models.map((v) => {
            const m = v.metrics as Scores;
            const b = v.baseline as Scores;
            return {
              name: v.name,
              version: v.version,
              active: v.active ? 'yes' : '',
              beats_baseline: v.better_than_baseline ? 'yes' : 'no',
              score: decisive(m)?.value.toFixed(4) ?? '-',
              baseline_score: decisive(b)?.value.toFixed(4) ?? '-',
              created_at: v.created_at,
            };
          }),
          ['name', 'version', 'active', 'beats_baseline', 'score', 'baseline_score', 'created_at'],
        ),
      );
    });

  cmd
    .command('show <name>')
    .description('versions of one model with their metrics beside the baseline')
    .action(async (name: string) => {
      const c = await ctx();
      const { catalogEntry, listModels } = await import('../../models/service.ts');
      catalogEntry(name);
      const versions = (await listModels(c.db, name)).map((v) => versionJson(v, c.json));
      c.print({ name, versions }, (r) =>
        r.versions.length === 0
          ? `${name}: no versions (train one with \`marketpipe models train ${name}\`)`
          : r.versions
              .map(
                (v) =>
                  `${v.name} v${v.version}${v.active ? ' (active)' : ''} ${v.better_than_baseline ? 'beats' : 'does not beat'} its baseline; window ${v.train_from} → ${v.train_to}\n${metricsTable(v.metrics as Scores, v.baseline as Scores)}`,
              )
              .join('\n\n'),
      );
    });

  cmd
    .command('activate <name> <version>')
    .description('make a version the one in use (refused for a version that did not beat its baseline)')
    .action(async (name: string, version: string) => {
      const n = versionNumber(version);
      const c = await ctx();
      const { activateModel } = await import('../../models/service.ts');
      const v = versionJson(await activateModel(c.db, name, n));
      c.print(v, (r) => `${r.name} version ${r.version} is active`);
    });

  cmd
    .command('predict <name>')
    .description(
      'by the active version: P(depeg next day), next-day variance (vol), P(high-correlation regime next week) (regimes)',
    )
    .option('--asset <symbol>', 'one stablecoin (depeg) or the instrument (vol)')
    .option('--version <n>', 'a stored version instead of the active one')
    .action(async (name: string, opts: { asset?: string; version?: string }) => {
      const version = opts.version === undefined ? undefined : versionNumber(opts.version);
      const c = await ctx();
      const { predictModel } = await import('../../models/service.ts');
      const out = await predictModel(c.db, name, { asset: opts.asset, version });
      c.print(out, (r) => {
        let table: string;
        if (r.task === 'vol')
          table = formatTable(
            r.predictions.map((p) => ({
              asset: p.asset,
              day: p.ts.slice(0, 10),
              daily_vol_next_day: p.daily_vol.toFixed(5),
              ewma_daily_vol: Math.sqrt(p.ewma_variance).toFixed(5),
            })),
            ['asset', 'day', 'daily_vol_next_day', 'ewma_daily_vol'],
          );
        else {
          const col = r.task === 'regimes' ? 'p_high_correlation_next_week' : 'p_depeg_next_day';
          table = formatTable(
            r.predictions.map((p) => ({
              asset: p.asset,
              day: p.ts.slice(0, 10),
              [col]: p.probability.toFixed(4),
            })),
            ['asset', 'day', col],
          );
        }
        return [`${r.name} version ${r.version}`, table].join('\n');
      });
    });
}
