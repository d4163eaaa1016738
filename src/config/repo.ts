import type { Queryable } from '../store/db.ts';
import type { AuditEntry, JsonValue, Parameter, ValidationRule } from './types.ts';
import { isValueType } from './validate.ts';

/** Plain SQL over `config.parameters` and `config.audit_log`. */

interface ParameterRow {
  category: string;
  key: string;
  value_type: string;
  value: JsonValue;
  description: string;
  validation: ValidationRule | null;
  updated_at: Date | string;
  updated_by: string;
}

const COLUMNS = 'category, key, value_type, value, description, validation, updated_at, updated_by';

function iso(v: Date | string): string {
  return (v instanceof Date ? v : new Date(v)).toISOString();
}

function toParameter(r: ParameterRow): Parameter {
  if (!isValueType(r.value_type)) throw new Error(`config.parameters ${r.category}.${r.key}: bad value_type`);
  return {
    category: r.category,
    key: r.key,
    valueType: r.value_type,
    value: r.value,
    description: r.description,
    validation: r.validation ?? {},
    updatedAt: iso(r.updated_at),
    updatedBy: r.updated_by,
  };
}

export async function selectParameters(q: Queryable, category?: string): Promise<Parameter[]> {
  const res = category
    ? await q.query<ParameterRow>(
        `SELECT ${COLUMNS} FROM config.parameters WHERE category = $1 ORDER BY category, key`,
        [category],
      )
    : await q.query<ParameterRow>(`SELECT ${COLUMNS} FROM config.parameters ORDER BY category, key`);
  return res.rows.map(toParameter);
}

export async function selectParameter(
  q: Queryable,
  category: string,
  key: string,
  forUpdate = false,
): Promise<Parameter | undefined> {
  const res = await q.query<ParameterRow>(
    `SELECT ${COLUMNS} FROM config.parameters WHERE category = $1 AND key = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [category, key],
  );
  const row = res.rows[0];
  return row ? toParameter(row) : undefined;
}

/** jsonb values travel as JSON text cast in SQL, so both drivers pass them through untouched. */
export function jsonParam(v: JsonValue | null | undefined): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

export async function insertAudit(q: Queryable, e: NewAuditEntry): Promise<number> {
  const res = await q.query<{ id: string | number }>(
    `INSERT INTO config.audit_log
       (who, action, category, key, old_value, new_value, reason, client_ip, dry_run, applied)
     VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb, $7, $8, $9, $10) RETURNING id`,
    [
      e.who,
      e.action,
      e.category,
      e.key,
      jsonParam(e.old_value),
      jsonParam(e.new_value),
      e.reason,
      e.client_ip,
      e.dry_run,
      e.applied,
    ],
  );
  return Number(res.rows[0]?.id);
}

export interface AuditFilter {
  /** Newest first, at most this many. @defaultValue 100 */
  limit?: number;
  category?: string;
  key?: string;
}

interface AuditRow extends Omit<AuditEntry, 'id' | 'at'> {
  id: string | number;
  at: Date | string;
}

export async function selectAudit(q: Queryable, f: AuditFilter = {}): Promise<AuditEntry[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.category) {
    params.push(f.category);
    where.push(`category = $${params.length}`);
  }
  if (f.key) {
    params.push(f.key);
    where.push(`key = $${params.length}`);
  }
  params.push(f.limit ?? 100);
  const res = await q.query<AuditRow>(
    `SELECT id, at, who, action, category, key, old_value, new_value, reason, client_ip, dry_run, applied
       FROM config.audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return res.rows.map((r) => ({ ...r, id: Number(r.id), at: iso(r.at) }));
}
