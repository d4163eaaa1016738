import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import type { Scenario } from '../../core/scenario.ts';
import type { StoredScenario } from '../../store/repos/risk.ts';
import type { CommandContext } from '../context.ts';
import { formatTable } from '../table.ts';

/** A scenario as the CLI and API print it (snake_case, as the table). */
export function scenarioJson(s: StoredScenario) {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    type: s.type,
    asset_impacts: s.assetImpacts,
    btc_impact: s.btcImpact,
    correlation_shift: s.correlationShift,
    volatility_multiplier: s.volatilityMultiplier,
    probability_annual: s.probabilityAnnual,
    severity_level: s.severityLevel,
    weight: s.weight,
    normalized_weight: s.normalizedWeight,
    enabled: s.enabled,
    is_default: s.isDefault,
  };
}

/** `USDC=0.9,ETH=-0.4` → {USDC: 0.9, ETH: -0.4}. */
export function parseImpacts(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [k, v] = part.split('=');
    const n = Number(v);
    if (!k || v === undefined || !Number.isFinite(n))
      throw new UsageError(`--impacts: expected ASSET=number, got "${part}"`);
    out[k.trim().toUpperCase()] = n;
  }
  return out;
}

function num(name: string, v: string | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`${name}: expected a number in [${min}, ${max}], got "${v}"`);
  return n;
}

interface AddOpts {
  description?: string;
  type?: string;
  impacts?: string;
  btc?: string;
  correlationShift?: string;
  volMultiplier?: string;
  probability: string;
  severity?: string;
  weight?: string;
  disabled?: boolean;
}

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  const cmd = program.command('scenarios').description('stress scenarios used by VaR and stress tests');

  cmd
    .command('list')
    .description('list scenarios (enabled and disabled)')
    .action(async () => {
      const c = await ctx();
      const { listScenarios } = await import('../../store/repos/risk.ts');
      const all = (await listScenarios(c.db)).map(scenarioJson);
      c.print({ scenarios: all }, (r) =>
        formatTable(
          r.scenarios.map((s) => ({
            name: s.name,
            type: s.type,
            severity: s.severity_level,
            p_annual: s.probability_annual,
            weight: s.weight,
            enabled: s.enabled ? 'yes' : 'no',
            impacts: Object.entries(s.asset_impacts)
              .map(([k, v]) => `${k}=${v}`)
              .concat(s.btc_impact === null ? [] : [`BTC=${s.btc_impact > 0 ? '+' : ''}${s.btc_impact}`])
              .join(' '),
          })),
          ['name', 'type', 'severity', 'p_annual', 'weight', 'enabled', 'impacts'],
        ),
      );
    });

  cmd
    .command('add <name>')
    .description('add a scenario')
    .requiredOption('--probability <p>', 'annual probability 0..1')
    .option(
      '--impacts <list>',
      'ASSET=value,…: price for pegged assets (USDC=0.9), return otherwise (ETH=-0.4)',
    )
    .option('--btc <return>', 'BTC return (0.27 = +27 %)')
    .option('--correlation-shift <x>', 'added to every correlation, -1..1', '0')
    .option('--vol-multiplier <x>', 'volatility multiplier', '1')
    .option('--severity <1-5>', 'severity level', '3')
    .option('--weight <w>', 'weight (intensity = probability × weight)', '1')
    .option('--type <type>', 'kind of scenario', 'custom')
    .option('--description <text>', 'description', '')
    .option('--disabled', 'add it disabled')
    .action(async (name: string, opts: AddOpts) => {
      const s: Scenario = {
        name,
        description: opts.description ?? '',
        type: opts.type ?? 'custom',
        assetImpacts: opts.impacts ? parseImpacts(opts.impacts) : {},
        btcImpact: opts.btc === undefined ? null : num('--btc', opts.btc, 0, -1, 10),
        correlationShift: num('--correlation-shift', opts.correlationShift, 0, -1, 1),
        volatilityMultiplier: num('--vol-multiplier', opts.volMultiplier, 1, 1e-9, 100),
        probabilityAnnual: num('--probability', opts.probability, 0, 0, 1),
        severityLevel: Math.round(num('--severity', opts.severity, 3, 1, 5)),
        weight: num('--weight', opts.weight, 1, 0, 1e6),
        enabled: !opts.disabled,
      };
      const c = await ctx();
      const { addScenario } = await import('../../store/repos/risk.ts');
      const added = scenarioJson(await addScenario(c.db, s));
      c.print(added, (r) => `added scenario "${r.name}" (${r.enabled ? 'enabled' : 'disabled'})`);
    });

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    cmd
      .command(`${verb} <name>`)
      .description(`${verb} a scenario by name`)
      .action(async (name: string) => {
        const c = await ctx();
        const { setScenarioEnabled } = await import('../../store/repos/risk.ts');
        const s = scenarioJson(await setScenarioEnabled(c.db, name, enabled));
        c.print(s, (r) => `scenario "${r.name}" ${r.enabled ? 'enabled' : 'disabled'}`);
      });
  }
}
