import { z } from 'zod';
import { adminErrorResponses, adminSecurity, errorResponses, QueryFlag } from './common.ts';

/**
 * The admin API for configuration parameters (`/admin/config`): every parameter, one parameter, its audit
 * log and the store's counters; create, change, delete, reload. The routes validate with these schemas, the
 * OpenAPI document shows them and the Admin page imports their types.
 */

const ValueType = z.enum(['float', 'int', 'string', 'json']);

/** A parameter's value: any JSON (checked against its type and rule by the config service). */
const ConfigValue = z.unknown().refine((v) => v !== undefined, 'value is required');

/** Why a change is made (every write is audited with it). */
const ConfigReason = z.string().min(1).max(1000);

/** Rule a new value must satisfy: min/max (numbers, inclusive) or one of `allowed`. */
const ValidationRule = z.object({
  min: z.number().optional(),
  max: z.number().optional(),
  allowed: z.array(z.unknown()).optional(),
});

const ConfigParameter = z.object({
  category: z.string(),
  key: z.string(),
  value_type: ValueType,
  value: z.unknown(),
  description: z.string().optional(),
  validation: ValidationRule.optional(),
  updated_at: z.iso.datetime().optional(),
  updated_by: z.string().optional(),
});
export type ConfigParameter = z.infer<typeof ConfigParameter>;

const ConfigList = z.object({
  parameters: z.array(ConfigParameter),
  /** Where the values come from: database, or built-in defaults while it is unreachable. */
  source: z.string(),
  degraded: z.boolean(),
});
export type ConfigList = z.infer<typeof ConfigList>;

/** What a write did (or, for a dry run, would do). */
const ConfigChange = z.object({
  action: z.enum(['create', 'update', 'delete']),
  category: z.string(),
  key: z.string(),
  old_value: z.unknown().optional(),
  new_value: z.unknown().optional(),
  /** The value differs from the current one. */
  changed: z.boolean(),
  dry_run: z.boolean(),
  applied: z.boolean(),
  audit_id: z.number().int(),
  /** The config version the change created (null for a dry run or when nothing changed). */
  version: z.number().int().nullable(),
  env: z.string(),
});
export type ConfigChange = z.infer<typeof ConfigChange>;

const ConfigAuditEntry = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  who: z.string(),
  action: z.string(),
  category: z.string(),
  key: z.string(),
  old_value: z.unknown().optional(),
  new_value: z.unknown().optional(),
  reason: z.string(),
  client_ip: z.string().nullable(),
  dry_run: z.boolean(),
  applied: z.boolean(),
});
export type ConfigAuditEntry = z.infer<typeof ConfigAuditEntry>;

const ConfigAudit = z.object({ entries: z.array(ConfigAuditEntry) });
export type ConfigAudit = z.infer<typeof ConfigAudit>;

const ConfigStats = z.object({
  entries: z.number().int(),
  hits: z.number().int(),
  misses: z.number().int(),
  hit_rate: z.number(),
  /** Last successful load from the database, null when none yet. */
  last_reload: z.string().nullable(),
  reload_failures: z.number().int(),
  reloads: z.number().int(),
  source: z.string(),
  degraded: z.boolean(),
  /** Subscribed to change notices. */
  listening: z.boolean(),
  env: z.string(),
  /** Canaries this process serves: to all its requests (process) or to a share of them (percent). */
  canaries: z.array(
    z.object({ id: z.number().int(), process: z.string().optional(), percent: z.number().optional() }),
  ),
});

const ParameterParams = z.object({ category: z.string().max(100), key: z.string().max(200) });

/** `PUT /admin/config/:category/:key`. */
const ConfigSetBody = z.object({
  value: ConfigValue,
  reason: ConfigReason,
  dry_run: z.boolean().default(false),
});

/** `POST /admin/config`. */
const ConfigCreateBody = z.object({
  category: z.string().max(100),
  key: z.string().max(200),
  value_type: ValueType,
  value: ConfigValue,
  description: z.string().max(1000).optional(),
  validation: z.looseObject(ValidationRule.shape).optional(),
  reason: ConfigReason,
  dry_run: z.boolean().default(false),
});

const errors = adminErrorResponses;
const writeErrors = { ...errors, 409: errorResponses[400], 503: errorResponses[500] } as const;
const security = adminSecurity;
const tags = ['admin'];

/** Route schemas (OpenAPI document, validation, serialisation). */
export const adminConfigRoutes = {
  list: {
    tags,
    security,
    summary: 'Every parameter (served from memory; answers while the database is down)',
    querystring: z.object({ category: z.string().optional() }),
    response: { 200: ConfigList, ...errors },
  },
  audit: {
    tags,
    security,
    summary: 'Audit log of parameter changes, newest first',
    querystring: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      category: z.string().optional(),
      key: z.string().optional(),
    }),
    response: { 200: ConfigAudit, ...writeErrors },
  },
  stats: {
    tags,
    security,
    summary: 'Cache statistics of the parameter store',
    response: { 200: ConfigStats, ...errors },
  },
  reload: {
    tags,
    security,
    summary: 'Reload parameters from the database here, and tell every other process to',
    response: { 200: z.object({ ok: z.boolean(), entries: z.number().int() }), ...writeErrors },
  },
  get: {
    tags,
    security,
    summary: 'One parameter',
    params: ParameterParams,
    response: { 200: ConfigParameter, ...errors },
  },
  set: {
    tags,
    security,
    summary: 'Change a value (validated against its type and rule); dry_run reports without changing',
    params: ParameterParams,
    body: ConfigSetBody,
    response: { 200: ConfigChange, ...writeErrors },
  },
  create: {
    tags,
    security,
    summary: 'Create a parameter',
    body: ConfigCreateBody,
    response: { 200: ConfigChange, 201: ConfigChange, ...writeErrors },
  },
  remove: {
    tags,
    security,
    summary: 'Delete a parameter (readers fall back to the built-in default)',
    params: ParameterParams,
    querystring: z.object({ reason: z.string().min(1), dry_run: QueryFlag.default(false) }),
    response: { 200: ConfigChange, ...writeErrors },
  },
} as const;
