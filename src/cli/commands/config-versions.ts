import type { Command } from 'commander';
import { ConfigCanaries } from '../../config/canary.ts';
import {
  type Canary,
  type CanaryTarget,
  describeTarget,
  parseCanaryTarget,
} from '../../config/canary-repo.ts';
import type { ParamState } from '../../config/environments.ts';
import { ConfigService, MAX_AUDIT_LIMIT, type ValueChange } from '../../config/service.ts';
import { ConfigStore } from '../../config/store.ts';
import type { ChangeContext } from '../../config/types.ts';
import { parseCliValue } from '../../config/validate.ts';
import type { Version } from '../../config/versions.ts';
import { UsageError } from '../../core/errors.ts';
import type { CommandContext } from '../context.ts';
import { formatTable } from '../table.ts';

/**
 * `marketpipe config apply|history|diff|rollback|promote|canary …`: change sets as numbered versions,
 * environments (MARKETPIPE_ENV, `--env`) and canaries, through the same ConfigService as the admin API.
 */

type Ctx = () => Promise<CommandContext>;

function shown(v: unknown): string {
  return v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v);
}

function stateText(s: ParamState | null): string {
  return s === null ? '(absent)' : shown(s.value);
}

function versionNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
    throw new UsageError(`${flag} must be a version number (0 = before the first), got "${text}"`);
  }
  return n;
}

/** One version as lines: header, then one line per parameter. */
function versionText(v: Version): string {
  const kind =
    v.kind === 'rollback' && v.rolled_back_to !== null ? `rollback to ${v.rolled_back_to}` : v.kind;
  return [
    `v${v.id}  ${v.at}  ${v.who}  ${kind}  [${v.env}]  ${v.reason}`,
    ...v.changes.map(
      (c) =>
        `    ${c.env === v.env ? '' : `${c.env}:`}${c.category}.${c.key}: ${stateText(c.old_state)} → ${stateText(c.new_state)}`,
    ),
  ].join('\n');
}

/** `pricing.base_rate_USDC=0.05` pairs, each converted with its parameter's type. */
async function parsePairs(service: ConfigService, pairs: readonly string[]): Promise<ValueChange[]> {
  const out: ValueChange[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq) : '';
    const dot = name.indexOf('.');
    if (eq <= 0 || dot <= 0) throw new UsageError(`expected CATEGORY.KEY=VALUE, got "${pair}"`);
    const category = name.slice(0, dot);
    const key = name.slice(dot + 1);
    const p = await service.get(category, key);
    out.push({ category, key, value: parseCliValue(name, p.valueType, pair.slice(eq + 1)) });
  }
  return out;
}

function canaryText(c: Canary): string {
  return [
    `canary ${c.id} [${c.status}]  ${describeTarget(c.target)}  env ${c.env}  by ${c.who}: ${c.reason}`,
    ...c.changes.map((x) => `    ${x.category}.${x.key} → ${shown(x.value)}`),
  ].join('\n');
}

interface WriteOpts {
  reason: string;
  user: string;
  env?: string;
  canary?: string;
}

function changeContext(c: CommandContext, opts: WriteOpts): ChangeContext {
  return { who: opts.user, reason: opts.reason, clientIp: null, env: opts.env ?? c.settings.configEnv };
}

/** Applies a change set as a version, or starts it as a canary when `--canary` is given. */
export async function applyOrCanary(
  c: CommandContext,
  service: ConfigService,
  changes: ValueChange[],
  opts: WriteOpts,
): Promise<void> {
  const ctx = changeContext(c, opts);
  if (opts.canary !== undefined) {
    let target: CanaryTarget;
    try {
      target = parseCanaryTarget(opts.canary);
    } catch (err) {
      throw new UsageError(`--canary: ${(err as Error).message}`);
    }
    const canary = await new ConfigCanaries(c.db).start(changes, target, ctx);
    c.print(canary, (r) => `started ${canaryText(r)}`);
    return;
  }
  const v = await service.apply(changes, ctx);
  c.print({ version: v }, (r) =>
    r.version ? versionText(r.version) : 'every value is already current; nothing changed',
  );
}

export function registerVersionCommands(cmd: Command, ctx: Ctx, defaultUser: string): void {
  cmd
    .command('apply <pairs...>')
    .description('change several values at once (CATEGORY.KEY=VALUE …) as one version, or as a canary')
    .requiredOption('--reason <text>', 'why the values change')
    .option('--env <env>', 'environment to change (default MARKETPIPE_ENV)')
    .option(
      '--canary <target>',
      'serve the change to one process (serve-2) or a share of requests (10%) first',
    )
    .option('--user <name>', 'who makes the change', defaultUser)
    .action(async (pairs: string[], opts: WriteOpts) => {
      const c = await ctx();
      const service = new ConfigService(c.db);
      await applyOrCanary(c, service, await parsePairs(service, pairs), opts);
    });

  cmd
    .command('history [name]')
    .description('config versions, newest first (only those touching CATEGORY.KEY when given)')
    .option('--limit <n>', `at most this many (1–${MAX_AUDIT_LIMIT})`, '20')
    .action(async (name: string | undefined, opts: { limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT) {
        throw new UsageError(`--limit must be a whole number 1–${MAX_AUDIT_LIMIT}`);
      }
      let category: string | undefined;
      let key: string | undefined;
      if (name !== undefined) {
        const dot = name.indexOf('.');
        category = dot > 0 ? name.slice(0, dot) : name;
        key = dot > 0 ? name.slice(dot + 1) : undefined;
      }
      const c = await ctx();
      const versions = await new ConfigService(c.db).history({ category, key, limit });
      c.print({ versions }, (r) =>
        r.versions.length ? r.versions.map(versionText).join('\n') : 'no versions yet',
      );
    });

  cmd
    .command('diff <v1> <v2>')
    .description('what differs between two versions (0 = before the first)')
    .action(async (a: string, b: string) => {
      const v1 = versionNumber('V1', a);
      const v2 = versionNumber('V2', b);
      const c = await ctx();
      const changes = await new ConfigService(c.db).diff(v1, v2);
      c.print({ from: v1, to: v2, changes }, (r) =>
        r.changes.length
          ? formatTable(
              r.changes.map((d) => ({
                env: d.env,
                name: `${d.category}.${d.key}`,
                [`v${v1}`]: stateText(d.from_state),
                [`v${v2}`]: stateText(d.to_state),
              })),
              ['env', 'name', `v${v1}`, `v${v2}`],
            )
          : `v${v1} and v${v2} hold the same values`,
      );
    });

  cmd
    .command('rollback')
    .description('bring every parameter changed since version V back to its value at V (a new version)')
    .requiredOption('--to <version>', 'version to return to (0 = before the first)')
    .requiredOption('--reason <text>', 'why')
    .option('--user <name>', 'who rolls back', defaultUser)
    .action(async (opts: { to: string; reason: string; user: string }) => {
      const to = versionNumber('--to', opts.to);
      const c = await ctx();
      const v = await new ConfigService(c.db).rollback(to, {
        who: opts.user,
        reason: opts.reason,
        clientIp: null,
      });
      c.print({ version: v }, (r) => (r.version ? versionText(r.version) : `nothing changed since v${to}`));
    });

  cmd
    .command('promote')
    .description('copy the values one environment overrides into another, as one version')
    .requiredOption('--from <env>', 'environment tested (e.g. staging)')
    .requiredOption('--to <env>', 'environment to change (production = the base values)')
    .option('--keys <names>', 'only these, comma-separated CATEGORY.KEY')
    .option('--reason <text>', 'why (default: promote FROM to TO)')
    .option('--user <name>', 'who promotes', defaultUser)
    .action(async (opts: { from: string; to: string; keys?: string; reason?: string; user: string }) => {
      const keys = opts.keys
        ?.split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      const c = await ctx();
      const reason = opts.reason ?? `promote ${opts.from} to ${opts.to}`;
      const v = await new ConfigService(c.db).promote(opts.from, opts.to, keys, {
        who: opts.user,
        reason,
        clientIp: null,
      });
      c.print({ version: v }, (r) =>
        r.version ? versionText(r.version) : `${opts.to} already has these values`,
      );
    });

  const canary = cmd.command('canary').description('config canaries: status, promote, rollback');

  canary
    .command('status')
    .description('active canaries with quotes and VaR under the current and the canary values side by side')
    .option('--all', 'also promoted and rolled-back canaries (without the side-by-side report)')
    .action(async (opts: { all?: boolean }) => {
      const c = await ctx();
      const list = await new ConfigCanaries(c.db).list(Boolean(opts.all));
      const { canaryReport } = await import('../../risk/canary-service.ts');
      const canaries = [];
      for (const x of list) {
        if (x.status !== 'active') {
          canaries.push({ ...x, report: null });
          continue;
        }
        const current = await ConfigStore.open({ db: c.db, live: false, env: x.env });
        try {
          canaries.push({ ...x, report: await canaryReport(c.db, x, current) });
        } finally {
          await current.close();
        }
      }
      c.print({ canaries }, (r) =>
        r.canaries.length === 0
          ? 'no active canaries'
          : r.canaries
              .map((x) => {
                const lines = [canaryText(x)];
                if (x.report) {
                  for (const q of x.report.quotes) {
                    lines.push(
                      q.error
                        ? `    quote ${q.asset}: ${q.error}`
                        : `    quote ${q.asset} $${q.amount} ${q.days}d: premium ${shown(q.old_premium)} → ${shown(q.new_premium)}`,
                    );
                  }
                  const v = x.report.var;
                  lines.push(
                    v.error
                      ? `    VaR: ${v.error}`
                      : `    VaR 95 ${shown(v.old?.var_95)} → ${shown(v.new?.var_95)}, VaR 99 ${shown(v.old?.var_99)} → ${shown(v.new?.var_99)} (${v.simulations} paths, seed ${v.seed})`,
                  );
                }
                return lines.join('\n');
              })
              .join('\n'),
      );
    });

  for (const [name, what] of [
    ['promote', 'apply the canary to everyone as one version'],
    ['rollback', 'stop serving the canary values'],
  ] as const) {
    canary
      .command(`${name} <id>`)
      .description(what)
      .requiredOption('--reason <text>', 'why')
      .option('--user <name>', 'who decides', defaultUser)
      .action(async (idText: string, opts: { reason: string; user: string }) => {
        const id = Number(idText);
        if (!Number.isSafeInteger(id) || id < 1)
          throw new UsageError(`canary id must be a whole number, got "${idText}"`);
        const c = await ctx();
        const canaries = new ConfigCanaries(c.db);
        const ctxt = { who: opts.user, reason: opts.reason, clientIp: null };
        const r = name === 'promote' ? await canaries.promote(id, ctxt) : await canaries.rollback(id, ctxt);
        c.print(r, (x) => [canaryText(x.canary), ...(x.version ? [versionText(x.version)] : [])].join('\n'));
      });
  }
}
