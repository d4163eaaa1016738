/**
 * Shapes of configuration parameters: operator-tunable numbers and flags stored in `config.parameters`
 * (category + key), read through the in-memory ConfigStore and changed through the ConfigService.
 */

export const VALUE_TYPES = ['float', 'int', 'string', 'json'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** A JSON value as stored in a `jsonb` column. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Rule a new value must satisfy. `min`/`max` are inclusive and apply to numbers only. */
export interface ValidationRule {
  min?: number;
  max?: number;
  /** The value must equal one of these (compared as JSON). */
  allowed?: JsonValue[];
}

/** One parameter as declared in code (the catalogue the migration seeds). */
export interface ParameterDef {
  category: string;
  key: string;
  valueType: ValueType;
  value: JsonValue;
  description: string;
  validation: ValidationRule;
}

/** One parameter as stored, with who changed it last. */
export interface Parameter extends ParameterDef {
  /** ISO-8601 UTC. */
  updatedAt: string;
  updatedBy: string;
}

/** Parameter as the API and `--json` print it (snake_case, as the tables). */
export interface ParameterJson {
  category: string;
  key: string;
  value_type: ValueType;
  value: JsonValue;
  description: string;
  validation: ValidationRule;
  updated_at: string;
  updated_by: string;
}

export function parameterJson(p: Parameter): ParameterJson {
  return {
    category: p.category,
    key: p.key,
    value_type: p.valueType,
    value: p.value,
    description: p.description,
    validation: p.validation,
    updated_at: p.updatedAt,
    updated_by: p.updatedBy,
  };
}

/** Who is making a change, and why (every write is audited with this). */
export interface ChangeContext {
  who: string;
  reason: string;
  /** Client address of an API request; null from the CLI. */
  clientIp?: string | null;
  /** Validate and report what would change, change nothing. @defaultValue false */
  dryRun?: boolean;
  /** Environment whose values change (`production` is the base namespace). @defaultValue 'production' */
  env?: string;
}

/** One row of `config.audit_log`. */
export interface AuditEntry {
  id: number;
  at: string;
  who: string;
  action: 'create' | 'update' | 'delete';
  category: string;
  key: string;
  old_value: JsonValue | null;
  new_value: JsonValue | null;
  reason: string;
  client_ip: string | null;
  dry_run: boolean;
  applied: boolean;
}

/** What a write did (or, for a dry run, would do). */
export interface ChangeResult {
  action: 'create' | 'update' | 'delete';
  category: string;
  key: string;
  old_value: JsonValue | null;
  new_value: JsonValue | null;
  /** The value differs from the current one. */
  changed: boolean;
  dry_run: boolean;
  applied: boolean;
  audit_id: number;
  /** The config version the change created (null for a dry run or when nothing changed). */
  version: number | null;
  env: string;
}

/** Channel on which every change to `config.parameters` is announced (by a trigger). */
export const CONFIG_CHANNEL = 'config_changed';
