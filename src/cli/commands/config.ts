import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { ConfigService, MAX_AUDIT_LIMIT } from '../../config/service.ts';
import { type Parameter, parameterJson } from '../../config/types.ts';
import { parseCliValue } from '../../config/validate.ts';
import { UsageError } from '../../core/errors.ts';
import type { CommandContext } from '../context.ts';
import { formatTable } from '../table.ts';
import { applyOrCanary, registerVersionCommands } from './config-versions.ts';

/**
 * `marketpipe config list|get|set|audit`: the same ConfigService as the admin API, so validation and
 * audit are identical. A change made here reaches running servers at once (the `config_changed` notice).
 */

/** `pricing.base_rate_USDC` or `pricing base_rate_USDC` → [category, key]. */
export function parseName(first: string, second?: string): [string, string] {
  if (second !== undefined) return [first, second];
  const dot = first.indexOf('.');
  if (dot <= 0 || dot === first.length - 1) {
    throw new UsageError(`name a parameter as CATEGORY.KEY or CATEGORY KEY, got "${first}"`);
  }
  return [first.slice(0, dot), first.slice(dot + 1)];
}

function shown(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function defaultUser(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function detail(p: Parameter): string {
  const rule = Object.keys(p.validation).length ? JSON.stringify(p.validation) : '-';
  return [
    `${p.category}.${p.key} = ${shown(p.value)}  (${p.valueType})`,
    p.description,
    `rule: ${rule}   updated ${p.updatedAt} by ${p.updatedBy}`,
  ].join('\n');
}

function positiveInt(flag: string, text: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new UsageError(`${flag} must be a whole number 1–${max}`);
  return n;
}

interface SetOpts {
  reason: string;
  dryRun?: boolean;
  user: string;
  env?: string;
  canary?: string;
}

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  const cmd = program
    .command('config')
    .description(
      'configuration parameters: list, get, set (versioned, audited), history, diff, rollback, promote, canary',
    );

  cmd
    .command('list')
    .description('list parameters')
    .option(
      '--category <category>',
      'only this category (pricing, risk, tranches, quality, rate_limits, schedules)',
    )
    .action(async (opts: { category?: string }) => {
      const c = await ctx();
      const params = await new ConfigService(c.db).list(opts.category);
      c.print({ parameters: params.map(parameterJson) }, (r) =>
        formatTable(
          r.parameters.map((p) => ({
            name: `${p.category}.${p.key}`,
            type: p.value_type,
            value: shown(p.value),
            updated_by: p.updated_by,
          })),
          ['name', 'type', 'value', 'updated_by'],
        ),
      );
    });

  cmd
    .command('get <name> [key]')
    .description('show one parameter (CATEGORY.KEY or CATEGORY KEY)')
    .action(async (name: string, key: string | undefined) => {
      const [category, k] = parseName(name, key);
      const c = await ctx();
      const p = await new ConfigService(c.db).get(category, k);
      c.print(parameterJson(p), () => detail(p));
    });

  cmd
    .command('set <name> <value>')
    .description('change a value (validated; audited with --user and --reason)')
    .requiredOption('--reason <text>', 'why the value changes (kept in the audit log)')
    .option('--dry-run', 'validate and show what would change, change nothing')
    .option('--user <name>', 'who makes the change', defaultUser())
    .option('--env <env>', 'environment to change (default MARKETPIPE_ENV, production = the base values)')
    .option(
      '--canary <target>',
      'serve the change to one process (serve-2) or a share of requests (10%) first',
    )
    .action(async (name: string, value: string, opts: SetOpts) => {
      const [category, key] = parseName(name);
      const c = await ctx();
      const service = new ConfigService(c.db);
      const current = await service.get(category, key);
      const input = parseCliValue(`${category}.${key}`, current.valueType, value);
      if (opts.canary !== undefined) {
        if (opts.dryRun) throw new UsageError('--dry-run and --canary do not go together');
        await applyOrCanary(c, service, [{ category, key, value: input }], opts);
        return;
      }
      const result = await service.set(category, key, input, {
        who: opts.user,
        reason: opts.reason,
        clientIp: null,
        dryRun: Boolean(opts.dryRun),
        env: opts.env ?? c.settings.configEnv,
      });
      c.print(result, (r) => {
        const change = `${r.category}.${r.key}: ${shown(r.old_value)} → ${shown(r.new_value)}`;
        if (r.dry_run) return `dry run, nothing changed: ${change}`;
        return r.changed ? change : `${r.category}.${r.key} already ${shown(r.new_value)}; nothing changed`;
      });
    });

  registerVersionCommands(cmd, ctx, defaultUser());

  cmd
    .command('audit')
    .description('audit log of parameter changes, newest first')
    .option('--limit <n>', `at most this many (1–${MAX_AUDIT_LIMIT})`, '20')
    .option('--category <category>', 'only this category')
    .option('--key <key>', 'only this key')
    .action(async (opts: { limit: string; category?: string; key?: string }) => {
      const limit = positiveInt('--limit', opts.limit, MAX_AUDIT_LIMIT);
      const c = await ctx();
      const entries = await new ConfigService(c.db).audit({ limit, category: opts.category, key: opts.key });
      c.print({ entries }, (r) =>
        formatTable(
          r.entries.map((e) => ({
            at: e.at,
            who: e.who,
            action: e.dry_run ? `${e.action} (dry run)` : e.action,
            name: `${e.category}.${e.key}`,
            old: shown(e.old_value),
            new: shown(e.new_value),
            reason: e.reason,
            ip: e.client_ip ?? '',
          })),
          ['at', 'who', 'action', 'name', 'old', 'new', 'reason', 'ip'],
        ),
      );
    });
}
