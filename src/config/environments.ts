import { ValidationError } from '../core/errors.ts';
import type { Queryable } from '../store/db.ts';
import { jsonParam, selectParameter } from './repo.ts';
import type { JsonValue, Parameter, ValidationRule, ValueType } from './types.ts';

/**
 * Environments (`MARKETPIPE_ENV`): `production` is the base namespace (`config.parameters`); any other
 * environment overrides single values in `config.env_values` and falls back to the base for the rest.
 */
export const BASE_ENV = 'production';

const ENV_NAME = /^[a-z][a-z0-9_-]*$/;

export function checkEnv(env: string): string {
  if (!ENV_NAME.test(env)) {
    throw new ValidationError(`environment must be a lower-case name such as staging, got "${env}"`);
  }
  return env;
}

/**
 * A parameter's whole state in one namespace, as versions keep it: in the base namespace every field,
 * in an environment only `value`. `null` stands for "absent" (not created, deleted, or not overridden).
 */
export interface ParamState {
  value: JsonValue;
  value_type?: ValueType;
  description?: string;
  validation?: ValidationRule;
}

export function baseState(p: Parameter): ParamState {
  return { value: p.value, value_type: p.valueType, description: p.description, validation: p.validation };
}

export function sameState(a: ParamState | null, b: ParamState | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    JSON.stringify(a.value) === JSON.stringify(b.value) &&
    a.value_type === b.value_type &&
    a.description === b.description &&
    JSON.stringify(a.validation ?? null) === JSON.stringify(b.validation ?? null)
  );
}

export interface EnvValue {
  category: string;
  key: string;
  value: JsonValue;
  updatedAt: string;
  updatedBy: string;
}

export async function selectEnvValues(q: Queryable, env: string): Promise<EnvValue[]> {
  const res = await q.query<{
    category: string;
    key: string;
    value: JsonValue;
    updated_at: Date | string;
    updated_by: string;
  }>(
    'SELECT category, key, value, updated_at, updated_by FROM config.env_values WHERE env = $1 ORDER BY category, key',
    [env],
  );
  return res.rows.map((r) => ({
    category: r.category,
    key: r.key,
    value: r.value,
    updatedAt: (r.updated_at instanceof Date ? r.updated_at : new Date(r.updated_at)).toISOString(),
    updatedBy: r.updated_by,
  }));
}

/** The parameters an environment serves: base ones with its overrides applied (same order). */
export function applyEnv(base: readonly Parameter[], overrides: readonly EnvValue[]): Parameter[] {
  if (overrides.length === 0) return [...base];
  const byName = new Map(overrides.map((o) => [`${o.category}\u0000${o.key}`, o]));
  return base.map((p) => {
    const o = byName.get(`${p.category}\u0000${p.key}`);
    return o ? { ...p, value: o.value, updatedAt: o.updatedAt, updatedBy: o.updatedBy } : p;
  });
}

/** A parameter's state in `env` (locked for update in the base namespace). */
export async function readState(
  q: Queryable,
  env: string,
  category: string,
  key: string,
): Promise<ParamState | null> {
  if (env === BASE_ENV) {
    const p = await selectParameter(q, category, key, true);
    return p ? baseState(p) : null;
  }
  const res = await q.query<{ value: JsonValue }>(
    'SELECT value FROM config.env_values WHERE env = $1 AND category = $2 AND key = $3 FOR UPDATE',
    [env, category, key],
  );
  const row = res.rows[0];
  return row ? { value: row.value } : null;
}

/** Writes a parameter's state in `env`; `null` removes it (an environment then falls back to the base). */
export async function writeState(
  q: Queryable,
  env: string,
  category: string,
  key: string,
  state: ParamState | null,
  who: string,
): Promise<void> {
  if (env !== BASE_ENV) {
    if (state === null) {
      await q.query('DELETE FROM config.env_values WHERE env = $1 AND category = $2 AND key = $3', [
        env,
        category,
        key,
      ]);
      return;
    }
    await q.query(
      `INSERT INTO config.env_values (env, category, key, value, updated_by) VALUES ($1, $2, $3, $4::text::jsonb, $5)
       ON CONFLICT (env, category, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), updated_by = EXCLUDED.updated_by`,
      [env, category, key, jsonParam(state.value), who],
    );
    return;
  }
  if (state === null) {
    await q.query('DELETE FROM config.parameters WHERE category = $1 AND key = $2', [category, key]);
    return;
  }
  const cur = await selectParameter(q, category, key);
  const valueType = state.value_type ?? cur?.valueType;
  if (valueType === undefined)
    throw new ValidationError(`${category}.${key}: no value type to create it with`);
  await q.query(
    `INSERT INTO config.parameters (category, key, value_type, value, description, validation, updated_by)
     VALUES ($1, $2, $3, $4::text::jsonb, $5, $6::text::jsonb, $7)
     ON CONFLICT (category, key) DO UPDATE SET value_type = EXCLUDED.value_type, value = EXCLUDED.value,
       description = EXCLUDED.description, validation = EXCLUDED.validation, updated_at = now(),
       updated_by = EXCLUDED.updated_by`,
    [
      category,
      key,
      valueType,
      jsonParam(state.value),
      state.description ?? cur?.description ?? '',
      JSON.stringify(state.validation ?? cur?.validation ?? {}),
      who,
    ],
  );
}
