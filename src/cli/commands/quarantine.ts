import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import type { CommandContext } from '../context.ts';
import { formatTable } from '../table.ts';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90d`, `12h`, `2w`, `30m`, `45s` → ms. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim());
  const unit = m?.[2] ? UNIT_MS[m[2]] : undefined;
  if (!m || unit === undefined)
    throw new UsageError(`--older-than: expected a duration like 90d, 12h or 2w, got "${text}"`);
  return Number(m[1]) * unit;
}

function parseIds(ids: string[]): number[] {
  return ids.map((s) => {
    if (!/^\d+$/.test(s)) throw new UsageError(`quarantine release: "${s}" is not a quarantine id`);
    return Number(s);
  });
}

export function register(program: Command, ctx: () => Promise<CommandContext>): void {
  const cmd = program
    .command('quarantine')
    .description('rows the quality gate refused: list, release, purge');

  cmd
    .command('list')
    .description('pending quarantined rows, newest first')
    .option('--rule <rule>', 'only this rule (e.g. price_bounds, outlier_batch)')
    .option('--asset <symbol>', 'only this instrument')
    .option('--limit <n>', 'at most this many rows', '100')
    .option('--all', 'include released rows')
    .action(async (opts: { rule?: string; asset?: string; limit: string; all?: boolean }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new UsageError(`--limit: expected a positive integer, got "${opts.limit}"`);
      const c = await ctx();
      const { countQuarantineByRule, listQuarantine } = await import('../../quality/quarantine.ts');
      const items = await listQuarantine(c.db, {
        rule: opts.rule,
        symbol: opts.asset,
        limit,
        includeReleased: opts.all,
      });
      const by_rule = await countQuarantineByRule(c.db);
      c.print({ items, by_rule, total: Object.values(by_rule).reduce((a, b) => a + b, 0) }, (r) =>
        [
          formatTable(
            r.items.map((e) => ({ ...e, time: e.ts ?? '' })),
            ['id', 'symbol', 'interval', 'time', 'source', 'rule', 'reason'],
          ),
          '',
          `Pending by rule: ${
            Object.entries(r.by_rule)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ') || 'none'
          }`,
        ].join('\n'),
      );
    });

  cmd
    .command('release <ids...>')
    .description(
      're-validate quarantined rows (bars, prices, economic observations, news, events) with the current rules and load the ones that pass',
    )
    .option('--force', 'load without re-validation (you vouch for the rows)')
    .action(async (ids: string[], opts: { force?: boolean }) => {
      const list = parseIds(ids);
      const c = await ctx();
      const [{ releaseQuarantine }, { gateReleaseLoader }, { loadThresholds }] = await Promise.all([
        import('../../quality/quarantine.ts'),
        import('../../quality/release.ts'),
        import('../../quality/thresholds-config.ts'),
      ]);
      const loader = gateReleaseLoader(c.db, { force: opts.force, thresholds: await loadThresholds(c.db) });
      const res = await releaseQuarantine(c.db, list, loader);
      // Audited when rows were released: a refused attempt leaves the store as it was.
      if (res.loaded.length > 0) {
        const { appendAuditNow } = await import('../../audit/chain.ts');
        await appendAuditNow(c.db, {
          kind: 'quarantine',
          actor: `cli:${userInfo().username}`,
          action: opts.force ? 'release (forced)' : 'release',
          subject: `quarantine ${res.loaded.join(',')}`,
          detail: res,
        });
      }
      c.print(res, (r) =>
        [
          `Released ${r.loaded.length} row(s).`,
          ...r.refused.map((x) => `Refused ${x.id}: ${x.rule}: ${x.reason}`),
          ...r.skipped.map((x) => `Skipped ${x.id}: ${x.reason}`),
          ...(r.missing.length ? [`Not pending: ${r.missing.join(', ')}`] : []),
        ].join('\n'),
      );
      if (res.refused.length > 0 || res.missing.length > 0 || res.skipped.length > 0) process.exitCode = 1;
    });

  cmd
    .command('purge')
    .description('delete quarantined rows older than a duration')
    .requiredOption('--older-than <duration>', 'e.g. 90d, 12h, 2w')
    .action(async (opts: { olderThan: string }) => {
      const ms = parseDuration(opts.olderThan);
      const c = await ctx();
      const { purgeQuarantine } = await import('../../quality/quarantine.ts');
      const purged = await purgeQuarantine(c.db, ms);
      c.print(
        { purged, older_than: opts.olderThan },
        (r) => `Purged ${r.purged} row(s) older than ${r.older_than}.`,
      );
    });
}
