import { appendAudit } from '../audit/chain.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { Db, Queryable } from '../store/db.ts';
import { guardDb } from './db-errors.ts';
import { BASE_ENV, baseState, checkEnv, type ParamState, readState } from './environments.ts';
import {
  type AuditFilter,
  insertAudit,
  type NewAuditEntry,
  selectAudit,
  selectParameter,
  selectParameters,
} from './repo.ts';
import type { ConfigStore } from './store.ts';
import type { AuditEntry, ChangeContext, ChangeResult, JsonValue, Parameter, ValueType } from './types.ts';
import { checkName, isValueType, parseRule, validateValue } from './validate.ts';
import {
  commitVersion,
  type DiffEntry,
  diffVersions,
  type HistoryFilter,
  type PlannedChange,
  rollbackPlan,
  selectVersions,
  type Version,
} from './versions.ts';

export interface NewParameter {
  category: string;
  key: string;
  value_type: ValueType | string;
  value: unknown;
  description?: string;
  validation?: unknown;
}

/** One value of a change set, as given (validated against the parameter's type and rule). */
export interface ValueChange {
  category: string;
  key: string;
  value: unknown;
}

/** Audit rows returned at most. */
export const MAX_AUDIT_LIMIT = 1000;

/**
 * Every read and write of parameters that goes to the database: validation, the write, its version and
 * its audit rows in one transaction. The admin API and the CLI both use it, so a change is validated,
 * versioned and audited the same way whichever door it comes through. A database that does not answer
 * gives UnavailableError (503).
 */
export class ConfigService {
  constructor(
    private readonly db: Db,
    /** Reloaded after each applied write so this process reads its own writes at once. */
    private readonly store?: ConfigStore,
  ) {}

  list(category?: string): Promise<Parameter[]> {
    return guardDb('list parameters', () => selectParameters(this.db, category));
  }

  async get(category: string, key: string): Promise<Parameter> {
    const p = await guardDb('read parameter', () => selectParameter(this.db, category, key));
    if (!p) throw new NotFoundError(`no parameter ${category}.${key}`);
    return p;
  }

  audit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const limit = filter.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT) {
      throw new ValidationError(`limit must be a whole number 1–${MAX_AUDIT_LIMIT}, got ${limit}`);
    }
    return guardDb('read the audit log', () => selectAudit(this.db, { ...filter, limit }));
  }

  /**
   * Changes a parameter's value (validated against its type and rule) in `ctx.env` as one new version;
   * a dry run only reports.
   */
  async set(category: string, key: string, input: unknown, ctx: ChangeContext): Promise<ChangeResult> {
    checkReason(ctx);
    const env = checkEnv(ctx.env ?? BASE_ENV);
    const result = await guardDb('change parameter', () =>
      this.db.transaction(async (tx) => {
        const base = await selectParameter(tx, category, key);
        if (!base) throw new NotFoundError(`no parameter ${category}.${key}`);
        const value = validateValue(`${category}.${key}`, base.valueType, base.validation, input);
        const own = env === BASE_ENV ? null : await readState(tx, env, category, key);
        const old = own ? own.value : base.value;
        const change: Change = { action: 'update', category, key, old_value: old, new_value: value };
        const changed = JSON.stringify(value) !== JSON.stringify(old);
        if (ctx.dryRun || !changed) return record(tx, ctx, env, change, changed);
        const state: ParamState = env === BASE_ENV ? { ...baseState(base), value } : { value };
        const v = await commitVersion(tx, meta('change', env, ctx), [{ env, category, key, state }]);
        return applied(change, env, v);
      }),
    );
    if (result.applied && result.changed) await this.store?.reload();
    return result;
  }

  /** Adds a parameter to the base namespace as one new version; ConflictError when it exists. */
  async create(input: NewParameter, ctx: ChangeContext): Promise<ChangeResult> {
    checkReason(ctx);
    checkName(input.category, input.key);
    if (!isValueType(input.value_type)) {
      throw new ValidationError(
        `value_type must be float, int, string or json, got ${JSON.stringify(input.value_type)}`,
      );
    }
    const valueType = input.value_type;
    const validation = parseRule(input.validation);
    const name = `${input.category}.${input.key}`;
    const value = validateValue(name, valueType, validation, input.value);
    const { category, key } = input;
    const result = await guardDb('create parameter', () =>
      this.db.transaction(async (tx) => {
        const cur = await selectParameter(tx, category, key);
        if (cur) throw new ConflictError(`parameter ${name} exists; change it with PUT or config set`);
        const change: Change = { action: 'create', category, key, old_value: null, new_value: value };
        if (ctx.dryRun) return record(tx, ctx, BASE_ENV, change, true);
        const state: ParamState = {
          value,
          value_type: valueType,
          description: input.description ?? '',
          validation,
        };
        const v = await commitVersion(tx, meta('change', BASE_ENV, ctx), [
          { env: BASE_ENV, category, key, state },
        ]);
        return applied(change, BASE_ENV, v);
      }),
    );
    if (result.applied) await this.store?.reload();
    return result;
  }

  /** Removes a parameter (base namespace, or an environment's override) as one new version. */
  async remove(category: string, key: string, ctx: ChangeContext): Promise<ChangeResult> {
    checkReason(ctx);
    const env = checkEnv(ctx.env ?? BASE_ENV);
    const result = await guardDb('delete parameter', () =>
      this.db.transaction(async (tx) => {
        const cur = await readState(tx, env, category, key);
        if (!cur) {
          throw new NotFoundError(
            env === BASE_ENV
              ? `no parameter ${category}.${key}`
              : `${env} does not override ${category}.${key}`,
          );
        }
        const change: Change = { action: 'delete', category, key, old_value: cur.value, new_value: null };
        if (ctx.dryRun) return record(tx, ctx, env, change, true);
        const v = await commitVersion(tx, meta('change', env, ctx), [{ env, category, key, state: null }]);
        return applied(change, env, v);
      }),
    );
    if (result.applied) await this.store?.reload();
    return result;
  }

  /**
   * Applies several values at once in `ctx.env` as one version (all or none: any invalid value refuses
   * the whole set). Null when every value is already current.
   */
  async apply(changes: readonly ValueChange[], ctx: ChangeContext): Promise<Version | null> {
    checkReason(ctx);
    if (changes.length === 0) throw new ValidationError('a change set needs at least one value');
    const env = checkEnv(ctx.env ?? BASE_ENV);
    const v = await guardDb('apply change set', () =>
      this.db.transaction(async (tx) => {
        const planned = await planValues(tx, env, changes);
        return commitVersion(tx, meta('change', env, ctx), planned);
      }),
    );
    if (v) await this.store?.reload();
    return v;
  }

  /** Versions newest first, optionally only those touching one parameter. */
  history(filter: HistoryFilter = {}): Promise<Version[]> {
    const limit = filter.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT) {
      throw new ValidationError(`limit must be a whole number 1–${MAX_AUDIT_LIMIT}, got ${limit}`);
    }
    return guardDb('read config versions', () => selectVersions(this.db, { ...filter, limit }));
  }

  diff(v1: number, v2: number): Promise<DiffEntry[]> {
    return guardDb('diff config versions', () => diffVersions(this.db, v1, v2));
  }

  /**
   * Brings every parameter changed after version `to` back to its state at `to`, as one new version (a
   * rollback can itself be rolled back). Null when nothing changed since.
   */
  async rollback(to: number, ctx: ChangeContext): Promise<Version | null> {
    checkReason(ctx);
    const v = await guardDb('roll back config', () =>
      this.db.transaction(async (tx) => {
        const planned = await rollbackPlan(tx, to);
        const m = { ...meta('rollback', ctx.env ?? BASE_ENV, ctx), rolledBackTo: to };
        return commitVersion(tx, m, planned);
      }),
    );
    if (v) await this.store?.reload();
    return v;
  }

  /**
   * Copies the values environment `from` overrides (all, or only `keys` as CATEGORY.KEY) into `to` as
   * one version. Into `production` they become the base values.
   */
  async promote(
    from: string,
    to: string,
    keys: readonly string[] | undefined,
    ctx: ChangeContext,
  ): Promise<Version | null> {
    checkReason(ctx);
    checkEnv(from);
    checkEnv(to);
    if (from === to) throw new ValidationError(`promote needs two environments, got ${from} twice`);
    const v = await guardDb('promote config', () =>
      this.db.transaction(async (tx) => {
        const source =
          from === BASE_ENV
            ? (await selectParameters(tx)).map((p) => ({ category: p.category, key: p.key, value: p.value }))
            : (
                await tx.query<{ category: string; key: string; value: JsonValue }>(
                  'SELECT category, key, value FROM config.env_values WHERE env = $1 ORDER BY category, key',
                  [from],
                )
              ).rows;
        const wanted = keys === undefined ? undefined : new Set(keys);
        const picked = wanted ? source.filter((s) => wanted.has(`${s.category}.${s.key}`)) : source;
        if (wanted) {
          const found = new Set(picked.map((s) => `${s.category}.${s.key}`));
          const missing = [...wanted].filter((k) => !found.has(k));
          if (missing.length) throw new NotFoundError(`${from} does not set ${missing.join(', ')}`);
        }
        if (picked.length === 0) throw new NotFoundError(`${from} overrides no values to promote`);
        const planned = await planValues(tx, to, picked);
        return commitVersion(
          tx,
          { ...meta('promote', to, ctx), reason: `${ctx.reason} (from ${from})` },
          planned,
        );
      }),
    );
    if (v) await this.store?.reload();
    return v;
  }
}

/** Validates each value against its base parameter and plans its write into `env`. */
export async function planValues(
  tx: Queryable,
  env: string,
  changes: readonly ValueChange[],
): Promise<PlannedChange[]> {
  const seen = new Set<string>();
  const planned: PlannedChange[] = [];
  for (const c of changes) {
    const name = `${c.category}.${c.key}`;
    if (seen.has(name)) throw new ValidationError(`${name} appears twice in one change set`);
    seen.add(name);
    const base = await selectParameter(tx, c.category, c.key);
    if (!base) throw new NotFoundError(`no parameter ${name}`);
    const value = validateValue(name, base.valueType, base.validation, c.value);
    const state: ParamState = env === BASE_ENV ? { ...baseState(base), value } : { value };
    planned.push({ env, category: c.category, key: c.key, state });
  }
  return planned;
}

function meta(kind: 'change' | 'rollback' | 'promote', env: string, ctx: ChangeContext) {
  return { kind, env, who: ctx.who, reason: ctx.reason, clientIp: ctx.clientIp ?? null };
}

function checkReason(ctx: ChangeContext): void {
  if (!ctx.who.trim()) throw new ValidationError('who must name the user making the change');
  if (!ctx.reason.trim()) throw new ValidationError('reason is required: say why the parameter changes');
}

type Change = Pick<NewAuditEntry, 'action' | 'category' | 'key'> & {
  old_value: JsonValue | null;
  new_value: JsonValue | null;
};

function applied(change: Change, env: string, v: Version | null): ChangeResult {
  return {
    ...change,
    changed: v !== null,
    dry_run: false,
    applied: true,
    audit_id: v?.audit_ids?.[0] ?? 0,
    version: v?.id ?? null,
    env,
  };
}

/** Audits a write that created no version: a dry run, or a value that was already current. */
async function record(
  tx: Queryable,
  ctx: ChangeContext,
  env: string,
  change: Change,
  changed: boolean,
): Promise<ChangeResult> {
  const dryRun = Boolean(ctx.dryRun);
  const entry = {
    ...change,
    who: ctx.who,
    reason: ctx.reason,
    client_ip: ctx.clientIp ?? null,
    dry_run: dryRun,
    applied: !dryRun,
  };
  const auditId = await insertAudit(tx, entry);
  await appendAudit(tx, {
    kind: 'config',
    actor: ctx.who,
    action: dryRun ? `${change.action} (dry run)` : `${change.action} (unchanged)`,
    subject: `${change.category}.${change.key}`,
    detail: { ...entry, env, audit_id: auditId },
  });
  return { ...change, changed, dry_run: dryRun, applied: !dryRun, audit_id: auditId, version: null, env };
}
