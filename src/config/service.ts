import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { Db, Queryable } from '../store/db.ts';
import { guardDb } from './db-errors.ts';
import {
  type AuditFilter,
  deleteParameter,
  insertAudit,
  insertParameter,
  type NewAuditEntry,
  selectAudit,
  selectParameter,
  selectParameters,
  updateValue,
} from './repo.ts';
import type { ConfigStore } from './store.ts';
import type { AuditEntry, ChangeContext, ChangeResult, JsonValue, Parameter, ValueType } from './types.ts';
import { checkName, isValueType, parseRule, validateValue } from './validate.ts';

export interface NewParameter {
  category: string;
  key: string;
  value_type: ValueType | string;
  value: unknown;
  description?: string;
  validation?: unknown;
}

/** Audit rows returned at most. */
export const MAX_AUDIT_LIMIT = 1000;

/**
 * Every read and write of parameters that goes to the database: validation, the write, and its audit row
 * in one transaction. The admin API and the CLI both use it, so a change is validated and audited the
 * same way whichever door it comes through. A database that does not answer gives UnavailableError (503).
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

  /** Changes a parameter's value (validated against its type and rule); a dry run only reports. */
  async set(category: string, key: string, input: unknown, ctx: ChangeContext): Promise<ChangeResult> {
    checkReason(ctx);
    const result = await guardDb('change parameter', () =>
      this.db.transaction(async (tx) => {
        const cur = await selectParameter(tx, category, key, !ctx.dryRun);
        if (!cur) throw new NotFoundError(`no parameter ${category}.${key}`);
        const value = validateValue(`${category}.${key}`, cur.valueType, cur.validation, input);
        const changed = JSON.stringify(value) !== JSON.stringify(cur.value);
        const applied = !ctx.dryRun;
        if (applied && changed) await updateValue(tx, category, key, value, ctx.who);
        return record(
          tx,
          ctx,
          { action: 'update', category, key, old_value: cur.value, new_value: value },
          changed,
        );
      }),
    );
    if (result.applied && result.changed) await this.store?.reload();
    return result;
  }

  /** Adds a parameter; ConflictError when it exists. */
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
    const result = await guardDb('create parameter', () =>
      this.db.transaction(async (tx) => {
        const cur = await selectParameter(tx, input.category, input.key);
        if (cur) throw new ConflictError(`parameter ${name} exists; change it with PUT or config set`);
        if (!ctx.dryRun) {
          await insertParameter(tx, {
            category: input.category,
            key: input.key,
            valueType,
            value,
            description: input.description ?? '',
            validation,
            updatedBy: ctx.who,
          });
        }
        const change: Change = {
          action: 'create',
          category: input.category,
          key: input.key,
          old_value: null,
          new_value: value,
        };
        return record(tx, ctx, change, true);
      }),
    );
    if (result.applied) await this.store?.reload();
    return result;
  }

  /** Removes a parameter; readers fall back to the built-in default. */
  async remove(category: string, key: string, ctx: ChangeContext): Promise<ChangeResult> {
    checkReason(ctx);
    const result = await guardDb('delete parameter', () =>
      this.db.transaction(async (tx) => {
        const cur = await selectParameter(tx, category, key, !ctx.dryRun);
        if (!cur) throw new NotFoundError(`no parameter ${category}.${key}`);
        if (!ctx.dryRun) await deleteParameter(tx, category, key);
        return record(
          tx,
          ctx,
          { action: 'delete', category, key, old_value: cur.value, new_value: null },
          true,
        );
      }),
    );
    if (result.applied) await this.store?.reload();
    return result;
  }
}

function checkReason(ctx: ChangeContext): void {
  if (!ctx.who.trim()) throw new ValidationError('who must name the user making the change');
  if (!ctx.reason.trim()) throw new ValidationError('reason is required: say why the parameter changes');
}

type Change = Pick<NewAuditEntry, 'action' | 'category' | 'key'> & {
  old_value: JsonValue | null;
  new_value: JsonValue | null;
};

async function record(
  tx: Queryable,
  ctx: ChangeContext,
  change: Change,
  changed: boolean,
): Promise<ChangeResult> {
  const dryRun = Boolean(ctx.dryRun);
  const auditId = await insertAudit(tx, {
    ...change,
    who: ctx.who,
    reason: ctx.reason,
    client_ip: ctx.clientIp ?? null,
    dry_run: dryRun,
    applied: !dryRun,
  });
  return { ...change, changed, dry_run: dryRun, applied: !dryRun, audit_id: auditId };
}
